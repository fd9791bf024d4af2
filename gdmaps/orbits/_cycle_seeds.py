"""Seeds for the p-cycle equations: pseudo-orbits ``(n, p, d)`` and starting points ``(n, d)``.

Every source is generic, none tuned to an expected answer: close returns of
trajectories (the attractor), random points of the box, and orbits of other
periods, shifted or spliced (Davidchack & Lai, Phys. Rev. E 60, 6172, 1999).
"""

from __future__ import annotations

import numpy as np

from gdmaps.orbits._shooting import _step

__all__ = ["iterate_points", "trajectories", "close_returns", "region_seeds", "shift_seeds",
           "splice_seeds", "sample_points"]


def iterate_points(num, x, p, dom):
    """The pseudo-orbits ``(n, p, d)`` x, f(x), ..., f^{p-1}(x) of points ``(n, d)``."""
    X = np.empty((len(x), p, x.shape[1]))
    X[:, 0] = x
    with np.errstate(all="ignore"):
        for k in range(1, p):
            X[:, k] = dom.reduce(_step(num, X[:, k - 1]))
    return X


def trajectories(num, dom, rng, n_points, *, n_traj=128, transient=64):
    """Iterates ``(T, n_traj, d)`` of random starts in the box, after a transient.

    Points after an orbit leaves the grown box are NaN.
    """
    d = len(dom.low)
    T = max(1, n_points // n_traj)
    x = rng.uniform(dom.low, dom.high, size=(n_traj, d))
    out = np.empty((T, n_traj, d))
    lo, hi = dom.low - dom.width, dom.high + dom.width   # dom.near, for points
    with np.errstate(all="ignore"):
        for t in range(transient + T):
            if t >= transient:
                out[t - transient] = x
            x = dom.reduce(_step(num, x))
            far = ~((x >= lo) & (x <= hi)).all(axis=1)   # NaN compares False: far
            if far.any():
                x[far] = np.nan
    return out


def close_returns(traj, p, n, dom):
    """The ``n`` windows x_t ... x_{t+p-1} of the trajectories that come back closest.

    Distance ||x_{t+p} - x_t|| is measured in units of the box width. One window
    per block of ``p`` consecutive starts is kept, so a trajectory lingering near
    one orbit does not fill the whole budget.
    """
    T, m, d = traj.shape
    if T <= p:
        return np.zeros((0, p, d))
    diff = np.abs(dom.wrap(traj[p:] - traj[:-p]) / dom.width)
    gap = diff[..., 0].copy()                            # (T - p, m): max over the coordinates
    for c in range(1, d):
        np.maximum(gap, diff[..., c], out=gap)           # NaN propagates, as with .max
    gap = np.where(np.isfinite(gap), gap, np.inf)
    B = max(p, 2)
    nb = (T - p) // B
    if nb == 0:
        return np.zeros((0, p, d))
    blocks = gap[: nb * B].reshape(nb, B, m)
    first = blocks.argmin(axis=1)                      # (nb, m) offset in the block
    best = np.take_along_axis(blocks, first[:, None], axis=1)[:, 0]
    flat = best.ravel()
    order = np.argpartition(flat, n)[:n] if n < flat.size else np.arange(flat.size)
    order = order[np.argsort(flat[order])]             # the n closest returns, closest first
    order = order[np.isfinite(best.ravel()[order])]
    blk, traj_i = np.unravel_index(order, best.shape)
    t0 = blk * B + first[blk, traj_i]
    X = traj[t0[:, None] + np.arange(p), traj_i[:, None]]   # (n, p, d)
    return X[np.isfinite(X).all(axis=(1, 2))]


def region_seeds(num, dom, rng, n, p):
    """Uniform random points of the box, iterated into pseudo-orbits clipped to the box."""
    x = rng.uniform(dom.low, dom.high, size=(n, len(dom.low)))
    X = iterate_points(num, x, p, dom)
    X = np.where(np.isfinite(X), X, rng.uniform(dom.low, dom.high, size=X.shape))
    return np.clip(X, dom.low, dom.high)


def shift_seeds(orbits, p):
    """Pseudo-orbits of length p read cyclically off orbits of another period q.

    From every start point: for q = p - 1 the orbit with one point repeated, for
    q = p + 1 the orbit with one point left out (Davidchack & Lai's neighbours).

    Examples
    --------
    >>> O = np.array([[[0.0], [1.0], [2.0]]])   # one 3-cycle in 1-D
    >>> shift_seeds(O, 2)[:, :, 0]
    array([[0., 1.],
           [1., 2.],
           [2., 0.]])
    """
    out = []
    for O in orbits:
        q = len(O)
        idx = (np.arange(q)[:, None] + np.arange(p)) % q
        out.append(O[idx])
    return np.concatenate(out) if out else None


def splice_seeds(group_a, group_b, p, dom):
    """Pseudo-orbits of length p = a + b gluing each orbit of period a to each of period b.

    Each pair is cut where its orbits come closest: follow A from the point after
    the closest one, all the way round, then B likewise. Orbits of a horseshoe
    shadow such concatenations of shorter ones.
    """
    A, B = np.asarray(group_a), np.asarray(group_b)
    if len(A) == 0 or len(B) == 0:
        return None
    a, b = A.shape[1], B.shape[1]
    dist = np.abs(dom.wrap(A[:, None, :, None] - B[None, :, None, :]) / dom.width).max(axis=-1)
    flat = dist.reshape(len(A), len(B), a * b).argmin(axis=-1)
    i, j = np.divmod(flat, b)                                     # (nA, nB)
    ia, ib = np.meshgrid(np.arange(len(A)), np.arange(len(B)), indexing="ij")
    if a == b:  # each unordered pair once, and no orbit glued to itself
        keep = ia < ib
        ia, ib, i, j = ia[keep], ib[keep], i[keep], j[keep]
    ia, ib, i, j = ia.ravel(), ib.ravel(), i.ravel(), j.ravel()
    partA = A[ia[:, None], (i[:, None] + 1 + np.arange(a)) % a]
    partB = B[ib[:, None], (j[:, None] + 1 + np.arange(b)) % b]
    return np.concatenate([partA, partB], axis=1)


def sample_points(traj, rng, n, dom):
    """Up to ``n`` finite points of the trajectories, drawn without replacement."""
    d = dom.low.size
    if traj is None:
        return np.zeros((0, d))
    pts = traj.reshape(-1, d)
    pts = pts[np.isfinite(pts).all(axis=1)]
    return pts[rng.choice(len(pts), size=min(n, len(pts)), replace=False)]
