"""Fixed points and periodic orbits drawn over a cloud of trajectory points."""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import InvalidArgumentError
from gdmaps.plotting.figures import new_axes, styled
from gdmaps.core.stability import Kind

__all__ = ["plot_orbits", "MARKERS"]

#: Marker per stability class: filled for attracting, open for repelling.
MARKERS = {
    Kind.ATTRACTING: dict(marker="o", facecolors="C{}", label="attracting"),
    Kind.REPELLING: dict(marker="s", facecolors="none", label="repelling"),
    Kind.SADDLE: dict(marker="X", facecolors="C{}", label="saddle"),
    Kind.NON_HYPERBOLIC: dict(marker="D", facecolors="none", label="non-hyperbolic"),
}


def _orbits_of(results):
    out = []
    for r in results if isinstance(results, (list, tuple)) else [results]:
        if hasattr(r, "orbits"):
            out += list(r.orbits)
        elif hasattr(r, "points") and isinstance(r.points, tuple):
            out += list(r.points)
        else:
            out.append(r)
    return out


def _cloud_points(cloud):
    """Points of the bounded orbits after a transient (a tenth of the run)."""
    traj = getattr(cloud, "trajectory", None)
    if hasattr(cloud, "fate"):
        if traj is None:
            raise InvalidArgumentError("cloud must be an IterationResult with a trajectory"
                                       " (keep_trajectory=True) or an (M, 2) array")
        traj = traj[len(traj) // 10:, cloud.fate != 2]
    else:
        traj = cloud
    pts = np.asarray(traj, dtype=float).reshape(-1, 2)
    return pts[np.isfinite(pts).all(1)]


@styled
def plot_orbits(orbits, *, cloud=None, ax=None, labels=("x", "y"), title=None):
    """Draw orbits of a 2-D map, marker by stability, colour by period, over a cloud.

    Parameters
    ----------
    orbits : Orbit, FixedPoints, PeriodicOrbits, or a list of them
    cloud : IterationResult with a trajectory, or array (M, 2), keyword-only
        Background points, e.g. an attractor.
    ax : matplotlib Axes, keyword-only
        Draw there; by default a new figure.
    style : {"page", "column"}, keyword-only
        The figure style (default: the current one, "page" unless inside
        ``gdmaps.plotting.style(...)``).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from gdmaps import iterate
    >>> from gdmaps.maps import henon
    >>> from gdmaps.orbits.fixed_points import fixed_points
    >>> run = iterate(henon(), np.zeros((1, 2)), 2000, keep_trajectory=True)
    >>> fig = plot_orbits(fixed_points(henon()), cloud=run)
    >>> len(fig.axes[0].collections)  # the cloud and the two saddles
    3
    """
    fig, ax = new_axes(ax)
    if cloud is not None:
        pts = _cloud_points(cloud)
        ax.scatter(pts[:, 0], pts[:, 1], s=0.3, c="0.6", lw=0, rasterized=True, zorder=1)
    seen = set()
    for orb in _orbits_of(orbits):
        P = np.asarray(orb.points, dtype=float)
        if P.shape[1] != 2:
            raise InvalidArgumentError(f"plot_orbits draws 2-D maps; this orbit has dimension {P.shape[1]}")
        style = dict(MARKERS[orb.stability.kind])
        color = f"C{(orb.period - 1) % 10}"
        fc = style.pop("facecolors")
        label = f"period {orb.period}, {style.pop('label')}"
        ax.scatter(P[:, 0], P[:, 1], s=28, edgecolors=color, linewidths=1.1,
                   facecolors=color if fc != "none" else "none", zorder=3,
                   label=None if label in seen else label, **style)
        seen.add(label)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if title:
        ax.set_title(title)
    if seen:
        ax.legend(loc="best", frameon=False)
    return fig
