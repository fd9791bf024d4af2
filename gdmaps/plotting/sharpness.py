"""The edge of stability: sharpness along GD orbits against the threshold 2/eta."""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import InvalidTypeError
from gdmaps.plotting.figures import new_axes, styled

__all__ = ["plot_sharpness"]


@styled
def plot_sharpness(results, *, loss=True, axes=None):
    """Sharpness lambda_max(H) against the step, one colour per step size, with 2/eta dashed.

    Parameters
    ----------
    results : Sharpness or sequence of Sharpness
        From :func:`gdmaps.basins.sharpness.sharpness_along`, one per step size.
    loss : bool, keyword-only
        Add a panel with the loss above (log scale).
    axes : Axes or pair of Axes, keyword-only
        Where to draw (the sharpness axes last).
    style : {"page", "column"}, keyword-only
        The figure style (default: the current one).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> from gdmaps.basins.sharpness import sharpness_along
    >>> a, b = sp.symbols("a b")
    >>> gd = GDMap((a*b - 1)**2 / 2, [a, b])
    >>> runs = [sharpness_along(gd, [[0.2, 3.0]], 60, eta=e) for e in (0.3, 0.45)]
    >>> fig = plot_sharpness(runs)
    >>> len(fig.axes)
    2

    Notes
    -----
    Thin lines are single orbits, the thick line their median. A GD orbit that converges
    ends below its dashed line (a minimum with lambda_max > 2/eta is linearly unstable);
    Cohen et al. (2021) observed that on networks the sharpness first rises (progressive
    sharpening) and then hovers at 2/eta (the edge of stability) while the loss keeps
    falling, non-monotonically.
    """
    runs = [results] if not isinstance(results, (list, tuple)) else list(results)
    for r in runs:
        if not hasattr(r, "sharpness") or not hasattr(r, "threshold"):
            raise InvalidTypeError(f"results must be Sharpness results (gdmaps.basins.sharpness"
                                   f".sharpness_along), got {type(r).__name__}")
    if axes is None:
        fig, _ = new_axes(nrows=2 if loss else 1, sharex=True,
                          figsize=(4.8, 4.4) if loss else (4.8, 3.0),
                          **({"gridspec_kw": {"height_ratios": [1, 1.6]}} if loss else {}))
        axs = fig.axes
    else:
        axs = list(axes) if isinstance(axes, (list, tuple, np.ndarray)) else [axes]
        fig = axs[0].figure
    ax = axs[-1]
    ax_loss = axs[0] if loss and len(axs) > 1 else None
    for k, r in enumerate(sorted(runs, key=lambda r: -r.eta)):
        color = f"C{k % 10}"
        steps = r.steps
        for j in range(r.starts):
            ax.plot(steps, r.sharpness[:, j], color=color, lw=0.5, alpha=0.35)
        with np.errstate(all="ignore"):
            med = np.nanmedian(r.sharpness, axis=1) if r.starts > 1 else r.sharpness[:, 0]
        ax.plot(steps, med, color=color, lw=1.4, label=rf"$\eta = {r.eta:.3g}$")
        ax.axhline(r.threshold, color=color, ls="--", lw=1)
        ax.annotate(rf"$2/\eta = {r.threshold:.3g}$", (steps[-1], r.threshold), color=color,
                    xytext=(-2, 2), textcoords="offset points", ha="right", va="bottom", fontsize="small")
        if ax_loss is not None:
            with np.errstate(all="ignore"):
                lmed = np.nanmedian(r.loss, axis=1) if r.starts > 1 else r.loss[:, 0]
            ax_loss.plot(steps, lmed, color=color, lw=1.2)
    ax.set_xlabel("step")
    ax.set_ylabel(r"sharpness $\lambda_{\max}(H)$")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="lower right")
    if ax_loss is not None:
        ax_loss.set_yscale("log")
        ax_loss.set_ylabel("loss")
    return fig
