"""Figures from result objects: deterministic, publication-quality matplotlib."""

from gdmaps.plotting.figures import save_figure, new_axes
from gdmaps.plotting.orbits import plot_orbits
from gdmaps.plotting.phase import plot_phase_transition
from gdmaps.plotting.manifolds import plot_stable_manifold
from gdmaps.plotting.basins import plot_basins

__all__ = [
    "plot_orbits",
    "plot_basins",
    "plot_stable_manifold",
    "plot_phase_transition",
    "save_figure",
    "new_axes",
]
