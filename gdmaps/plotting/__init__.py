"""Figures from result objects: deterministic, publication-quality matplotlib."""

from gdmaps.plotting.figures import save_figure, new_axes
from gdmaps.plotting.orbits import plot_orbits

__all__ = ["plot_orbits", "save_figure", "new_axes"]
