"""A certified upper bound of eta* for one-hidden-layer networks, whose minima are not isolated.

Scope: ``L = c sum_j r_j^2`` with ``r_j = sum_k b_k phi(a_k x_jk) - y_j``, phi one of tanh,
softplus, sigmoid, every ``x_jk > 0`` (any ``x_jk != 0`` for the odd tanh; scalar input, no
biases, one linear output: what ``mlp(X, Y, [h], act)`` builds), and ``min L = 0`` already proved by a
certified zero residual (:func:`gdmaps.certify.critical._certified_zero`). Then the global
minima are the set {r = 0}, of dimension 2h - n, unbounded, and there ``H = 2c J^T J``
(J = dr/dtheta), so at every global minimum

    lambda_max(H) >= H_ii = 2c |J e_i|^2  (each diagonal entry),
    lambda_max(H) >= 2c |J^T v|^2 / |v|^2  (any v in R^n).

s_min, the infimum of lambda_max(H) over the minima, can be approached at infinity: a softplus
unit with a_k -> -oo and b_k -> oo fits one point alone. This module proves
lambda_max(H) >= T on all of {r = 0} for a given T, hence eta* = 2 / s_min <= 2 / T:

1. far out, one diagonal entry: for |a_k| >= A (tanh) or a_k >= A (softplus, sigmoid),
   ``H_{b_k b_k} = 2c sum_j phi(a_k x_jk)^2 >= T``; for |b_k| >= B on the middle range of a_k,
   ``H_{a_k a_k} = 2c b_k^2 sum_j x_jk^2 phi'(a_k x_jk)^2 >= T``;
2. the hard side a_k <= -A of softplus and sigmoid, in the chart ``w = exp(a_k m_k)`` in
   [0, W], ``beta = b_k w`` (m_k = min_j x_jk): every quantity above is a continuous function
   of (w, beta) up to w = 0, and |beta| is bounded by ``H_{a_k a_k}`` again;
3. interval branch and bound over the product of these compact charts: each box is discarded
   when an enclosure of some r_j misses 0 (no minimum in it) or a lower bound of one of the
   quantities above is >= T. The search runs in floats; every box of the final cover and
   every constant of steps 1-2 is then checked again in arb ball arithmetic, so the result
   is proved.

Anything outside this scope, or a cover that does not close within ``max_boxes``, gives None.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np
import sympy as sp
from flint import arb
from scipy.special import expit

from gdmaps.certify.sos import sos_residuals
from gdmaps.exact.interval import float_upper

__all__ = ["network_upper", "NetworkBound"]

#: log of 1 / W: the hard chart of softplus and sigmoid covers w = exp(a m) in [0, e^-HARD].
HARD = 0.5
#: Relative margins T / s_est tried, smallest first (each a full branch and bound).
MARGINS = (0.01, 0.02, 0.05, 0.1)


@dataclass(frozen=True)
class _Form:
    c: sp.Rational          # L = c sum_j r_j^2
    act: str
    a: tuple                # input weights a_k (symbols)
    b: tuple                # output weights b_k
    x: tuple                # x[j][k] > 0 (Rational): unit k sees a_k x[j][k] at point j
    y: tuple                # targets y_j


@dataclass(frozen=True)
class NetworkBound:
    """``lambda_max(H) >= sharpness`` proved on every global minimum; ``upper = 2 / sharpness``
    rounded up; ``boxes`` in the verified cover; ``argument`` the proof in words."""

    sharpness: float
    upper: float
    boxes: int
    argument: str


# -- 0. the form ----------------------------------------------------------------------------
def _activation(f):
    """``(name, argument)`` of tanh(s), log(1 + exp(s)) or 1 / (1 + exp(-s)); else None."""
    if isinstance(f, sp.tanh):
        return "tanh", f.args[0]
    inner = f.args[0] if isinstance(f, sp.log) else f.base if (f.is_Pow and f.exp == -1) else None
    if inner is None or not inner.is_Add or len(inner.args) != 2 or sp.S.One not in inner.args:
        return None
    e = [t for t in inner.args if t != 1][0]
    if not isinstance(e, sp.exp):
        return None
    return ("softplus", e.args[0]) if isinstance(f, sp.log) else ("sigmoid", -e.args[0])


def _form(loss, state):
    """The network form of ``loss`` or ``(None, why)``."""
    terms = sos_residuals(loss, state, analytic=True)
    if terms is None:
        return None, "the loss is not a sum of squared residuals"
    cs = {c for c, _ in terms}
    if len(cs) != 1 or not next(iter(cs)).is_Rational:
        return None, "the squared residuals do not share one rational weight"
    pairs, act, rows = {}, None, []
    for _, r in terms:
        row, y = {}, sp.S.Zero
        for t in sp.Add.make_args(r):
            if not t.free_symbols:
                y -= t
                continue
            coeff, factors = t.as_coeff_mul()
            syms = [f for f in factors if f.is_Symbol]
            funcs = [f for f in factors if not f.is_Symbol]
            got = _activation(funcs[0]) if len(funcs) == 1 else None
            if coeff != 1 or len(syms) != 1 or got is None:
                return None, f"the term {t} is not b * phi(a x)"
            name, arg = got
            ca, fa = arg.as_coeff_mul()
            # tanh is odd: b tanh(-a x) = -b tanh(a x), so its inputs may have either sign
            if (len(fa) != 1 or not fa[0].is_Symbol or not ca.is_Rational or ca == 0
                    or (name != "tanh" and not ca > 0)):
                return None, f"the pre-activation {arg} is not a weight times a positive input"
            if act not in (None, name):
                return None, "two activations"
            act, b, a = name, syms[0], fa[0]
            if pairs.setdefault(b, a) != a or b in row:
                return None, f"{b} multiplies two units"
            row[b] = ca
        if not y.is_Rational:
            return None, f"the target {y} is not rational"
        rows.append((row, y))
    bs = tuple(pairs)
    as_ = tuple(pairs[b] for b in bs)
    if (len(set(as_)) != len(as_) or set(bs) | set(as_) != set(state) or len(state) != 2 * len(bs)
            or any(set(row) != set(bs) for row, _ in rows)):
        return None, "the parameters are not input/output weight pairs of one hidden layer"
    x = tuple(tuple(row[b] for b in bs) for row, _ in rows)
    return _Form(next(iter(cs)), act, as_, bs, x, tuple(y for _, y in rows)), None


# -- 1. intervals: a float backend for the search, an arb backend for the proof -------------
_NP = {
    "tanh": np.tanh, "softplus": lambda s: np.logaddexp(0.0, s), "sigmoid": expit,
    "dtanh": lambda s: 1.0 / np.cosh(np.clip(s, -700, 700)) ** 2,
    "dsigmoid": lambda s: expit(s) * expit(-s),
    "g": lambda z: np.where(z > 0, np.log1p(z) / np.where(z > 0, z, 1.0), 1.0),
    "log1p": np.log1p, "zfrac": lambda z: z / (1.0 + z),
    "recip1p": lambda z: 1.0 / (1.0 + z), "recip1p2": lambda z: 1.0 / (1.0 + z) ** 2,
}


def _arb_sigmoid(s):
    return 1 / (1 + (-s).exp())


_ARB = {
    "tanh": lambda s: s.tanh(), "softplus": lambda s: (1 + s.exp()).log(), "sigmoid": _arb_sigmoid,
    "dtanh": lambda s: 1 / s.cosh() ** 2, "dsigmoid": lambda s: _arb_sigmoid(s) * _arb_sigmoid(-s),
    "g": lambda z: z.log1p() / z if z > 0 else arb(1), "log1p": lambda z: z.log1p(),
    "zfrac": lambda z: z / (1 + z), "recip1p": lambda z: 1 / (1 + z),
    "recip1p2": lambda z: 1 / (1 + z) ** 2,
}


class _Intervals:
    """Intervals are pairs ``(lower ends, upper ends)`` of arrays."""

    @staticmethod
    def lower(x):
        return x[0]

    @staticmethod
    def upper(x):
        return x[1]


class _Floats(_Intervals):
    """Plain float intervals ``(lo, hi)`` of arrays: fast, used to find the cover."""

    @staticmethod
    def num(v, like):
        f = np.full(like.shape, float(v))
        return f, f

    @staticmethod
    def add(x, y):
        return x[0] + y[0], x[1] + y[1]

    @staticmethod
    def neg(x):
        return -x[1], -x[0]

    @staticmethod
    def mul(x, y):
        p = np.stack([x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1]])
        return p.min(axis=0), p.max(axis=0)

    @staticmethod
    def sq(x):
        lo = np.where(x[0] > 0, x[0] ** 2, np.where(x[1] < 0, x[1] ** 2, 0.0))
        return lo, np.maximum(x[0] ** 2, x[1] ** 2)

    @staticmethod
    def fn(name, x, shape):
        f = _NP[name]
        a, b = f(x[0]), f(x[1])
        if shape == "inc":
            return a, b
        if shape == "dec":
            return b, a
        at0 = np.where((x[0] <= 0) & (x[1] >= 0), f(np.zeros_like(x[0])), np.maximum(a, b))
        return np.minimum(a, b), at0

    @staticmethod
    def powq(x, q):
        if q == 0:
            return np.ones_like(x[0]), np.ones_like(x[1])
        return np.power(x[0], float(q)), np.power(x[1], float(q))

    @staticmethod
    def exact(col):
        return col, col

    @staticmethod
    def inv_norm(vs):
        inv = 1 / (np.sum(vs ** 2, axis=1) * (1 + 1e-15))  # a little low: a smaller quotient
        return inv, inv


def _each(fn):
    return np.frompyfunc(fn, 1, 1)


_LO, _HI = _each(lambda b: b.lower()), _each(lambda b: b.upper())


class _Balls(_Intervals):
    """Intervals with exact arb endpoints (object arrays): every operation rounded outward."""

    @staticmethod
    def num(v, like):
        v = sp.Rational(v)
        b = arb(int(v.p)) / int(v.q)
        return np.full(like.shape, b.lower(), dtype=object), np.full(like.shape, b.upper(), dtype=object)

    @staticmethod
    def add(x, y):
        return _LO(x[0] + y[0]), _HI(x[1] + y[1])

    @staticmethod
    def neg(x):
        return -x[1], -x[0]  # exact for exact endpoints

    @staticmethod
    def mul(x, y):
        ends = [x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1]]
        lo = np.array([min(e) for e in zip(*(_LO(p) for p in ends))], dtype=object)
        hi = np.array([max(e) for e in zip(*(_HI(p) for p in ends))], dtype=object)
        return lo, hi

    @staticmethod
    def sq(x):
        lo = [(a * a).lower() if a > 0 else (b * b).lower() if b < 0 else arb(0) for a, b in zip(*x)]
        hi = [max((a * a).upper(), (b * b).upper()) for a, b in zip(*x)]
        return np.array(lo, dtype=object), np.array(hi, dtype=object)

    @staticmethod
    def fn(name, x, shape):
        f = _ARB[name]
        a, b = _each(f)(x[0]), _each(f)(x[1])
        if shape == "inc":
            return _LO(a), _HI(b)
        if shape == "dec":
            return _LO(b), _HI(a)
        f0 = f(arb(0))
        lo = [min(p.lower(), q.lower()) for p, q in zip(a, b)]
        hi = [f0.upper() if (s <= 0 and t >= 0) else max(p.upper(), q.upper())
              for p, q, s, t in zip(a, b, *x)]
        return np.array(lo, dtype=object), np.array(hi, dtype=object)

    @staticmethod
    def powq(x, q):
        q = sp.Rational(q)
        if q == 0:
            one = np.full(x[0].shape, arb(1), dtype=object)
            return one, one
        e = arb(int(q.p)) / int(q.q)

        def p(v):
            return arb(0) if v == 0 else v ** e
        return _LO(_each(p)(x[0])), _HI(_each(p)(x[1]))

    @staticmethod
    def exact(col):
        arr = np.array([arb(float(c)) for c in col], dtype=object)
        return arr, arr

    @staticmethod
    def inv_norm(vs):
        inv = np.array([(1 / sum((arb(float(c)) ** 2 for c in row), arb(0))).lower() for row in vs],
                       dtype=object)
        return inv, inv


# -- 2. one box: its residuals and lower bounds of lambda_max(H) -----------------------------
_DERIV = {"tanh": ("dtanh", "peak"), "softplus": ("sigmoid", "inc"), "sigmoid": ("dsigmoid", "peak")}
_HARD = {"softplus": (("g", "dec"), ("log1p", "inc"), ("recip1p", "dec")),
         "sigmoid": (("recip1p", "dec"), ("zfrac", "inc"), ("recip1p2", "dec"))}


def _columns(B, form, charts, lo, hi):
    """``val[j][k], jb[j][k], ja[j][k]``: unit k's part of r_j, dr_j/db_k and dr_j/da_k."""
    n, h = len(form.y), len(form.a)
    val = [[None] * h for _ in range(n)]
    jb = [[None] * h for _ in range(n)]
    ja = [[None] * h for _ in range(n)]
    like = lo[:, 0]
    for k, chart in enumerate(charts):
        u, v = (lo[:, 2 * k], hi[:, 2 * k]), (lo[:, 2 * k + 1], hi[:, 2 * k + 1])
        m = min(abs(form.x[j][k]) for j in range(n))
        for j in range(n):
            x = abs(form.x[j][k])
            if chart == "mid":
                s = B.mul(u, B.num(x, like))
                phi = B.fn(form.act, s, "inc")
                d = B.fn(_DERIV[form.act][0], s, _DERIV[form.act][1])
                val[j][k], jb[j][k] = B.mul(v, phi), phi
                ja[j][k] = B.mul(v, B.mul(B.num(x, like), d))
            else:  # (w, beta) = (exp(a m), b w): w^(p-1) F(z) with z = w^p, p = x / m >= 1
                p = sp.Rational(x) / m
                wq, z = B.powq(u, p - 1), B.powq(u, p)
                (fv, sv), (fb, sb), (fa, sa) = _HARD[form.act]
                val[j][k] = B.mul(v, B.mul(wq, B.fn(fv, z, sv)))
                jb[j][k] = B.fn(fb, z, sb)
                ja[j][k] = B.mul(v, B.mul(B.num(x, like), B.mul(wq, B.fn(fa, z, sa))))
            if form.x[j][k] < 0:  # tanh(a x) = -tanh(a |x|): every part changes sign
                val[j][k], jb[j][k], ja[j][k] = (B.neg(t) for t in (val[j][k], jb[j][k], ja[j][k]))
    return val, jb, ja


def _sum(B, parts):
    out = parts[0]
    for p in parts[1:]:
        out = B.add(out, p)
    return out


def _decided(B, form, charts, lo, hi, T, vs):
    """True for each box with no zero of r in it or lambda_max(H) >= T on it."""
    n, h = len(form.y), len(form.a)
    like = lo[:, 0]
    val, jb, ja = _columns(B, form, charts, lo, hi)
    empty = np.zeros(len(lo), dtype=bool)
    for j in range(n):
        r = _sum(B, val[j] + [B.num(-form.y[j], like)])
        empty |= np.array(B.lower(r) > 0, dtype=bool) | np.array(B.upper(r) < 0, dtype=bool)
    two_c = B.num(2 * form.c, like)
    bounds = []
    for k in range(h):
        for col in (jb, ja):
            bounds.append(B.mul(two_c, _sum(B, [B.sq(col[j][k]) for j in range(n)])))
    # the Rayleigh quotient with each box's own v (its midpoint's top eigenvector, exact floats)
    acc = None
    for k in range(h):
        for col in (jb, ja):
            t = _sum(B, [B.mul(B.exact(vs[:, j]), col[j][k]) for j in range(n)])
            acc = B.sq(t) if acc is None else B.add(acc, B.sq(t))
    bounds.append(B.mul(two_c, B.mul(acc, B.inv_norm(vs))))
    sure = np.zeros(len(lo), dtype=bool)
    for b in bounds:
        sure |= np.array(B.lower(b) >= T, dtype=bool)
    return empty | sure


def _top_vectors(form, charts, lo, hi):
    """Each box's midpoint top eigenvector of J J^T (floats; any v gives a valid bound)."""
    mid = (lo + hi) / 2
    _, jb, ja = _columns(_Floats, form, charts, mid, mid)
    n, h = len(form.y), len(form.a)
    J = np.stack([np.stack([jb[j][k][0] for k in range(h)] + [ja[j][k][0] for k in range(h)], axis=-1)
                  for j in range(n)], axis=1)  # (N, n, 2h)
    J = np.nan_to_num(J, nan=0.0, posinf=0.0, neginf=0.0)
    G = J @ np.swapaxes(J, 1, 2)
    vs = np.linalg.eigh(G)[1][..., -1]
    return np.where(np.isfinite(vs), vs, 1.0)


# -- 3. the charts: the region far out, proved by a diagonal entry ---------------------------
def _ball(v):
    v = sp.Rational(v)
    return arb(int(v.p)) / int(v.q)


def _diag_b(form, k, a):
    """A lower bound (arb) of H_{b_k b_k} = 2c sum_j phi(a x_jk)^2 at a."""
    f = _ARB[form.act]
    return _ball(2 * form.c) * sum((f(arb(a) * _ball(abs(row[k]))) ** 2 for row in form.x), arb(0))


def _charts(form, T):
    """Per unit, the chart boxes ``[(kind, (lo_a, hi_a), (lo_b, hi_b))]`` and the words of
    step 1-2, or ``(None, why)``."""
    n = len(form.y)
    c2 = _ball(2 * form.c)
    Tb = arb(T)
    out, words = [], []
    for k in range(len(form.a)):
        xs = [abs(row[k]) for row in form.x]
        m = min(xs)
        # step 1, high side: H_{b_k b_k} >= T for a_k >= A (and a_k <= -A for odd tanh)
        if form.act in ("tanh", "sigmoid") and not float(2 * form.c * n) > T:
            return None, (f"a saturated {form.act} unit gives H_bb up to 2cn = {float(2 * form.c * n):.4g},"
                          f" not above {T:.4g}: the region far out is not excluded")
        A = 0.5
        while not _diag_b(form, k, A) > Tb:
            A *= 1.5
            if A > 1e4:
                return None, "no input weight far out was found with H_bb >= T"
        lo_a = -A if form.act == "tanh" else -HARD / float(m)
        # step 1, |b_k| >= B on lo_a <= a_k <= A: H_{a_k a_k} >= 2c B^2 q >= T
        # q <= min over lo_a <= a <= A of sum_j x_j^2 phi'(a x_j)^2: phi' peaks at 0 (tanh, sigmoid)
        # or rises (softplus), so each term is least at an end of the range
        f = _ARB[_DERIV[form.act][0]]
        q = sum((min(((_ball(x) * f(arb(e) * _ball(x))) ** 2).lower() for e in (lo_a, A)) for x in xs),
                arb(0))  # lower ends are exact points, so min compares them soundly
        if not q > 0:
            return None, "the output-weight bound degenerates"
        B = float_upper((Tb / (c2 * q)).sqrt()) * (1 + 1e-9)
        if not c2 * arb(B) ** 2 * q >= Tb:
            return None, "the output-weight bound did not verify"
        unit = [("mid", (lo_a, A), (-B, B))]
        text = (f"unit {k + 1}: |{form.a[k]}| >= {A:.4g}" if form.act == "tanh" else
                f"unit {k + 1}: {form.a[k]} >= {A:.4g}")
        text += f" (H_bb >= T), |{form.b[k]}| >= {B:.4g} (H_aa >= T)"
        if form.act != "tanh":  # step 2: the hard side a_k <= lo_a, w = exp(a_k m) <= W
            W = float_upper((arb(lo_a) * _ball(m)).exp())
            # H_aa >= 2c beta^2 m^2 F(z)^2 at the point with x = m, F >= 1/(1+W) (softplus) or its square
            F = 1 / (1 + arb(W)) if form.act == "softplus" else 1 / (1 + arb(W)) ** 2
            Bb = float_upper((Tb / (c2 * (_ball(m) * F) ** 2)).sqrt()) * (1 + 1e-9)
            if not c2 * arb(Bb) ** 2 * (_ball(m) * F) ** 2 >= Tb:
                return None, "the hard-side bound did not verify"
            unit.append(("hard", (0.0, W), (-Bb, Bb)))
            text += (f"; {form.a[k]} <= {lo_a:.4g} in the chart w = exp({m} {form.a[k]}) in [0, {W:.3g}],"
                     f" beta = {form.b[k]} w, |beta| <= {Bb:.4g}")
        out.append(unit)
        words.append(text)
    return out, "; ".join(words)


# -- 4. branch and bound ---------------------------------------------------------------------
def _cover(form, charts, lo, hi, T, *, max_boxes, batch=4096):
    """``(True, (leaves_lo, leaves_hi, their vectors v), seen)``: a float cover, every leaf
    decided; or ``(False, (open_lo, open_hi, None), seen)`` with the boxes still open past
    ``max_boxes``."""
    width0 = hi - lo
    todo_lo, todo_hi = [lo[None, :]], [hi[None, :]]
    leaves_lo, leaves_hi, leaves_v, seen = [], [], [], 0
    while todo_lo:
        L, H = np.concatenate(todo_lo), np.concatenate(todo_hi)
        if seen + len(L) > max_boxes:
            return False, (L, H, None), seen
        todo_lo, todo_hi = [], []
        for s in range(0, len(L), batch):
            l, h = L[s:s + batch], H[s:s + batch]
            seen += len(l)
            with np.errstate(all="ignore"):
                vs = _top_vectors(form, charts, l, h)
                ok = _decided(_Floats, form, charts, l, h, T * (1 + 1e-9), vs)
            leaves_lo.append(l[ok])
            leaves_hi.append(h[ok])
            leaves_v.append(vs[ok])  # the arb check reuses them: any v gives a valid bound
            l, h = l[~ok], h[~ok]
            if not len(l):
                continue
            dim = np.argmax((h - l) / width0, axis=1)
            rows = np.arange(len(l))
            cut = (l[rows, dim] + h[rows, dim]) / 2
            h1, l2 = h.copy(), l.copy()
            h1[rows, dim] = cut
            l2[rows, dim] = cut
            todo_lo += [l, l2]
            todo_hi += [h1, h]
    return True, (np.concatenate(leaves_lo), np.concatenate(leaves_hi), np.concatenate(leaves_v)), seen


def _flattest_in(form, charts, lo, hi, *, points=2000):
    """The least lambda_max(H) at zeros of r reached from open boxes (Gauss-Newton from their
    centres): a numeric estimate of s_min, or inf. Used only to pick the next T."""
    n, h = len(form.y), len(form.a)
    mid = (lo + hi) / 2
    # at the centres themselves, in chart coordinates (w = 0 included: limits at infinity)
    with np.errstate(all="ignore"):
        val, jb, ja = _columns(_Floats, form, charts, mid, mid)
        rc = np.stack([sum(val[j][k][0] for k in range(h)) - float(form.y[j]) for j in range(n)], axis=1)
        Jc = np.stack([np.stack([jb[j][k][0] for k in range(h)] + [ja[j][k][0] for k in range(h)], axis=-1)
                       for j in range(n)], axis=1)
        good = np.all(np.abs(rc) < 1e-3, axis=1)
        at_centres = _least_top(2 * float(form.c) * Jc[good] @ np.swapaxes(Jc[good], 1, 2))
    theta = np.empty_like(mid)
    for k, chart in enumerate(charts):
        u, v = mid[:, 2 * k], mid[:, 2 * k + 1]
        if chart == "mid":
            theta[:, k], theta[:, h + k] = u, v
        else:  # w = exp(a m), beta = b w
            m = float(min(abs(form.x[j][k]) for j in range(n)))
            with np.errstate(all="ignore"):
                theta[:, k], theta[:, h + k] = np.log(u) / m, v / u
    theta = theta[np.all(np.isfinite(theta), axis=1)][:points]
    if not len(theta):
        return at_centres
    X = np.array([[float(abs(form.x[j][k])) for k in range(h)] for j in range(n)])
    S = np.array([[1.0 if form.x[j][k] > 0 else -1.0 for k in range(h)] for j in range(n)])
    y = np.array([float(v) for v in form.y])
    f, df = _NP[form.act], _NP[_DERIV[form.act][0]]

    def parts(t):
        A, B = t[:, None, :h], t[:, None, h:]
        z = A * X
        r = np.sum(S * B * f(z), axis=2) - y
        J = np.concatenate([S * B * X * df(z), S * f(z)], axis=2)  # (N, n, 2h): d/da, d/db
        return r, J

    with np.errstate(all="ignore"):
        for _ in range(40):  # Gauss-Newton, minimum-norm steps, onto r = 0
            r, J = parts(theta)
            keep = np.all(np.isfinite(r), axis=1) & np.all(np.isfinite(J), axis=(1, 2))
            theta, r, J = theta[keep], r[keep], J[keep]
            if not len(theta):
                return at_centres
            theta = theta - np.einsum("nij,nj->ni", np.linalg.pinv(J), r)
        r, J = parts(theta)
        on = np.all(np.abs(r) < 1e-10, axis=1)
        lam = _least_top(2 * float(form.c) * J[on] @ np.swapaxes(J[on], 1, 2))
    return min(at_centres, lam)


def _least_top(G):
    """The least largest eigenvalue over a stack of symmetric matrices (non-finite ones skipped)."""
    G = G[np.all(np.isfinite(G), axis=(1, 2))]
    if not len(G):
        return math.inf
    try:
        return float(np.linalg.eigvalsh(G)[:, -1].min())
    except np.linalg.LinAlgError:
        return math.inf


def _prove(form, T, *, max_boxes):
    """``(boxes, words, flattest)``: boxes is the size of a verified cover proving
    lambda_max(H) >= T on every global minimum, or None (then ``words`` says why and
    ``flattest`` is a numeric lambda_max at a zero of r found in the open boxes, or inf)."""
    units, words = _charts(form, T)
    if units is None:
        return None, words, math.inf
    covers, total = [], 0
    for combo in itertools.product(*units):  # floats first: a chart that does not close ends it
        kinds = tuple(c[0] for c in combo)
        lo = np.array([e for c in combo for e in (c[1][0], c[2][0])], dtype=float)
        hi = np.array([e for c in combo for e in (c[1][1], c[2][1])], dtype=float)
        closed, (L, H, vs), seen = _cover(form, kinds, lo, hi, T, max_boxes=max_boxes)
        total += seen
        if not closed:
            return (None, f"the cover of the charts {kinds} did not close within {max_boxes} boxes",
                    _flattest_in(form, kinds, L, H))
        covers.append((kinds, L, H, vs))
    obj = np.vectorize(arb, otypes=[object])
    for kinds, L, H, vs in covers:  # the proof: every leaf again in arb, from its exact float corners
        if not np.all(_decided(_Balls, form, kinds, obj(L), obj(H), T, vs)):
            return None, "a box decided in floats failed in ball arithmetic", math.inf
    return total, words, math.inf


def network_upper(gdmap, estimate, *, max_boxes=400_000, seconds=30.0):
    """A certified upper bound of eta* for a one-hidden-layer network, or ``(None, why)``.

    ``estimate`` is the flattest minimum's lambda_max found numerically; the bound proved is
    ``lambda_max(H) >= T = estimate / (1 + margin)`` on every global minimum, for the smallest
    margin in :data:`MARGINS` that closes (``max_boxes`` per chart). When a search fails but
    meets a zero of r flatter than the estimate, it starts again from that one. The caller must
    have proved min L = 0.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps.models import mlp
    >>> g = mlp([[sp.Rational(1, 2), 1]], [[sp.Rational(2, 5), sp.Rational(7, 10)]], [2], "softplus")
    >>> bound, _ = network_upper(g, 0.8944381)  # the flattest minimum found, at a_1 ~ -10
    >>> round(bound.upper, 4), bound.sharpness < 0.8877  # below the infimum, at a_1 -> -oo
    (2.2584, True)
    """
    form, why = _form(gdmap.loss, tuple(gdmap.state))
    if form is None:
        return None, why
    if not (estimate > 0 and math.isfinite(estimate)):
        return None, "no finite positive estimate of s_min"
    why, estimate, deadline = "", float(estimate), time.monotonic() + seconds
    found = None
    for _ in range(6):  # rounds: each restarts from a flatter zero of r met by the last search
        for margin in MARGINS:
            if time.monotonic() > deadline:
                return None, f"{why} (stopped after {seconds:g} s)"
            T = estimate / (1 + margin)
            boxes, why, flattest = _prove(form, T, max_boxes=max_boxes)
            if boxes is not None:
                found = (T, boxes, why)
                break
            if flattest < estimate / (1 + MARGINS[-1]):
                estimate = flattest
                break
        else:
            break  # every margin failed and nothing flatter was met
        if found is not None:
            break
    if found is None:
        return None, why
    T, boxes, words = found
    upper = float_upper(2 / arb(T))
    argument = (
        f"Certified: eta* <= {upper!r}. The loss is c sum_j r_j^2 (c = {form.c}) with r_j ="
        f" sum_k b_k {form.act}(a_k x_jk) - y_j, a one-hidden-layer network of {len(form.a)} units"
        f" on {len(form.y)} points; min L = 0, so the global minima are {{r = 0}}, where H ="
        " 2c J^T J and lambda_max(H) is at least each diagonal entry and each 2c |J^T v|^2 /"
        f" |v|^2. Far out it is >= T = {T!r} by one diagonal entry ({words}); a branch and"
        f" bound over {boxes} boxes of the compact rest found in each either no zero of r or"
        " lambda_max(H) >= T, every box checked in arb ball arithmetic. So s_min >= T, an"
        " infimum possibly not attained (approached at infinity), and eta* = 2/s_min <= 2/T.")
    return NetworkBound(T, upper, boxes, argument), None
