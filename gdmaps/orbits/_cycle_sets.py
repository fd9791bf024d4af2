"""Which solutions of the p-cycle equations are orbits: prime period, one copy each.

A batch of cycles is ``(N, p, d)``; distances are measured coordinate-wise in
units of the box width (:class:`gdmaps.orbits._shooting.Domain`), modulo the periods
of angle coordinates.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["prime_mask", "canonical", "merge"]


def prime_mask(X, dom, tol):
    """False for cycles that close up earlier: x_q = x_0 for a proper divisor q of p.

    ``tol`` is a number or one per cycle, in box widths.

    Examples
    --------
    >>> from gdmaps.orbits._shooting import Domain
    >>> dom = Domain(np.zeros(1), np.ones(1), np.zeros(1))
    >>> X = np.array([[[0.2], [0.7], [0.2], [0.7]], [[0.1], [0.2], [0.3], [0.4]]])
    >>> prime_mask(X, dom, 1e-8)      # the first is a 2-cycle traversed twice
    array([False,  True])
    """
    N, p, d = X.shape
    keep = np.ones(N, bool)
    for q in range(1, p):
        if p % q == 0:
            keep &= np.abs(dom.wrap(X[:, q] - X[:, 0]) / dom.width).max(axis=-1) > tol
    return keep


def canonical(X, dom, tol):
    """Each cycle rotated to start at its lexicographically smallest point.

    Coordinates are compared on a grid of spacing ``tol`` box widths so that
    rounding noise between two copies of one orbit rarely changes the order.
    """
    N, p, d = X.shape
    keys = np.floor((X - dom.low) / (tol * dom.width)).astype(np.int64)
    flat = keys.reshape(N * p, d)
    order = np.lexsort([flat[:, c] for c in range(d - 1, -1, -1)] + [np.repeat(np.arange(N), p)])
    start = order[::p] - np.arange(N) * p
    return X[np.arange(N)[:, None], (start[:, None] + np.arange(p)) % p]


def merge(X, res, dom, tol, radius=None):
    """Distinct cycles among candidates ``(N, p, d)``: one per orbit, the best residual.

    Two candidates are the same orbit when one is a cyclic shift of the other,
    point by point within ``tol`` box widths, or within the larger of their
    ``radius`` (one per candidate, e.g. an error estimate). Returns the indices
    of the kept candidates and the kept cycles ``X``, sorted lexicographically,
    every cycle in canonical rotation.
    """
    N, p, d = X.shape
    idx = np.arange(N)
    if N == 0:
        return idx, X
    radius = np.full(N, tol) if radius is None else np.maximum(radius, tol)
    X = canonical(X, dom, tol)
    # exact copies up to the grid: one np.unique
    keys = np.floor((X - dom.low) / (tol * dom.width)).astype(np.int64).reshape(N, -1)
    best = np.lexsort((res,))
    _, first = np.unique(keys[best], axis=0, return_index=True)
    keep = best[first]
    X, res, radius, idx = X[keep], res[keep], radius[keep], idx[keep]
    # near copies that straddle a grid line: match every point of every cycle
    M = len(X)
    scaled = (X - dom.low) / dom.width                       # box units
    box = np.where(dom.period > 0, dom.period / dom.width, 0.0)
    pts = scaled.reshape(M * p, d)
    if box.any():
        pts = np.where(box > 0, np.mod(pts, np.where(box > 0, box, 1.0)), pts)
    tree = cKDTree(pts, boxsize=box if box.any() else None)
    parent = np.arange(M)

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hits = tree.query_ball_point(pts[::p], r=radius, p=np.inf)
    for i, cand in enumerate(hits):
        for h in cand:
            j, s = divmod(h, p)
            if j == i or root(i) == root(j):
                continue
            shifted = np.roll(X[j], -s, axis=0)
            if np.abs(dom.wrap(shifted - X[i]) / dom.width).max() <= max(radius[i], radius[j]):
                ri, rj = root(i), root(j)
                parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([root(i) for i in range(M)])
    by_root = np.lexsort((res, roots))                 # each root's members, best residual first
    reps = by_root[np.unique(roots[by_root], return_index=True)[1]]
    X, idx = X[reps], idx[reps]
    order = np.lexsort([X[:, 0, c] for c in range(d - 1, -1, -1)])
    return idx[order], X[order]
