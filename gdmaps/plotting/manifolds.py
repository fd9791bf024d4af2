"""Stable manifolds of saddles of 2-D maps, drawn from a StableManifold result."""

from __future__ import annotations

import numpy as np

from gdmaps.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.plotting.figures import new_axes

__all__ = ["plot_stable_manifold"]


def plot_stable_manifold(result, *, ax=None, labels=("x", "y"), title=None):
    """Draw the branches of a stable manifold of a 2-D map and its saddle.

    Parameters
    ----------
    result : StableManifold
        The output of :func:`gdmaps.stable_manifold.stable_manifold` for a 2-D map.
    ax : matplotlib Axes, optional, keyword-only
        Draw into these axes; a new gdmaps-style figure otherwise.
    labels : (str, str), keyword-only
        Axis labels.
    title : str, optional, keyword-only
        Axes title.

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> from gdmaps.maps.classic import henon
    >>> from gdmaps.stable_manifold import stable_manifold
    >>> W = stable_manifold(henon(), [0.6313544770895048, 0.18940634312685142], steps=3)
    >>> fig = plot_stable_manifold(W)
    >>> len(fig.axes[0].lines)
    2
    """
    if not hasattr(result, "branches") or not hasattr(result, "point"):
        raise InvalidTypeError(f"result must be a StableManifold, got {type(result).__name__}")
    p = np.asarray(result.point, dtype=float)
    if p.shape != (2,):
        raise InvalidArgumentError(
            f"plot_stable_manifold draws 2-D maps only, got a point of dimension {p.size}")
    fig, ax = new_axes(ax)
    for i, br in enumerate(result.branches):
        br = np.asarray(br, dtype=float).reshape(-1, 2)
        if result.dimension == 1:  # an ordered curve leaving the saddle
            pts = np.vstack([p, br])
            ax.plot(pts[:, 0], pts[:, 1], "-", color="C0", lw=0.8,
                    label="stable manifold" if i == 0 else None)
        else:  # dimension 2 in the plane: scattered backward images
            ax.scatter(br[:, 0], br[:, 1], s=2, color="C0", label="stable manifold" if i == 0 else None)
    ax.scatter([p[0]], [p[1]], marker="X", s=40, color="C3", zorder=3, label="saddle")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    return fig
