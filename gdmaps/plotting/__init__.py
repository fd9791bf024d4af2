"""Figures from result objects: deterministic, publication-quality matplotlib."""

from gdmaps.plotting.figures import STYLE, STYLES, current_style, new_axes, save_figure, style
from gdmaps.plotting.orbits import plot_orbits
from gdmaps.plotting.phase import plot_phase_transition
from gdmaps.plotting.manifolds import plot_manifolds, plot_stable_manifold
from gdmaps.plotting.basins import plot_basins
from gdmaps.plotting.fates import plot_fate_map
from gdmaps.plotting.dimension import plot_set_dimension
from gdmaps.plotting.bifurcation import plot_orbit_diagram
from gdmaps.plotting.sharpness import plot_sharpness

__all__ = [
    "plot_orbit_diagram",
    "plot_sharpness",
    "plot_fate_map",
    "plot_set_dimension",
    "STYLE",
    "STYLES",
    "style",
    "current_style",
    "plot_orbits",
    "plot_basins",
    "plot_stable_manifold",
    "plot_manifolds",
    "plot_phase_transition",
    "save_figure",
    "new_axes",
]
