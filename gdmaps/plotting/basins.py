"""Basins of attraction from a :class:`~gdmaps.cell_map.CellMap`: one colour per basin."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from gdmaps.errors import InvalidArgumentError
from gdmaps.plotting.figures import new_axes

__all__ = ["plot_basins"]

_ESCAPE_COLOUR = "0.92"
_UNCERTAIN_COLOUR = "0.35"


def plot_basins(result, *, ax=None, mark_attractors=True, legend=True):
    """The basin label of every cell of a 2-D cell map, with the attractor cells marked.

    Parameters
    ----------
    result : CellMap
        From :func:`gdmaps.cell_map.cell_map` on a two-dimensional map (2-D only:
        higher dimensions need a slice, not supported yet).
    ax : Axes, keyword-only
    mark_attractors : bool, keyword-only
        Outline each attractor cell (black).
    legend : bool, keyword-only
        One entry per basin (with its share), escape and uncertain.

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> from gdmaps.cell_map import cell_map
    >>> x, y = sp.symbols("x y")
    >>> g = GDMap((x**2 - 1)**2 / 4 + y**2 / 2, [x, y], 0.1)
    >>> fig = plot_basins(cell_map(g, [[-2, 2], [-1, 1]], (21, 11), steps=10))
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'basin 0 (0.476)'
    """
    if result.dim != 2:
        raise InvalidArgumentError(
            f"plot_basins draws 2-D cell maps only, got a {result.dim}-D one")
    fig, ax = new_axes(ax)
    R = result.region
    top = int(result.levels.max())
    shape = tuple(int(c) * 2**top for c in result.cells)
    fine = (R[:, 1] - R[:, 0]) / np.asarray(shape)
    k = len(result.attractor_cells)
    # codes: 0 escape, 1 uncertain, 2 + i basin i
    code = np.where(result.labels >= 0, result.labels + 2, np.where(result.labels == -1, 0, 1))
    grid = np.zeros(shape, dtype=int)
    lo = np.rint((result.boxes[:, :, 0] - R[:, 0]) / fine).astype(int)
    hi = np.rint((result.boxes[:, :, 1] - R[:, 0]) / fine).astype(int)
    for c, (a, b) in enumerate(zip(lo, hi)):  # one slice per cell, not per point
        grid[a[0]:b[0], a[1]:b[1]] = code[c]
    colours = [_ESCAPE_COLOUR, _UNCERTAIN_COLOUR] + [f"C{i % 10}" for i in range(k)]
    cmap = ListedColormap(colours)
    xe = np.linspace(R[0, 0], R[0, 1], shape[0] + 1)
    ye = np.linspace(R[1, 0], R[1, 1], shape[1] + 1)
    ax.pcolormesh(xe, ye, grid.T, cmap=cmap, vmin=-0.5, vmax=len(colours) - 0.5,
                  shading="flat", rasterized=True)
    if mark_attractors:
        for cells in result.attractor_cells:
            for bx in result.boxes[cells]:
                ax.add_patch(_rect(bx, facecolor="k", edgecolor="k", lw=0.5))
    if legend:
        handles = [Patch(color=f"C{i % 10}", label=f"basin {i} ({result.basin_share[i]:.3g})")
                   for i in range(k)]
        handles.append(Patch(facecolor=_ESCAPE_COLOUR, edgecolor="0.6",
                             label=f"escape ({result.escape_share:.3g})"))
        handles.append(Patch(color=_UNCERTAIN_COLOUR,
                             label=f"uncertain ({result.uncertain_share:.3g})"))
        if mark_attractors and k:
            handles.append(Patch(color="k", label="attractor cells"))
        ax.legend(handles=handles, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlim(R[0])
    ax.set_ylim(R[1])
    ax.set_aspect("equal")
    names = result.state_names or ("x", "y")
    ax.set_xlabel(f"${names[0]}$")
    ax.set_ylabel(f"${names[1]}$")
    return fig


def _rect(box, **kw):
    from matplotlib.patches import Rectangle
    return Rectangle((box[0, 0], box[1, 0]), box[0, 1] - box[0, 0], box[1, 1] - box[1, 0], **kw)
