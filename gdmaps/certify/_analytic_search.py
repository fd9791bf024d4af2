"""The global search of the analytic bracket (private to :mod:`gdmaps.certify.critical_analytic`).

Steps 1 and 2 of the proof there:

1. where the global minima are: a numeric minimum (BFGS) gives the upper bound U, and
   :func:`_exclude_outside` proves L > U on {|x|_inf >= R} over a finite cover of cone
   pieces (interval arithmetic with infinite ends from :mod:`gdmaps.certify._extended_intervals`
   on the unbounded pieces, natural and mean-value forms on the bounded ones);
2. which critical points they can be: :func:`_branch_and_bound` over (-R, R)^d, with the
   Krawczyk operator of the gradient proving each remaining critical point unique in a
   small box (:func:`_krawczyk_of`, :func:`_tight_zero`, :func:`_refine`).

:class:`_Loss` holds L, grad L and H compiled for balls and for floats. A step that is
not proved raises :class:`_GiveUp`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from flint import arb, arb_mat

from gdmaps.certify._extended_intervals import _INF, _Extended, _down, _mul, _up
from gdmaps.exact.interval import NotCertifiableError, box, compile_interval

__all__ = ["_Counter", "_GiveUp", "_Loss", "_LowerPoint", "_Point", "_branch_and_bound",
           "_exclude_outside", "_inside", "_krawczyk", "_krawczyk_of", "_numeric_minimum",
           "_refine", "_tight_zero"]

#: Boxes of B narrower than this (relative to R) that are still undecided end the proof:
#: a non-isolated or degenerate critical point at a low value.
_MIN_WIDTH = 1e-9


class _GiveUp(Exception):
    """A step of the proof failed; the message says which (the answer is None)."""


# -- the loss, its gradient and Hessian in balls ---------------------------------------
class _Loss:
    """L, grad L and H compiled for balls, and for floats (numpy) for the numeric search."""

    def __init__(self, loss, state, prec):
        self.loss, self.state, self.d, self.prec = loss, tuple(state), len(state), prec
        grad = [sp.diff(loss, v) for v in self.state]
        self._pairs = [(i, j) for i in range(self.d) for j in range(i, self.d)]
        hess = [sp.diff(grad[i], self.state[j]) for i, j in self._pairs]  # H is symmetric
        self.f = compile_interval([loss], self.state)
        self.g = compile_interval(grad, self.state)
        self.fg = compile_interval([loss] + grad, self.state)
        self.h = compile_interval(hess, self.state)
        self.extended = _Extended(loss, self.state)
        self.np_f = sp.lambdify([self.state], loss, "numpy")
        self.np_g = sp.lambdify([self.state], grad, "numpy")

    def hessian(self, balls) -> arb_mat:
        rows = [[None] * self.d for _ in range(self.d)]
        for (i, j), v in zip(self._pairs, self.h(balls)):
            rows[i][j] = rows[j][i] = v
        return arb_mat(rows)

    def value_upper(self, point) -> float:
        """A float >= L at the exact float point (inf if not evaluable)."""
        try:
            return _up(self.f([arb(float(v)) for v in point])[0])
        except NotCertifiableError:
            return _INF


def _numeric_minimum(L, starts, seed):
    """The lowest point BFGS reaches from ``starts`` random starts (floats, no proof)."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    d = L.d
    x0s = [np.zeros(d)] + list(rng.uniform(-3, 3, size=(starts, d)))
    best = None
    with np.errstate(all="ignore"):
        for x0 in x0s:
            try:
                r = minimize(lambda x: float(L.np_f(x)), x0,
                             jac=lambda x: np.asarray(L.np_g(x), dtype=float),
                             method="BFGS", options={"gtol": 1e-12, "maxiter": 400})
            except (ValueError, OverflowError, FloatingPointError):
                continue
            if np.all(np.isfinite(r.x)) and np.isfinite(r.fun) and (best is None or r.fun < best[0]):
                best = (float(r.fun), np.asarray(r.x, dtype=float))
    return None if best is None else best[1]


# -- 1. the global minima lie in (-R, R)^d ------------------------------------------
class _Counter:
    def __init__(self, budget):
        self.budget, self.used = budget, 0

    def tick(self):
        self.used += 1
        if self.used > self.budget:
            raise _GiveUp(f"the budget of {self.budget} boxes is exhausted")


class _LowerPoint(Exception):
    """A point outside the cube with a lower value than U: retry with it, farther out."""

    def __init__(self, point, value):
        super().__init__()
        self.point, self.value = point, value


def _cone_box(i, s, rho_lo, rho_hi, Y, d):
    """Float ends of a box of R^d that contains the finite cone piece."""
    rho = (rho_lo, rho_hi)
    lo, hi = [], []
    it = iter(Y)
    for k in range(d):
        iv = (rho if s > 0 else (-rho_hi, -rho_lo)) if k == i else _mul(rho, next(it))
        lo.append(iv[0])
        hi.append(iv[1])
    return np.array(lo), np.array(hi)


def _lower_on_box(L, lo, hi) -> float:
    """A float <= L on the float box [lo, hi]: the natural and the mean-value forms."""
    X = box(lo, hi)
    m = [x.mid() for x in X]
    fgX, fm = L.fg(X), L.f(m)[0]
    mv = fm + sum((gi * (xi - mi) for gi, xi, mi in zip(fgX[1:], X, m)), arb(0))
    return max(_down(fgX[0]), _down(mv))


def _exclude_outside(L, U, R, counter):
    """Prove L > U on {|x|_inf >= R}; return the number of cone pieces, or raise.

    Pieces ``(i, s, rho_lo, rho_hi, Y)``: the cone x_i = s r, x_j = r y_j with
    r in [rho_lo, rho_hi] (rho_hi may be inf) and y in the box Y of [-1, 1]^(d-1).
    Their union over i and s = +-1 with rho_lo = R, rho_hi = inf, Y = [-1, 1]^(d-1)
    is the whole set. A piece is done when a lower bound of L on it exceeds U; else it is
    split (Y first, down to width 1/4; then r: [rho, 2 rho] and [2 rho, inf)).
    """
    d = L.d
    stack = [(i, s, R, _INF, [(-1.0, 1.0)] * (d - 1)) for i in range(d) for s in (1, -1)]
    pieces = 0
    while stack:
        i, s, rl, rh, Y = stack.pop()
        counter.tick()
        pieces += 1
        if rh == _INF:
            x = [None] * d
            it = iter(Y)
            for k in range(d):
                x[k] = ((rl, _INF) if s > 0 else (-_INF, -rl)) if k == i else _mul((rl, _INF), next(it))
            lower = L.extended(x, (i, s, rl, Y))[0]
            if lower > U:
                continue
            if rl > 2.0 ** 60:
                raise _GiveUp(f"no lower bound above U on the cone x_{i} -> {'+' if s > 0 else '-'}inf")
            widths = [y[1] - y[0] for y in Y]
            if widths and max(widths) > 0.25:
                stack += _split_Y(i, s, rl, rh, Y, int(np.argmax(widths)))
            else:
                stack += [(i, s, rl, 2 * rl, Y), (i, s, 2 * rl, _INF, Y)]
            continue
        lo, hi = _cone_box(i, s, rl, rh, Y, d)
        try:
            lower = _lower_on_box(L, lo, hi)
        except NotCertifiableError:
            lower = -_INF
        if lower > U:
            continue
        mid = (lo + hi) / 2
        value = L.value_upper(mid)
        if value < U:
            raise _LowerPoint(mid, value)
        if np.max(hi - lo) < _MIN_WIDTH * rh:
            raise _GiveUp(f"L is not proved > U near {mid.tolist()} outside the cube")
        ymax = max([1.0] + [max(abs(y[0]), abs(y[1])) for y in Y])
        wide = [(rh - rl) * ymax] + [rh * (y[1] - y[0]) for y in Y]
        k = int(np.argmax(wide))
        if k == 0:
            c = (rl + rh) / 2
            stack += [(i, s, rl, c, Y), (i, s, c, rh, Y)]
        else:
            stack += _split_Y(i, s, rl, rh, Y, k - 1)
    return pieces


def _split_Y(i, s, rl, rh, Y, j):
    c = (Y[j][0] + Y[j][1]) / 2
    left, right = list(Y), list(Y)
    left[j], right[j] = (Y[j][0], c), (c, Y[j][1])
    return [(i, s, rl, rh, left), (i, s, rl, rh, right)]


# -- 2. every critical point in the cube at a value <= U, proved by Krawczyk -----------
class _Point:
    """A critical point proved unique in ``region`` and enclosed in ``lo, hi``."""

    def __init__(self, lo, hi, region, value, H):
        self.lo, self.hi, self.region, self.value, self.H = lo, hi, region, value, H
        self.spectrum = None

    @property
    def mid(self):
        return tuple(float(v) for v in (self.lo + self.hi) / 2)


def _inside(lo, hi, region):
    return bool(np.all(region[0] <= lo) and np.all(hi <= region[1]))


def _krawczyk(L, lo, hi, leaf=None, center=None):
    """The Krawczyk operator of grad L on the float box [lo, hi] (see :func:`_krawczyk_of`)."""
    return _krawczyk_of(L.g, L.hessian, L.d, lo, hi, leaf, center)


def _krawczyk_of(F, DF, d, lo, hi, leaf=None, center=None):
    """The Krawczyk operator of F: R^d -> R^d (Jacobian DF) on the float box [lo, hi].

    ``center`` is ``(m, F(m))`` for a point m of the box (default: its midpoint).
    Returns ``(status, K, DF(X))``: ``"unique"`` when K(X) lies in the interior of X
    (exactly one zero of F in X, and it lies in K), ``"empty"`` when K misses the box
    ``leaf`` (no zero there: every zero in X lies in K), else ``"unknown"`` (K, when
    computed, still holds every zero in X).
    """
    X = box(lo, hi)
    try:
        JX = DF(X)
        if center is None:
            m = [x.mid() for x in X]
            Fm = F(m)
        else:
            m, Fm = center
    except NotCertifiableError:
        return "unknown", None, None
    Jm = np.array([[float(JX[i, j].mid()) for j in range(d)] for i in range(d)])
    try:
        Yf = np.linalg.inv(Jm)
    except np.linalg.LinAlgError:
        return "unknown", None, JX
    if not np.all(np.isfinite(Yf)):
        return "unknown", None, JX
    Y = arb_mat(Yf.tolist())
    eye = arb_mat([[int(i == j) for j in range(d)] for i in range(d)])
    K = (arb_mat([[v] for v in m]) - Y * arb_mat([[v] for v in Fm])
         + (eye - Y * JX) * arb_mat([[x - v] for x, v in zip(X, m)]))
    K = [K[i, 0] for i in range(d)]
    if all(K[i] > arb(lo[i]) and K[i] < arb(hi[i]) for i in range(d)):
        return "unique", K, JX
    if leaf is not None and any(K[i] < arb(leaf[0][i]) or K[i] > arb(leaf[1][i]) for i in range(d)):
        return "empty", K, JX
    return "unknown", K, JX


def _tight_zero(F, DF, d, z, region):
    """Float ends of a tiny box holding the zero of F proved unique in ``region``, or None.

    Newton in floats from z, then Krawczyk on boxes of growing radius around it; a box
    whose K lies in ``region`` holds that same zero (the one zero there lies in K).
    """
    z = np.array(z, dtype=float)
    for _ in range(8):  # Newton in floats on ball midpoints; the test below decides anyway
        try:
            Fz = np.array([float(v.mid()) for v in F([arb(v) for v in z])])
            J = DF([arb(v) for v in z])
            step = np.linalg.solve(np.array([[float(J[i, j].mid()) for j in range(d)]
                                             for i in range(d)]), Fz)
        except (NotCertifiableError, np.linalg.LinAlgError):
            break
        if not np.all(np.isfinite(step)):
            break
        z = z - step
        if np.max(np.abs(step)) <= 1e-16 * (1 + np.max(np.abs(z))):
            break
    scale = 1 + float(np.max(np.abs(z)))
    for r in (1e-15, 1e-13, 1e-11, 1e-9, 1e-7):
        tlo, thi = np.nextafter(z - r * scale, -_INF), np.nextafter(z + r * scale, _INF)
        status, K, _ = _krawczyk_of(F, DF, d, tlo, thi)
        if status != "unique":
            continue
        klo = np.array([_down(k) for k in K])
        khi = np.array([_up(k) for k in K])
        if _inside(klo, khi, region):
            return klo, khi
    return None


def _refine(L, K, region):
    """A tight enclosure of the critical point proved unique in ``region`` (it lies in K)."""
    z = [float(k.mid()) for k in K]
    tight = _tight_zero(L.g, L.hessian, L.d, z, region)
    if tight is None:
        lo, hi = np.array([_down(k) for k in K]), np.array([_up(k) for k in K])
    else:
        lo, hi = tight
    E = box(lo, hi)
    return _Point(lo, hi, region, L.f(E)[0], L.hessian(E))


def _second_order(fm, gm, H, X, m):
    """L(m) + g(m).(x - m) + (x - m)^T H (x - m) / 2 over the box, H enclosing the Hessian."""
    d = len(X)
    dx = [x - v for x, v in zip(X, m)]
    out = fm + sum((gi * di for gi, di in zip(gm, dx)), arb(0))
    for i in range(d):
        out += H[i, i] * arb(0).union(dx[i].abs_upper() ** 2) / 2
        for j in range(i + 1, d):
            out += H[i, j] * dx[i] * dx[j]
    return out


def _branch_and_bound(L, R, U, counter, *, cell=None):
    """Every critical point of L in [-R, R]^d where L may be <= U, each proved unique.

    ``cell = (lo, hi)`` (float arrays) searches the box [lo, hi] instead of the cube;
    R then only scales the width at which an undecided box ends the proof.

    Returns the points, the improved U, the number of boxes and the count of each outcome.
    A box X is dropped when L > U on it (natural, mean-value and second-order forms),
    when a component of the gradient enclosure misses 0, when a diagonal entry of H is
    < 0 on it (no minimum there), or when the Krawczyk operator K of X inflated by 5%
    misses X; when K maps the inflated box into its interior, its one critical point is
    recorded. Otherwise X is cut down to X meet K (every critical point in X lies in K)
    if that shrinks it by a quarter, or its widest side is halved. Each midpoint value
    lowers U.
    """
    d = L.d
    if cell is None:
        cell = (np.full(d, -float(R)), np.full(d, float(R)))
    stack = [(np.array(cell[0], dtype=float), np.array(cell[1], dtype=float))]
    points, leaves = [], 0
    outcome = dict.fromkeys(("value", "gradient", "Hessian", "Krawczyk", "critical", "split",
                             "contracted"), 0)
    while stack:
        lo, hi = stack.pop()
        counter.tick()
        leaves += 1
        X = box(lo, hi)
        m = [x.mid() for x in X]
        try:
            fgX = L.fg(X)
            fgm = L.fg(m)
        except NotCertifiableError:
            fgX = fgm = None
        if fgX is not None:
            U = min(U, _up(fgm[0]))
            mv = fgm[0] + sum((gi * (xi - mi) for gi, xi, mi in zip(fgX[1:], X, m)), arb(0))
            if _down(fgX[0]) > U or _down(mv) > U:
                outcome["value"] += 1
                continue
            if any(not gi.contains(0) for gi in fgX[1:]):
                outcome["gradient"] += 1
                continue
        w = hi - lo
        pad = 0.05 * w + 1e-300
        ilo, ihi = np.nextafter(lo - pad, -_INF), np.nextafter(hi + pad, _INF)
        center = None if fgm is None else (m, fgm[1:])
        status, K, H = _krawczyk(L, ilo, ihi, leaf=(lo, hi), center=center)
        if status == "empty":
            outcome["Krawczyk"] += 1
            continue
        if status == "unique":
            outcome["critical"] += 1
            p = _refine(L, K, (ilo, ihi))
            if not any(_inside(p.lo, p.hi, q.region) or _inside(q.lo, q.hi, p.region) for q in points):
                points.append(p)
                U = min(U, _up(p.value))
            continue
        if H is not None:
            if any(H[k, k] < 0 for k in range(d)):
                outcome["Hessian"] += 1
                continue
            if fgm is not None and _down(_second_order(fgm[0], fgm[1:], H, X, m)) > U:
                outcome["value"] += 1
                continue
        if K is not None:  # every critical point of the box lies in K
            klo = np.maximum(lo, [_down(k) for k in K])
            khi = np.minimum(hi, [_up(k) for k in K])
            if np.all(klo <= khi) and np.max((khi - klo) / np.maximum(w, 1e-300)) < 0.75:
                outcome["contracted"] += 1
                stack.append((klo, khi))
                continue
        if np.max(w) < _MIN_WIDTH * R:
            raise _GiveUp(f"the box {lo.tolist()} .. {hi.tolist()} is undecided at width"
                          f" {np.max(w):.2g}: a non-isolated or degenerate critical point?")
        outcome["split"] += 1
        k = int(np.argmax(w))
        c = (lo[k] + hi[k]) / 2
        left_hi, right_lo = hi.copy(), lo.copy()
        left_hi[k], right_lo[k] = c, c
        children = [(lo, left_hi), (right_lo, hi)]
        with np.errstate(all="ignore"):
            vals = [float(L.np_f((a + b) / 2)) for a, b in children]
        if vals[0] < vals[1]:
            children.reverse()  # the lower child is popped first
        stack += children
    return points, U, leaves, outcome

