"""The numerical engine of :mod:`gdmaps.orbits.periodic_orbits`: arrays in, arrays out.

A batch of pseudo-orbits is an array ``X`` of shape ``(N, p, d)``: ``X[:, k]`` is
the point x_k of every candidate. The p-cycle equations are

    F_k(X) = f(x_k) - x_{k+1 mod p} = 0,        k = 0, ..., p - 1,

solved by multiple-shooting Newton (:func:`newton`), or, on g = f^p - id, by the
Davidchack-Lai iteration (:func:`davidchack_lai`). Seeds are built in
:mod:`gdmaps.orbits._cycle_seeds`, solutions sorted out in :mod:`gdmaps.orbits._cycle_sets`,
and user input validated in :mod:`gdmaps.orbits._periodic_search`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from gdmaps.core.newton import backtrack

__all__ = ["Domain", "newton", "newton_step", "newton_error", "davidchack_lai", "davidchack_lai_ordered",
           "stabilizing_matrices"]


@dataclass(frozen=True, eq=False)
class Domain:
    """The search box, and the coordinates that are angles (taken modulo a period)."""

    low: np.ndarray     # (d,)
    high: np.ndarray    # (d,)
    period: np.ndarray  # (d,); 0 where the coordinate is not periodic

    @property
    def width(self) -> np.ndarray:
        return self.high - self.low

    def wrap(self, D):
        """Differences taken to the nearest representative modulo the periods."""
        if not self.period.any():
            return D
        L = self.period
        return np.where(L > 0, D - L * np.round(D / np.where(L > 0, L, 1.0)), D)

    def reduce(self, X):
        """Points moved into ``[low, low + period)`` along the periodic coordinates."""
        if not self.period.any():
            return X
        L = self.period
        return np.where(L > 0, self.low + np.mod(X - self.low, np.where(L > 0, L, 1.0)), X)

    def inside(self, X, *, slack=1e-9):
        """True for the rows (..., p, d) whose every point lies in the box (closed, with slack)."""
        pad = slack * self.width
        ok = (X >= self.low - pad) & (X <= self.high + pad)
        return ok.all(axis=(-2, -1))

    def near(self, X):
        """Loose bound for iterates in flight: the box grown by its width on every side."""
        # the bounds are finite, so NaN and inf fail a comparison: no separate isfinite
        ok = (X >= self.low - self.width) & (X <= self.high + self.width)
        return ok.reshape(ok.shape[:-2] + (ok.shape[-2] * ok.shape[-1],)).all(axis=-1)


# -- evaluation without per-call checks ---------------------------------------------


def _fast(num):
    """The compiled row functions of ``num`` (a Numeric), or None when it has no kernel."""
    kernel = num.kernel
    if kernel is None:
        return None
    return kernel.rows, kernel.jacobian_rows, num.values


def _rows_out(rows, n):
    out = np.empty((n, len(rows)))
    for i, r in enumerate(rows):
        out[:, i] = r
    return out


def _step(num, x):
    """f on a batch ``(n, d)``, without the checks and copies of ``num.step``."""
    fast = _fast(num)
    if fast is None or x.ndim != 2:
        return num.step(x)
    with np.errstate(all="ignore"):
        return _rows_out(fast[0](*x.T, *fast[2]), len(x))


def _jac(num, x):
    """Df on a batch ``(n, d) -> (n, d, d)``."""
    fast = _fast(num)
    if fast is None or x.ndim != 2:
        return num.jacobian(x)
    n, d = x.shape
    with np.errstate(all="ignore"):
        return _rows_out(fast[1](*x.T, *fast[2]), n).reshape(n, d, d)


# -- multiple shooting ---------------------------------------------------------------


def _residual(num, X, dom):
    N, p, d = X.shape
    FX = _step(num, X.reshape(N * p, d)).reshape(N, p, d)
    FX[:, :-1] -= X[:, 1:]
    FX[:, -1] -= X[:, 0]
    return dom.wrap(FX)


def _size(F):
    """max_k ||F_k||: the residual of an orbit, as reported by :class:`gdmaps.Orbit`."""
    return np.sqrt(_sq(F).max(axis=-1))


def _sq(F):
    """||F||^2 along the last axis; a sum of slices (a reduction over a short axis is slow)."""
    acc = F[..., 0] * F[..., 0]
    for i in range(1, F.shape[-1]):
        acc += F[..., i] * F[..., i]
    return acc


def _solve(A, b):
    """Batched ``A x = b``; least squares for the (rare) exactly singular systems.

    Row by row: each row's answer depends on its own system alone, never on the others in
    the batch (so a batch cut into chunks, as on a cluster, gives the same rows).
    """
    if A.shape[-1] != 2:
        return _solve_general(A, b)
    a, c, e, f = A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1]
    det = a * f - c * e
    out = np.empty_like(b)  # Cramer's rule; NaN counts as nonzero: its row comes out NaN, as from LAPACK
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 0] = (f * b[:, 0] - c * b[:, 1]) / det
        out[:, 1] = (a * b[:, 1] - e * b[:, 0]) / det
    sing = det == 0
    if sing.any():
        out[sing] = _solve_general(A[sing], b[sing])
    return out


def _solve_general(A, b):
    """LAPACK's solve; the systems it finds singular by least squares (pseudo-inverse), each alone."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.empty_like(b)
        for i in range(len(A)):
            try:
                out[i] = np.linalg.solve(A[i], b[i])
            except np.linalg.LinAlgError:
                out[i] = np.linalg.pinv(A[i]) @ b[i]
        return out


def newton_step(F, J):
    """The Newton step of the p-cycle system, reduced to one d x d solve per candidate.

    The step solves J_k dx_k - dx_{k+1} = -F_k, i.e. dx_{k+1} = J_k dx_k + F_k
    around the cycle. Writing dx_k = A_k dx_0 + b_k (A_0 = I, b_0 = 0), the
    closing condition dx_p = dx_0 is the d x d system (I - A_p) dx_0 = b_p with
    A_p = J_{p-1} ... J_0 the monodromy matrix: the Schur complement of the
    block-cyclic Jacobian. Errors of the forward sweep are relative to dx, so
    Newton's convergence and final accuracy are kept while |A_k| stays far below
    1/eps.

    Examples
    --------
    A linear map f(x) = 2x + 1 has the fixed point -1; one step reaches it.

    >>> F = np.array([[[2 * 0.5 + 1 - 0.5]]])        # x_0 = 0.5, F_0 = f(x_0) - x_0
    >>> J = np.array([[[[2.0]]]])
    >>> float(0.5 + newton_step(F, J)[0, 0, 0])
    -1.0
    """
    N, p, d = F.shape
    A = np.broadcast_to(np.eye(d), (N, d, d))
    b = np.zeros((N, d))
    As, bs = [A], [b]
    for k in range(p - 1):
        A = J[:, k] @ A
        b = _mv(J[:, k], b) + F[:, k]
        As.append(A)
        bs.append(b)
    Ap = J[:, p - 1] @ A
    bp = _mv(J[:, p - 1], b) + F[:, p - 1]
    d0 = _solve(np.eye(d) - Ap, bp)
    out = np.empty((N, p, d))
    for k, (Ak, bk) in enumerate(zip(As, bs)):
        out[:, k] = _mv(Ak, d0) + bk
    return out


def _mv(A, x):
    """Batched matrix-vector products ``(n, d, d) x (n, d)``, summed column by column."""
    if A.shape[-1] > 4:
        return np.einsum("nij,nj->ni", A, x)
    acc = A[:, :, 0] * x[:, None, 0]
    for j in range(1, A.shape[-1]):
        acc += A[:, :, j] * x[:, None, j]
    return acc


def newton(num, X, dom, *, tol, max_iter=20, halvings=4, stall=4):
    """Damped multiple-shooting Newton on a batch of pseudo-orbits ``(N, p, d)``.

    Returns the final iterates and their residuals ``max_k ||F_k||``; candidates
    that left the neighbourhood of the box or became non-finite get residual inf.
    A step is halved (up to ``halvings`` times) until the residual decreases,
    then taken anyway: a stalled candidate keeps moving instead of freezing.
    A candidate whose residual, still above ``tol``, has not halved in ``stall``
    iterations is given up (its last iterate and residual are returned): such
    candidates wander among pseudo-orbits and take most of the work otherwise.
    """
    X = dom.reduce(np.array(X, dtype=float))
    N, p, d = X.shape
    res = np.full(N, np.inf)
    if N == 0:
        return X, res
    active = np.flatnonzero(dom.near(X))
    F = _residual(num, X[active], dom)
    r = _size(F)
    best, since = r.copy(), np.zeros(active.size, dtype=int)
    for _ in range(max_iter):
        res[active] = r
        todo = r > tol * 1e-3  # converged far below the tolerance: stop working on it
        todo &= (since < stall) | (r < tol)  # stalled far from a solution: give up
        active, F, r, best, since = active[todo], F[todo], r[todo], best[todo], since[todo]
        if active.size == 0:
            break
        Xa = X[active]
        J = _jac(num, Xa.reshape(-1, d)).reshape(-1, p, d, d)
        with np.errstate(all="ignore"):
            D = newton_step(F, J)
            # a Newton step longer than the box is a jump to nowhere: cap it
            big = np.abs(D / dom.width).max(axis=(1, 2))
            s = np.minimum(1.0, 0.5 / np.where(big > 0, big, 1.0))
            Xn, Fn, rn = backtrack(lambda sel, s, Xa=Xa, D=D: _trial(num, Xa[sel], D[sel], s, dom),
                                   r, s, halvings=halvings)
        X[active] = Xn
        ok = dom.near(Xn) & np.isfinite(rn)
        res[active[~ok]] = np.inf
        gain = rn < 0.5 * best
        best = np.where(gain, rn, best)
        since = np.where(gain, 0, since + 1)
        active, F, r, best, since = active[ok], Fn[ok], rn[ok], best[ok], since[ok]
    res[active] = r
    return X, res


def newton_error(num, X, dom):
    """Length of one more Newton step, in box widths: the error estimate of a solution.

    Tiny (rounding level) at a regular solution; large where the cycle Jacobian is
    singular or nearly so (a bifurcation, a continuum of orbits), where a small
    residual does not locate an orbit.
    """
    N, p, d = X.shape
    if N == 0:
        return np.zeros(0)
    F = _residual(num, X, dom)
    J = _jac(num, X.reshape(-1, d)).reshape(N, p, d, d)
    with np.errstate(all="ignore"):
        err = np.abs(newton_step(F, J) / dom.width).max(axis=(1, 2))
    return np.where(np.isfinite(err), err, np.inf)


def _trial(num, Xa, D, s, dom):
    Xn = dom.reduce(Xa + s[:, None, None] * D)
    Fn = _residual(num, Xn, dom)
    return Xn, Fn, _size(Fn)


# -- the Davidchack-Lai iteration on f^p -----------------------------------------------


def stabilizing_matrices(d, which="auto"):
    """The matrices C of the stabilising transformations, an array ``(m, d, d)``.

    ``"all"``: the 2^d d! signed permutation matrices (Schmelcher & Diakonos);
    ``"signs"``: the 2^d diagonal sign matrices; ``"identity"``: C = I alone;
    ``"auto"``: all of them for d <= 3, the signs for 4 <= d <= 8, I beyond.

    Examples
    --------
    >>> [len(stabilizing_matrices(d)) for d in (1, 2, 3, 4)]
    [2, 8, 48, 16]
    >>> stabilizing_matrices(2, "all")[5]
    array([[ 0.,  1.],
           [-1.,  0.]])
    """
    if which == "auto":
        which = "all" if d <= 3 else "signs" if d <= 8 else "identity"
    if which == "identity":
        return np.eye(d)[None]
    perms = itertools.permutations(range(d)) if which == "all" else [tuple(range(d))]
    mats = []
    for perm in perms:
        for signs in itertools.product((1.0, -1.0), repeat=d):
            C = np.zeros((d, d))
            C[np.arange(d), perm] = signs
            mats.append(C)
    return np.array(mats)


def _power(num, x, p, dom):
    """f^p(x) - x (wrapped) and the chain-rule Jacobian Df^p(x) for a batch ``(n, d)``."""
    n, d = x.shape
    fast = _fast(num)
    if fast is None or d > 4:
        M = np.broadcast_to(np.eye(d), (n, d, d))
        y = x
        for _ in range(p):
            M = _jac(num, y) @ M
            y = _step(num, y)
        return dom.wrap(y - x), M
    # coordinate rows and matrix entries as separate arrays: no stacking in the loop
    f, jf, vals = fast
    rows = list(x.T)
    M = [[1.0 if i == j else 0.0 for j in range(d)] for i in range(d)]
    terms = None
    for _ in range(p):
        J = jf(*rows, *vals)
        if terms is None:  # constant entries come back as plain numbers: skip 0, don't multiply by 1
            terms = [[(i * d + k, k, _is(J[i * d + k], 1)) for k in range(d) if not _is(J[i * d + k], 0)]
                     for i in range(d)]
        new = []
        for ti in terms:
            row = []
            for j in range(d):
                acc = None
                for e, k, one in ti:
                    t = M[k][j] if one else J[e] * M[k][j]
                    acc = t if acc is None else acc + t
                row.append(0.0 if acc is None else acc)
            new.append(row)
        M = new
        rows = f(*rows, *vals)
    y = _rows_out(rows, n)
    out = np.empty((n, d, d))
    for i in range(d):
        for j in range(d):
            out[:, i, j] = M[i][j]
    return dom.wrap(y - x), out


def _is(v, c):
    """True when v is the plain number c (not an array)."""
    return isinstance(v, (int, float)) and v == c


def davidchack_lai(num, x0, p, mats, dom, *, beta, max_iter, tol):
    """Fixed points of f^p reached from every start ``x0 (n, d)`` with every matrix C.

    Iterates x <- x + [beta ||g|| C^T - Dg]^{-1} g with g = f^p - id: near a
    solution it is Newton's method, far from one a small step along C g that
    makes the solution attracting for a suitable C (Davidchack & Lai 1999).
    Returns the converged points ``(m, d)``, in the order in which they converged (by
    iteration, then by start and matrix).
    """
    return davidchack_lai_ordered(num, x0, p, mats, dom, beta=beta, max_iter=max_iter, tol=tol)[0]


def davidchack_lai_ordered(num, x0, p, mats, dom, *, beta, max_iter, tol):
    """:func:`davidchack_lai` and, for each point, the iteration at which it converged and its
    run (``start * len(mats) + matrix``): ``(points, iterations, runs)``. Sorting by (iteration,
    run) puts points from chunks of the starts in the order of one batch of them all."""
    n, d = x0.shape
    if n == 0:
        return np.zeros((0, d)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    x = np.repeat(x0, len(mats), axis=0)
    CT = np.tile(np.transpose(mats, (0, 2, 1)), (n, 1, 1))
    eye = np.eye(d)
    done, when, runs = [], [], []
    active = np.arange(len(x))
    for it in range(max_iter):
        xa = x[active]
        with np.errstate(all="ignore"):
            g, M = _power(num, xa, p, dom)
            s = np.sqrt(_sq(g))
            conv = s < tol
            done.append(xa[conv])
            runs.append(active[conv])
            when.append(np.full(int(conv.sum()), it, dtype=np.int64))
            A = beta * s[:, None, None] * CT[active] - (M - eye)
            xn = dom.reduce(xa + _solve(A, g))
        keep = ~conv & dom.near(xn[:, None, :])
        x[active] = xn
        active = active[keep]
        if active.size == 0:
            break
    if not done:
        return np.zeros((0, d)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(done), np.concatenate(when), np.concatenate(runs)
