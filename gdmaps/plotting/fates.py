"""Where gradient descent goes from each point of a grid: the basin picture of a 2-D map."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from gdmaps.core.errors import InvalidArgumentError
from gdmaps.basins.iterate import iterate
from gdmaps.plotting.figures import new_axes, styled
from gdmaps.core.regions import as_region

__all__ = ["plot_fate_map"]

_COLORS = ["#f2c14e", "#2a7ab0", "#d1495b", "#7b7b7b"]  # indexed by Fate
_NAMES = ["moving (no limit)", "converged", "diverged", "stalled at an unstable point"]


@styled
def plot_fate_map(map, region, *, resolution=301, steps=1000, ax=None, title=None):
    """Run GD from every point of a grid over a 2-D region and colour each by its fate.

    Parameters
    ----------
    map : Map or GDMap
        A 2-D map with every parameter bound.
    region : array (2, 2)
    resolution : int, keyword-only
        Grid points per axis.
    steps : int, keyword-only
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
    >>> a, b = sp.symbols("a b")
    >>> fig = plot_fate_map(GDMap((a*b - 1)**2 / 2, [a, b], 0.5), [[-2, 2], [-2, 2]],
    ...                     resolution=21, steps=200)
    >>> fig.axes[0].get_title()
    'converged: 95.2% of the grid'
    """
    if map.dim != 2:
        raise InvalidArgumentError(f"plot_fate_map draws 2-D maps; this one has dimension {map.dim}")
    R = as_region(region, 2)
    xs = np.linspace(*R[0], resolution)
    ys = np.linspace(*R[1], resolution)
    X, Y = np.meshgrid(xs, ys)
    run = iterate(map, np.c_[X.ravel(), Y.ravel()], steps)
    fates = run.fate.reshape(X.shape)
    fig, ax = new_axes(ax)
    ax.imshow(fates, origin="lower", extent=(*R[0], *R[1]), cmap=ListedColormap(_COLORS),
              vmin=-0.5, vmax=len(_COLORS) - 0.5, interpolation="nearest", aspect="auto")
    for k, name in enumerate(_NAMES):
        share = float(np.mean(fates == k))
        ax.plot([], [], "s", color=_COLORS[k], label=f"{name} ({share:.1%})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False, ncol=1)
    names = [str(s) for s in getattr(map, "state", ("x", "y"))]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title or f"converged: {np.mean(fates == 1):.1%} of the grid")
    return fig
