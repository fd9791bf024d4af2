"""Stable and unstable manifolds of saddles of 2-D maps, drawn from their results."""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.plotting.figures import new_axes

__all__ = ["plot_manifolds", "plot_stable_manifold", "MANIFOLD_COLORS"]

#: Colour of each kind of manifold: stable blue, unstable red (matplotlib's C0 and C3).
MANIFOLD_COLORS = {"stable": "C0", "unstable": "C3"}


def plot_manifolds(*results, ax=None, labels=("x", "y"), title=None):
    """Draw stable and unstable manifolds of saddles of a 2-D map, each kind in its colour.

    Parameters
    ----------
    *results : StableManifold or UnstableManifold
        Outputs of :func:`gdmaps.orbits.stable_manifold.stable_manifold` and
        :func:`gdmaps.orbits.unstable_manifold.unstable_manifold` for a 2-D map, in any number
        and order (e.g. both manifolds of each saddle).
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
    >>> from gdmaps.orbits.stable_manifold import stable_manifold
    >>> from gdmaps.orbits.unstable_manifold import unstable_manifold
    >>> p = [0.6313544770895048, 0.18940634312685142]
    >>> m = henon()
    >>> fig = plot_manifolds(stable_manifold(m, p, steps=3), unstable_manifold(m, p, length=2))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['stable manifold', 'unstable manifold', 'saddle']

    Notes
    -----
    One-dimensional branches are drawn as curves from their saddle (stable blue, unstable
    red), higher-dimensional ones as scattered points; each kind is labelled once in the
    legend, and the saddles (every point of a periodic saddle orbit) are black crosses.
    """
    if not results:
        raise InvalidArgumentError("plot_manifolds needs at least one StableManifold or UnstableManifold")
    for r in results:
        if not hasattr(r, "branches") or not hasattr(r, "point"):
            raise InvalidTypeError(f"each result must be a StableManifold or UnstableManifold, got"
                                   f" {type(r).__name__}")
        if np.asarray(r.point).shape != (2,):
            raise InvalidArgumentError(f"plot_manifolds draws 2-D maps only, got a point of dimension"
                                       f" {np.asarray(r.point).size}")
    fig, ax = new_axes(ax)
    labelled, saddles = set(), []
    for r in results:
        kind = getattr(r, "kind", "stable")
        color = MANIFOLD_COLORS.get(kind, "C2")
        orbit = np.atleast_2d(r.point if getattr(r, "orbit", None) is None else r.orbit).astype(float)
        anchors = tuple(getattr(r, "anchors", ())) or (0,) * len(r.branches)
        for br, j in zip(r.branches, anchors):
            br = np.asarray(br, dtype=float).reshape(-1, 2)
            label = None if kind in labelled else f"{kind} manifold"
            labelled.add(kind)
            if r.dimension == 1:  # an ordered curve leaving the saddle
                pts = np.vstack([orbit[j], br])
                ax.plot(pts[:, 0], pts[:, 1], "-", color=color, lw=0.8, label=label)
            else:  # dimension 2 in the plane: scattered images
                ax.scatter(br[:, 0], br[:, 1], s=2, color=color, label=label)
        saddles.append(orbit)
    S = np.unique(np.vstack(saddles).round(12), axis=0)
    periodic = any(getattr(r, "period", 1) > 1 for r in results)
    ax.scatter(S[:, 0], S[:, 1], marker="X", s=40, color="k", zorder=3,
               label="saddle orbit" if periodic else "saddle" if len(S) == 1 else "saddles")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    return fig


def plot_stable_manifold(result, *, ax=None, labels=("x", "y"), title=None):
    """Draw one manifold result (stable or unstable) of a 2-D map and its saddle.

    Kept for one result; :func:`plot_manifolds` draws several, each kind in its colour.

    Parameters
    ----------
    result : StableManifold or UnstableManifold
    ax, labels, title : keyword-only
        As for :func:`plot_manifolds`.

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> from gdmaps.maps.classic import henon
    >>> from gdmaps.orbits.stable_manifold import stable_manifold
    >>> W = stable_manifold(henon(), [0.6313544770895048, 0.18940634312685142], steps=3)
    >>> fig = plot_stable_manifold(W)
    >>> len(fig.axes[0].lines)
    2
    """
    if not hasattr(result, "branches") or not hasattr(result, "point"):
        raise InvalidTypeError(f"result must be a StableManifold, got {type(result).__name__}")
    return plot_manifolds(result, ax=ax, labels=labels, title=title)
