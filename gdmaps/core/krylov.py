"""Extreme eigenvalues of batches of symmetric operators from matrix-vector products.

Two batched methods on a ``matvec`` that maps ``(N, d)`` vectors to ``(N, d)`` (row k
multiplied by the k-th operator, for instance a Hessian-vector product at the k-th point):
Lanczos (:func:`lanczos`) and power iteration (:func:`power_top`). They serve the
stability check of :func:`gdmaps.spectral_radii` and the sharpness of
:mod:`gdmaps.basins.sharpness`.
"""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import InvalidArgumentError, check_int, check_positive_finite

__all__ = ["lanczos", "power_top"]

#: Lanczos keeps its basis (for the top Ritz vector) only while it holds at most this many floats.
BASIS_FLOATS = 50_000_000


def _unit(v):
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(n > 0, n, 1.0)


def _start(v0, shape, rng):
    if v0 is None:
        return _unit(rng.standard_normal(shape))
    v = np.array(v0, dtype=float, copy=True)
    if v.shape != shape:
        raise InvalidArgumentError(f"v0 must have shape {shape}, got {v.shape}")
    bad = ~(np.isfinite(v).all(axis=1) & (np.linalg.norm(v, axis=1) > 0))
    if bad.any():  # a lost start (a zero vector, a NaN) is replaced by a random one
        v[bad] = rng.standard_normal((int(bad.sum()), shape[1]))
    return _unit(v)


def lanczos(matvec, n, d, k, *, seed=0, v0=None, vectors=False):
    """Smallest and largest Ritz values of ``k`` Lanczos steps on each of ``n`` operators.

    Parameters
    ----------
    matvec : callable
        ``V (n, d) -> (n, d)``: row k is the k-th symmetric operator applied to ``V[k]``.
    n, d : int
        Number of operators and their dimension.
    k : int
        Lanczos steps, at most ``d``.
    seed : int, keyword-only
        The random start vectors (and restarts after a breakdown).
    v0 : array (n, d), keyword-only
        Start vectors instead of random ones (a warm start: the top eigenvector of a nearby
        operator); zero or non-finite rows are replaced by random ones.
    vectors : bool, keyword-only
        Also return the unit Ritz vector of the largest Ritz value, ``(n, d)`` (keeps the
        basis: ``n * k * d`` floats).

    Returns
    -------
    lo, hi : ndarray (n,)
        nan where a product was not finite.
    top : ndarray (n, d)
        Only with ``vectors=True``.

    Examples
    --------
    >>> H = np.array([[[2.0, 1.0], [1.0, 2.0]], [[0.0, 0.0], [0.0, -3.0]]])
    >>> lo, hi = lanczos(lambda V: np.einsum("nij,nj->ni", H, V), 2, 2, 2)
    >>> np.round(lo, 12).tolist(), np.round(hi, 12).tolist()
    ([1.0, -3.0], [3.0, 0.0])

    Notes
    -----
    Plain three-term Lanczos with one reorthogonalization against the current vector: lost
    orthogonality only repeats converged Ritz values, which stay inside the spectrum (Paige
    1980), so ``lo`` and ``hi`` are bounds that converge from inside. A breakdown (an
    invariant subspace) restarts with a fresh random vector and a zero off-diagonal.
    """
    rng = np.random.default_rng(seed)
    v = _start(v0, (n, d), rng)
    keep = vectors and n * k * d <= BASIS_FLOATS
    basis = [v] if keep else None
    v_old = np.zeros_like(v)
    alpha, beta = np.zeros((n, k)), np.zeros((n, k))
    b_prev = np.zeros(n)
    for j in range(k):
        w = matvec(v)
        a = np.einsum("np,np->n", w, v)
        w = w - a[:, None] * v - b_prev[:, None] * v_old
        # one step of reorthogonalization against the current vector keeps T honest
        w -= np.einsum("np,np->n", w, v)[:, None] * v
        alpha[:, j] = a
        b = np.linalg.norm(w, axis=1)
        scale = np.maximum(np.abs(alpha[:, :j + 1]).max(axis=1), 1e-300)
        broke = ~(b > 1e-10 * scale)
        if j + 1 < k:
            if broke.any():
                r = rng.standard_normal((int(broke.sum()), d))
                r -= np.einsum("np,np->n", r, v[broke])[:, None] * v[broke]
                w[broke] = r
                b[broke] = 0.0
            nw = np.linalg.norm(w, axis=1, keepdims=True)
            v_old, v = v, w / np.where(nw > 0, nw, 1.0)
            if keep:
                basis.append(v)
        beta[:, j] = b
        b_prev = b
    T = np.zeros((n, k, k))
    i = np.arange(k)
    T[:, i, i] = alpha
    T[:, i[1:], i[:-1]] = beta[:, :-1]
    T[:, i[:-1], i[1:]] = beta[:, :-1]
    ok = np.isfinite(T).all(axis=(1, 2))
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    top = np.full((n, d), np.nan)
    if ok.any():
        if vectors:
            theta, S = np.linalg.eigh(T[ok])
            if keep:
                top[ok] = _unit(np.einsum("jnp,nj->np", np.stack(basis)[:, ok], S[:, :, -1]))
        else:
            theta = np.linalg.eigvalsh(T[ok])
        lo[ok], hi[ok] = theta[:, 0], theta[:, -1]
    return (lo, hi, top) if vectors else (lo, hi)


def power_top(matvec, n, d, *, iterations=500, rtol=1e-10, seed=0, v0=None):
    """The largest eigenvalue (not the largest modulus) of each of ``n`` symmetric operators.

    Parameters
    ----------
    matvec, n, d, seed, v0
        As in :func:`lanczos`.
    iterations : int, keyword-only
        At most this many products per phase.
    rtol : float, keyword-only
        A point stops when its Rayleigh quotient moves by at most ``rtol`` times its norm
        estimate between two products.

    Returns
    -------
    top : ndarray (n,)
        The estimate of lambda_max; nan where a product was not finite.
    vector : ndarray (n, d)
        Its unit vector.

    Examples
    --------
    >>> H = np.array([[[2.0, 1.0], [1.0, 2.0]], [[-5.0, 0.0], [0.0, 1.0]]])
    >>> top, _ = power_top(lambda V: np.einsum("nij,nj->ni", H, V), 2, 2)
    >>> np.round(top, 8)  # the second has |-5| > 1, but lambda_max = 1
    array([3., 1.])

    Notes
    -----
    Phase 1 iterates ``v <- Hv / ||Hv||``: ``||Hv||`` tends to rho = max |lambda_i| and the
    Rayleigh quotient ``v.Hv`` to lambda_max where the dominant eigenvalue is positive.
    Where it is not (``v.Hv < ||Hv|| (1 - 1e-6)``), phase 2 iterates the shifted operator
    ``H + rho I``, whose eigenvalues lie in [0, 2 rho] with lambda_max + rho on top.
    Power iteration converges like (lambda_2 / lambda_1)^t: Lanczos is faster for the same
    number of products (see :func:`lanczos`).
    """
    iterations = check_int("iterations", iterations, minimum=1)
    rtol = check_positive_finite("rtol", rtol)
    rng = np.random.default_rng(seed)
    v = _start(v0, (n, d), rng)
    rq, norm, v = _power(matvec, v, np.zeros(n), iterations, rtol)
    top = rq.copy()
    negative = ~(rq >= norm * (1 - 1e-6))
    negative &= np.isfinite(norm)
    if negative.any():
        idx = np.flatnonzero(negative)
        shift = norm[idx]

        def shifted(V, idx=idx, shift=shift):
            full = np.zeros((n, d))
            full[idx] = V
            return matvec(full)[idx] + shift[:, None] * V  # rows off idx are zero vectors

        w = _start(None, (len(idx), d), rng)
        rq2, _, w = _power(shifted, w, np.zeros(len(idx)), iterations, rtol)
        top[idx] = rq2 - shift
        v[idx] = w
    return top, v


def _power(matvec, v, rq, iterations, rtol):
    n = len(v)
    active = np.ones(n, dtype=bool)
    norm = np.zeros(n)
    for _ in range(iterations):
        if not active.any():
            break
        w = matvec(v)  # every row: a product costs the batch anyway; finished rows stay put
        new = np.einsum("np,np->n", w, v)
        nw = np.linalg.norm(w, axis=1)
        bad = ~np.isfinite(nw)
        done = np.abs(new - rq) <= rtol * np.maximum(nw, 1e-300)
        upd = active
        rq[upd], norm[upd] = new[upd], nw[upd]
        v[upd] = w[upd] / np.where(nw[upd] > 0, nw[upd], 1.0)[:, None]
        rq[upd & bad], norm[upd & bad] = np.nan, np.nan
        v[upd & bad] = 0.0
        active &= ~(done | bad | (nw == 0))
    return rq, norm, v
