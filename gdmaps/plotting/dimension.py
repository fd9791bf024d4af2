"""How thin the convergent set is: the volumes of its neighbourhoods, and a box count."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from gdmaps.plotting.figures import current_style, new_axes, styled

__all__ = ["plot_set_dimension"]


@styled
def plot_set_dimension(result, *, axes=None, title=None):
    """Two log-log panels (stacked in the "column" style): the share V(w) of the region
    within w of the convergent set, with the fitted slope (the codimension), and the box
    count of the closest starts.

    Parameters
    ----------
    result : SetDimension
    axes : pair of Axes, keyword-only
    title : str, keyword-only
    style : {"page", "column"}, keyword-only
        The figure style (default: the current one, "page" unless inside
        ``gdmaps.plotting.style(...)``).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap, convergent_set_dimension
    >>> x, y = sp.symbols("x y")
    >>> res = convergent_set_dimension(GDMap((x**2 - y**2) / 2, [x, y]), [[-1, 1], [-1, 1]],
    ...                                eta=0.5, starts=20_000, steps=60)
    >>> len(plot_set_dimension(res).axes)
    2
    """
    if axes is None and current_style() == "column":  # side by side is too narrow: stacked
        fig, _ = new_axes(nrows=2, figsize=(3.3, 4.6), layout="constrained")
        ax1, ax2 = fig.axes
    elif axes is None:
        fig, _ = new_axes(ncols=2, figsize=(7.2, 3.2), layout="constrained")
        ax1, ax2 = fig.axes
    else:
        ax1, ax2 = axes
        fig = ax1.figure
    w, share = result.widths, result.converged / result.starts
    some = result.converged > 0
    i, j = result.fit
    ax1.loglog(w[some], share[some], "o", ms=3, color="0.6", label="all widths")
    ax1.loglog(w[i:j], share[i:j], "o", ms=3, color="C0", label="fitted")
    codim = result.codimension
    ref = np.log(share[i:j]).mean() - codim * np.log(w[i:j]).mean()
    ax1.loglog(w[i:j], np.exp(ref) * w[i:j] ** codim, "-", color="C3", lw=1,
               label=f"slope {codim:.2f}: D = {result.dimension:.2f} ± {result.dimension_stderr:.2f}")
    width, upper = result.finest
    ax1.set_xlabel(r"width $w$ of the neighbourhood")
    ax1.set_ylabel("share of the region")
    ax1.set_title(f"finest: {upper:.1e} of the region within {width:.0e}", fontsize="small")
    ax1.legend(frameon=False, loc="upper left", fontsize="small")
    if len(result.box_sizes):
        ax2.loglog(1 / result.box_sizes, result.box_counts, "s-", ms=3, color="C2")
        ax2.set_xscale("log", base=2)
        ax2.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax2.xaxis.set_minor_formatter(NullFormatter())
        if result.box_dimension is not None:
            ax2.set_title(f"closest starts, coarse boxes only: slope {result.box_dimension:.2f}",
                          fontsize="small")
    ax2.set_xlabel(r"$1/s$ (box side $s$, relative to the region)")
    ax2.set_ylabel("occupied boxes")
    if title:
        fig.suptitle(title)
    return fig
