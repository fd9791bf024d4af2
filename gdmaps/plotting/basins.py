"""Basins of attraction from a :class:`~gdmaps.basins.cell_map.CellMap`: one colour per basin."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from gdmaps.core.regions import slice_of
from gdmaps.core.errors import InvalidArgumentError
from gdmaps.plotting.figures import new_axes, styled

__all__ = ["plot_basins"]

_ESCAPE_COLOUR = "0.92"
_UNCERTAIN_COLOUR = "0.35"


@styled
def plot_basins(result, *, dims=(0, 1), at=None, ax=None, mark_attractors=True, legend=True):
    """The basin label of every cell of a cell map, with the attractor cells marked.

    Parameters
    ----------
    result : CellMap
        From :func:`gdmaps.basins.cell_map.cell_map` on a map of dimension d >= 2.
    dims : pair of int, keyword-only
        The two axes drawn (horizontal, vertical), distinct, in ``[0, d)``.
    at : array (d,), keyword-only
        For d > 2: a point of the region whose coordinates not in ``dims`` fix the
        slice drawn (default: the centre of the region). Must be None when d == 2.
    ax : Axes, keyword-only
    mark_attractors : bool, keyword-only
        Outline each attractor cell (black). For d > 2, the attractor cells on the
        slice are drawn as black boxes and the centres of the others, projected onto
        ``dims``, as light grey rings.
    legend : bool, keyword-only
        One entry per basin (with its share of the whole region), escape and uncertain.
    style : {"page", "column"}, keyword-only
        The figure style (default: the current one, "page" unless inside
        ``gdmaps.plotting.style(...)``).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> from gdmaps.basins.cell_map import cell_map
    >>> x, y = sp.symbols("x y")
    >>> g = GDMap((x**2 - 1)**2 / 4 + y**2 / 2, [x, y], 0.1)
    >>> fig = plot_basins(cell_map(g, [[-2, 2], [-1, 1]], (21, 11), steps=10))
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'basin 0 (0.5)'

    A 3-D map, drawn on the slice z = 0.3 (the cells whose z-interval holds 0.3):

    >>> x, y, z = sp.symbols("x y z")
    >>> g3 = GDMap((x**2 - 1)**2 / 4 + y**2 / 2 + z**2 / 2, [x, y, z], 0.1)
    >>> res = cell_map(g3, [[-2, 2], [-1, 1], [-1, 1]], (11, 5, 5), steps=10)
    >>> fig = plot_basins(res, at=[0, 0, 0.3])
    >>> fig.axes[0].get_title()
    'slice $z$ = 0.3'

    Notes
    -----
    The slice is :meth:`CellMap.slice`: cells are half-open ``[low, high)`` in
    each fixed coordinate, the region's top edge included. Colours and shares are
    those of the whole cell map, so every slice of one result uses the same colours.
    """
    if result.dim < 2:
        raise InvalidArgumentError(
            f"plot_basins draws cell maps of dimension >= 2, got a {result.dim}-D one")
    dims, at = slice_of(result.region, dims, at)
    on = result.slice(None if result.dim == 2 else at, dims)
    i, j = dims
    fig, ax = new_axes(ax)
    R = result.region
    top = int(result.levels.max())
    shape = tuple(int(result.cells[a]) * 2**top for a in dims)
    fine = (R[dims, 1] - R[dims, 0]) / np.asarray(shape)
    k = len(result.attractor_cells)
    # codes: 0 escape, 1 uncertain, 2 + i basin i
    code = np.where(result.labels >= 0, result.labels + 2, np.where(result.labels == -1, 0, 1))
    grid = np.zeros(shape, dtype=int)
    boxes = result.boxes[:, dims]
    lo = np.rint((boxes[:, :, 0] - R[dims, 0]) / fine).astype(int)
    hi = np.rint((boxes[:, :, 1] - R[dims, 0]) / fine).astype(int)
    for c in on:  # one slice per cell, not per point
        grid[lo[c, 0]:hi[c, 0], lo[c, 1]:hi[c, 1]] = code[c]
    colours = [_ESCAPE_COLOUR, _UNCERTAIN_COLOUR] + [f"C{i % 10}" for i in range(k)]
    cmap = ListedColormap(colours)
    xe = np.linspace(R[i, 0], R[i, 1], shape[0] + 1)
    ye = np.linspace(R[j, 0], R[j, 1], shape[1] + 1)
    ax.pcolormesh(xe, ye, grid.T, cmap=cmap, vmin=-0.5, vmax=len(colours) - 0.5,
                  shading="flat", rasterized=True)
    on_slice = np.zeros(result.n_cells, dtype=bool)
    on_slice[on] = True
    att = np.concatenate([np.asarray(c, dtype=int) for c in result.attractor_cells] or [[]]).astype(int)
    att_on, att_off = att[on_slice[att]], att[~on_slice[att]]
    if mark_attractors:
        for cells in result.attractor_cells:
            for bx in boxes[cells[on_slice[cells]]]:
                ax.add_patch(_rect(bx, facecolor="k", edgecolor="k", lw=0.5))
        if att_off.size:  # only when d > 2: the rest of the attractors, projected
            pts = np.unique(result.centres[att_off][:, dims], axis=0)
            ax.scatter(pts[:, 0], pts[:, 1], s=12, facecolors="none", edgecolors="0.55",
                       linewidths=0.8, zorder=3)
    if legend:
        handles = [Patch(color=f"C{i % 10}", label=f"basin {i} ({result.basin_share[i]:.3g})")
                   for i in range(k)]
        handles.append(Patch(facecolor=_ESCAPE_COLOUR, edgecolor="0.6",
                             label=f"escape ({result.escape_share:.3g})"))
        # grey cells reach several fates; their area is shared out among them by sampled points
        handles.append(Patch(color=_UNCERTAIN_COLOUR,
                             label=f"boundary cells ({getattr(result, 'boundary_share', 0):.3g} of the"
                             f" area, split by sampling; {result.uncertain_share:.3g} unresolved)"))
        if mark_attractors and att_on.size:
            handles.append(Patch(color="k", label="attractor cells"))
        if mark_attractors and att_off.size:
            handles.append(Line2D([], [], ls="none", marker="o", ms=4, mfc="none", mec="0.55",
                                  label="attractor cells off the slice"))
        ax.legend(handles=handles, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlim(R[i])
    ax.set_ylim(R[j])
    ax.set_aspect("equal")
    names = result.state_names or (("x", "y") if result.dim == 2
                                   else tuple(f"x_{a}" for a in range(result.dim)))
    ax.set_xlabel(f"${names[i]}$")
    ax.set_ylabel(f"${names[j]}$")
    if result.dim > 2:
        ax.set_title("slice " + ", ".join(f"${names[a]}$ = {at[a]:g}"
                                          for a in range(result.dim) if a not in dims))
    return fig


def _rect(box, **kw):
    from matplotlib.patches import Rectangle
    return Rectangle((box[0, 0], box[1, 0]), box[0, 1] - box[0, 0], box[1, 1] - box[1, 0], **kw)
