"""The numerical engine of :mod:`gdmaps.bifurcations.continuation`: arrays in, arrays out.

A point of a branch is ``u = (x_0, ..., x_{p-1}, lam)`` flattened to ``p d + 1`` numbers.
The orbit equations are solved by multiple shooting,

    F_k(u) = f(x_k; lam) - x_{k+1 mod p} = 0,        k = 0, ..., p - 1,

whose Jacobian in the x's is the cyclic block matrix with Df(x_k) on the diagonal and
-I one block to the right; d/dlam f is a central difference (it only steers Newton:
a converged point solves F = 0 whatever its accuracy).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

__all__ = ["System", "bifurcation_tests", "evaluate_tests", "locate", "minimal_period", "monodromy",
           "multipliers", "refine_period_doubling", "switch_start"]


class System:
    """The period-``p`` orbit equations of a :class:`gdmaps.core.family.Family`."""

    def __init__(self, family, period, *, tol=1e-12, max_iter=12):
        self.family, self.p, self.d = family, period, family.dim
        self.n = period * family.dim
        self.tol, self.max_iter = tol, max_iter

    # -- evaluation ----------------------------------------------------------------

    def split(self, u):
        return u[:-1].reshape(self.p, self.d), u[-1]

    def residual(self, u):
        X, lam = self.split(u)
        F = self.family.step(X, lam)
        return (F - np.roll(X, -1, axis=0)).ravel()

    def jacobians(self, u):
        X, lam = self.split(u)
        return self.family.jacobian(X, lam)

    def full_jacobian(self, u):
        """(F, dF/du): the residual and its (n, n + 1) Jacobian."""
        X, lam = self.split(u)
        p, d = self.p, self.d
        h = 1e-6 * (1 + abs(lam))
        both = self.family.step(np.concatenate([X, X, X]), np.repeat([lam, lam + h, lam - h], p))
        F = (both[:p] - np.roll(X, -1, axis=0)).ravel()
        A = np.zeros((self.n, self.n + 1))
        J = self.family.jacobian(X, lam)
        eye = np.eye(d)
        for k in range(p):
            r = slice(k * d, (k + 1) * d)
            A[r, k * d:(k + 1) * d] += J[k]
            j = (k + 1) % p
            A[r, j * d:(j + 1) * d] -= eye
        A[:, -1] = ((both[p:2 * p] - both[2 * p:]) / (2 * h)).ravel()
        return F, A

    def _scale(self, u):
        return 1.0 + np.max(np.abs(u[:-1]))

    # -- Newton --------------------------------------------------------------------

    def correct(self, u, *, direction=None, anchor=None, fixed_lam=False):
        """Newton on F = 0 with one more equation: (corrected u, iterations), or None.

        A bordered (pseudo-arclength) system whose step length the caller controls: not
        the damped Newton of :mod:`gdmaps.core.newton`.

        With ``fixed_lam``: lam stays at ``u[-1]``. Otherwise the extra equation is
        ``direction . (u - anchor) = 0`` (the pseudo-arclength hyperplane).
        """
        u = np.array(u, dtype=float)
        lam0 = u[-1]
        if anchor is None:
            anchor = u.copy()
        last = np.inf
        for it in range(self.max_iter + 1):
            F, A = self.full_jacobian(u)
            if not np.all(np.isfinite(F)) or not np.all(np.isfinite(A)):
                return None
            res = np.max(np.abs(F)) if F.size else 0.0
            if res <= self.tol * self._scale(u) and last <= 1e3 * self.tol * self._scale(u):
                return u, it
            if it == self.max_iter:
                break
            if fixed_lam:
                try:
                    dx = np.linalg.solve(A[:, :-1], -F)
                except np.linalg.LinAlgError:
                    return None
                du = np.append(dx, lam0 - u[-1])
            else:
                M = np.vstack([A, direction])
                rhs = np.append(-F, -direction @ (u - anchor))
                try:
                    du = np.linalg.solve(M, rhs)
                except np.linalg.LinAlgError:
                    return None
            if not np.all(np.isfinite(du)):
                return None
            u = u + du
            last = np.max(np.abs(du))
        return None

    def tangent(self, u, previous=None):
        """Unit null vector of dF/du at ``u``, oriented along ``previous``."""
        _, A = self.full_jacobian(u)
        if previous is None:
            _, _, Vt = np.linalg.svd(A)
            t = Vt[-1]
        else:
            M = np.vstack([A, previous])
            rhs = np.zeros(self.n + 1)
            rhs[-1] = 1.0
            try:
                t = np.linalg.solve(M, rhs)
            except np.linalg.LinAlgError:
                _, _, Vt = np.linalg.svd(A)
                t = Vt[-1]
            if t @ previous < 0:
                t = -t
        return t / np.linalg.norm(t)


def monodromy(J):
    """The period-map Jacobian J_{p-1} ... J_1 J_0 of Jacobians (p, d, d)."""
    M = J[0]
    for Jk in J[1:]:
        M = Jk @ M
    return M


def multipliers(J):
    """Eigenvalues of the monodromy matrix, sorted by modulus (largest first)."""
    mus = np.linalg.eigvals(monodromy(J)).astype(complex)
    return mus[np.argsort(-np.abs(mus), kind="stable")]


def bifurcation_tests(mus):
    """(fold, period-doubling, Neimark-Sacker) test functions of multipliers ``mus``.

    prod(mu - 1), prod(mu + 1) and prod_{i<j}(mu_i mu_j - 1) (the determinant of the
    bialternate product M (.) M - I); all real for a real matrix. The last one is nan
    for d = 1 (no pair, no Neimark-Sacker).
    """
    fold = float(np.real(np.prod(mus - 1)))
    pd = float(np.real(np.prod(mus + 1)))
    d = len(mus)
    if d < 2:
        return fold, pd, np.nan
    i, j = np.triu_indices(d, 1)
    ns = float(np.real(np.prod(mus[i] * mus[j] - 1)))
    return fold, pd, ns


def evaluate_tests(system, v):
    return bifurcation_tests(multipliers(system.jacobians(v)))


def minimal_period(X, *, atol=1e-7):
    p = len(X)
    scale = 1 + np.max(np.abs(X))
    for q in range(1, p):
        if p % q == 0 and np.max(np.abs(X - np.roll(X, -q, axis=0))) <= atol * scale:
            return q
    return p


def refine_period_doubling(family, X, lam, tol):
    """The period doubling of the period-q orbit ``X`` near ``lam``, by Brent in the parameter.

    At a turn of the doubled branch the tangent is ill-determined (two branches cross), so
    the turn is only located to ~sqrt(eps) in the orbit; the period doubling of the orbit of
    period q itself is a regular zero of det(M + I) at fixed parameter.
    """
    system = System(family, len(X), tol=tol)
    orbits = {}

    def g(value):
        out = system.correct(np.append(X.ravel(), value), fixed_lam=True)
        if out is None:
            raise _LocateFailed
        orbits[value] = out[0]
        return evaluate_tests(system, out[0])[1]

    delta = 1e-6 * (1 + abs(lam))
    try:
        for _ in range(4):
            if g(lam - delta) * g(lam + delta) < 0:
                root = brentq(g, lam - delta, lam + delta, xtol=1e-16, rtol=1e-15, maxiter=200)
                g(root)
                return system.split(orbits[root])[0].copy(), float(root)
            delta *= 10
    except (_LocateFailed, ValueError, RuntimeError):
        pass
    return X, lam


def locate(system, ua, ub, fn):
    """The point between ``ua`` and ``ub`` on the branch where ``fn`` vanishes, or None."""
    direction = ub - ua
    cache = {}

    def point(theta):
        if theta not in cache:
            anchor = ua + theta * direction
            out = system.correct(anchor, direction=direction, anchor=anchor)
            cache[theta] = None if out is None else out[0]
        return cache[theta]

    def g(theta):
        if theta == 0.0:
            return fn(ua)
        if theta == 1.0:
            return fn(ub)
        v = point(theta)
        if v is None:
            raise _LocateFailed
        return fn(v)

    try:
        theta = brentq(g, 0.0, 1.0, xtol=1e-16, rtol=1e-15, maxiter=200)
    except (_LocateFailed, ValueError, RuntimeError):
        return None
    v = ua if theta == 0.0 else ub if theta == 1.0 else point(theta)
    return None if v is None else v.copy()


class _LocateFailed(Exception):
    pass


def switch_start(system, u, mus, h, tol):
    """The start (system, u, t) of the period-2p branch born at the period doubling ``u``."""
    X, lam = system.split(u)
    p = system.p
    J = system.jacobians(u)
    vals, vecs = np.linalg.eig(monodromy(J))
    v = np.real(vecs[:, np.argmin(np.abs(vals + 1))])
    V = [v]
    for k in range(p - 1):
        V.append(J[k] @ V[-1])
    V = np.array(V)
    w = np.concatenate([V, -V]).ravel()
    w /= np.linalg.norm(w)
    double = System(system.family, 2 * p, tol=tol)
    base = np.append(np.concatenate([X, X]).ravel(), lam)
    direction = np.append(w, 0.0)
    seed = base + h * direction
    out = double.correct(seed, direction=direction, anchor=seed)
    if out is None:
        return None
    uc = out[0]
    t = double.tangent(uc, direction)
    return double, uc, t
