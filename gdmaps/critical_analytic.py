"""A certified bracket of eta* for small analytic losses (exp, log, tanh, cosh, softplus, ...).

eta* = 2 / s_min with s_min the least lambda_max(H) over the global minima. For a loss
that is proved real-analytic on R^d (d <= 3) this module proves, in ball arithmetic,

1. where the global minima are: a numeric minimum p gives U >= L(p) >= min L (a ball
   evaluation at the exact float point p), and L > U is proved on {|x|_inf >= R} by
   interval arithmetic with infinite endpoints over a finite cover of that unbounded set;
   so every global minimum lies in the open cube B = (-R, R)^d;
2. which critical points they can be: interval branch and bound over B discards boxes
   where L > U or where the gradient enclosure misses 0; the Krawczyk test (on the
   gradient) proves each remaining critical point unique in a small box;
3. lambda_max(H) and positive definiteness at the lowest of them, in balls: a Rayleigh
   quotient below, Sylvester's criterion for t I - H above.

Everything that is not proved makes :func:`certified_analytic` answer None; it never
guesses.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp
from flint import arb, arb_mat

from gdmaps.analyticity import analyticity
from gdmaps.critical import CriticalLearningRate, Exactness
from gdmaps.errors import InvalidTypeError, check_int
from gdmaps.gd import GDMap
from gdmaps.interval import (PREC, NotCertifiableError, box, compile_interval, float_lower,
                             float_upper, working_precision)

__all__ = ["certified_analytic"]

#: The largest dimension handled: the cover of {|x|_inf >= R} has 2 d cones over (d-1)-cubes,
#: and the branch and bound in B grows like (R / box size)^d.
MAX_DIM = 3
#: Boxes of B narrower than this (relative to R) that are still undecided end the proof:
#: a non-isolated or degenerate critical point at a low value.
_MIN_WIDTH = 1e-9
#: Attempts at the outer radius (each four times the previous).
_RADIUS_ROUNDS = 4

_INF = math.inf
_ALL = (-_INF, _INF)


class _GiveUp(Exception):
    """A step of the proof failed; the message says which (the answer is None)."""


# -- interval arithmetic with infinite endpoints (floats rounded outward through arb) ---
def _down(ball):
    return float_lower(ball)


def _up(ball):
    return float_upper(ball)


def _add(x, y):
    lo = -_INF if -_INF in (x[0], y[0]) else _down(arb(x[0]) + arb(y[0]))
    hi = _INF if _INF in (x[1], y[1]) else _up(arb(x[1]) + arb(y[1]))
    return lo, hi


def _end_product(p, q):
    """(lower, upper) of p * q for interval ends, with 0 * inf = 0 (ends are limits)."""
    if p == 0 or q == 0:
        return 0.0, 0.0
    if math.isinf(p) or math.isinf(q):
        v = _INF if (p > 0) == (q > 0) else -_INF
        return v, v
    b = arb(p) * arb(q)
    return _down(b), _up(b)


def _mul(x, y):
    ends = [_end_product(p, q) for p in x for q in y]
    return min(e[0] for e in ends), max(e[1] for e in ends)


def _inv(x):
    lo, hi = x
    if lo >= 0 and hi > 0:
        return (0.0 if hi == _INF else _down(1 / arb(hi)), _INF if lo == 0 else _up(1 / arb(lo)))
    if hi <= 0 and lo < 0:
        return (-_INF if hi == 0 else _down(1 / arb(hi)), 0.0 if lo == -_INF else _up(1 / arb(lo)))
    return _ALL


def _power_end(v, n, down):
    if math.isinf(v):
        return v if n % 2 or v > 0 else _INF
    b = arb(v) ** n
    return _down(b) if down else _up(b)


def _ipow(x, n):
    if n == 0:
        return 1.0, 1.0
    if n < 0:
        return _inv(_ipow(x, -n))
    lo, hi = x
    if n % 2:
        return _power_end(lo, n, True), _power_end(hi, n, False)
    if lo <= 0 <= hi:
        return 0.0, _power_end(max(-lo, hi), n, False)
    small, big = (lo, hi) if lo > 0 else (-hi, -lo)
    return _power_end(small, n, True), _power_end(big, n, False)


def _positive_part(x):
    """x intersected with [0, inf): for bases proved positive by :func:`analyticity`."""
    return max(x[0], 0.0), x[1]


def _monotone(fn, at_minus, at_plus):
    """An increasing function on the ends; its limits at -inf and +inf given."""
    def apply(x):
        lo = at_minus if x[0] == -_INF else _down(fn(arb(x[0])))
        hi = at_plus if x[1] == _INF else _up(fn(arb(x[1])))
        return lo, hi
    return apply


def _log(x):
    lo, hi = _positive_part(x)
    return (-_INF if lo == 0 else _down(arb(lo).log()),
            _INF if hi == _INF else _up(arb(hi).log()))


def _cosh(x):
    lo, hi = x
    if lo <= 0 <= hi:
        small = arb(0)
    else:
        small = arb(min(abs(lo), abs(hi)))
    big = max(abs(lo), abs(hi))
    return _down(small.cosh()), (_INF if big == _INF else _up(arb(big).cosh()))


def _periodic(fn):
    def apply(x):
        if math.isinf(x[0]) or math.isinf(x[1]) or x[1] - x[0] > 7:
            return -1.0, 1.0
        b = fn(box([x[0]], [x[1]])[0])
        return max(_down(b), -1.0), min(_up(b), 1.0)
    return apply


def _half_pi(sign):
    b = arb.pi() / 2
    return -_up(b) if sign < 0 else _up(b)


_FUNCTIONS = {
    sp.exp: _monotone(arb.exp, 0.0, _INF),
    sp.tanh: _monotone(arb.tanh, -1.0, 1.0),
    sp.sinh: _monotone(arb.sinh, -_INF, _INF),
    sp.asinh: _monotone(arb.asinh, -_INF, _INF),
    sp.atan: _monotone(arb.atan, _half_pi(-1), _half_pi(1)),
    sp.erf: _monotone(arb.erf, -1.0, 1.0),
    sp.log: _log,
    sp.cosh: _cosh,
    sp.sin: _periodic(arb.sin),
    sp.cos: _periodic(arb.cos),
}


def _rpow(x, r):
    """x**r, r a non-integer Rational, the base positive on R^d: ends rounded outward."""
    lo, hi = _positive_part(x)
    rb = arb(int(r.p)) / int(r.q)

    def at(v, down):
        if v == 0:
            return 0.0 if r > 0 else _INF
        if v == _INF:
            return _INF if r > 0 else 0.0
        b = (arb(v).log() * rb).exp()
        return _down(b) if down else _up(b)
    return (at(lo, True), at(hi, False)) if r > 0 else (at(hi, True), at(lo, False))


_NUMBERS = {}


def _number(e):
    """Outward float ends of a constant expression (cached; any precision is sound)."""
    if e not in _NUMBERS:
        try:
            b = compile_interval([e], [])([])[0]
            _NUMBERS[e] = (_down(b), _up(b))
        except NotCertifiableError:
            _NUMBERS[e] = _ALL
    return _NUMBERS[e]


def _sum(parts):
    out = (0.0, 0.0)
    for p in parts:
        out = _add(out, p)
    return out


def _lower_model(iv):
    """The affine lower model (0, lo) that an interval gives, or None when lo = -inf."""
    return None if iv[0] == -_INF else (0.0, iv[0])


def _upper_model(iv):
    return None if iv[1] == _INF else (0.0, iv[1])


def _model_sum(models, down):
    if any(m is None for m in models):
        return None
    a, b = arb(0), arb(0)
    for ma, mb in models:
        a, b = a + ma, b + mb
    return (_down(a), _down(b)) if down else (_up(a), _up(b))


def _model_scale(c, m, down):
    """c * T from a model of T (c >= 0, an interval), rounded the way of ``down``."""
    if m is None:
        return None
    pa, pb = _mul(c, (m[0], m[0])), _mul(c, (m[1], m[1]))
    return (pa[0], pb[0]) if down else (pa[1], pb[1])


def _negate(m):
    return None if m is None else (-m[0], -m[1])


def _tangent_point(low, model, rho):
    """A point t0 <= the argument where a convex bound is tangent: its lower end at rho."""
    t0 = low if low > -_INF else 0.0
    if model[0] >= 0:
        t0 = max(t0, _down(arb(model[0]) * rho + model[1]))
    return min(t0, 600.0)


def _exp_model(u, rho):
    """exp(u) >= e^t0 (1 + u - t0) (convexity) >= e^t0 (a r + b + 1 - t0) from u >= a r + b."""
    if u[1] is None:
        return None
    a, b = u[1]
    t0 = _tangent_point(u[0][0], u[1], rho)
    E = arb(t0).exp()
    return _down(E * a), _down(E * (arb(b) + 1 - t0))


def _cosh_model(u, rho):
    """cosh(u) >= cosh(t0) + sinh(t0) (|u| - t0) for t0 >= 0 (convex in |u|), |u| >= +-u."""
    m = _best(u[1], _negate(u[2]))
    if m is None:
        return None
    low = 0.0 if u[0][0] <= 0 <= u[0][1] else min(abs(u[0][0]), abs(u[0][1]))
    t0 = max(_tangent_point(low, m, rho), 0.0)
    C, S = arb(t0).cosh(), arb(t0).sinh()
    return _down(S * m[0]), _down(C + S * (arb(m[1]) - t0))


def _best(*models):
    """The model that grows fastest (ties: the larger intercept)."""
    models = [m for m in models if m is not None]
    return max(models) if models else None


class _Extended:
    """A loss compiled into closures on intervals with infinite ends, for unbounded cones.

    The cone ``{x : x_i = s r, x_j = r y_j, r >= rho, y in Y}`` is evaluated with x_i in
    s [rho, inf) and x_j in [rho, inf) * Y_j, every node by the outward rounded interval
    rules above. Two refinements see the growth that intervals lose to -inf + inf:

    - A maximal polynomial subexpression P of total degree m is enclosed at infinity:
      P(r yhat) = r^m Ptilde(1/r, y), Ptilde a polynomial on the compact box
      [0, 1/rho] x Y evaluated in balls, so P lies in [rho^m, inf) * Ptilde(box) (a
      positive definite top form gives growth r^m whatever the lower terms); a sum is
      split into its polynomial part (one node) and the rest.
    - Every node also carries affine models a r + b <= T <= a' r + b' valid for all
      r >= rho on the piece: x_k = r yhat_k; sums add; products of factors >= 0 scale
      one factor's model by the others' lower ends; u^(2k) >= |u|_min^(2k-1) |u|;
      exp and cosh by their tangents at the lower end t0 of the argument (convexity:
      exp(u) >= e^t0 (1 + u - t0), cosh(u) >= cosh(t0) + sinh(t0) (|u| - t0), t0 >= 0);
      log(cosh(u)) >= |u| - log 2, log(e^u + w) >= u for w >= 0, and |u| >= +-u.
      On the piece, T >= a rho + b when a >= 0.
    """

    def __init__(self, expr, state):
        self.state = tuple(state)
        self.d = len(self.state)
        self._tau = {}
        self.fn = self._node(expr)

    def __call__(self, x, cone):
        i, s, rho, Y = cone
        yhat = list(Y)
        yhat.insert(i, (float(s), float(s)))
        iv, lm, _ = self.fn({"x": x, "cone": cone, "yhat": yhat})
        if lm is not None and lm[0] >= 0:
            return max(iv[0], _down(arb(lm[0]) * rho + lm[1])), iv[1]
        return iv

    def _is_poly(self, e):
        return bool(e.free_symbols) and e.is_polynomial(*self.state)

    # -- intervals only (inside a polynomial) ----------------------------------------
    def _plain(self, e):
        if not e.free_symbols:
            const = _number(e)
            return lambda env: const
        if e.is_Symbol:
            k = self.state.index(e)
            return lambda env: env["x"][k]
        parts = [self._plain(a) for a in e.args]
        if e.is_Add:
            return lambda env: _sum(p(env) for p in parts)
        if e.is_Mul:
            return lambda env: _product([p(env) for p in parts])
        if e.is_Pow and e.exp.is_Integer and e.exp >= 0:
            n = int(e.exp)
            return lambda env: _ipow(parts[0](env), n)
        return lambda env: _ALL

    # -- intervals with affine models ---------------------------------------------
    def _node(self, e):
        if not e.free_symbols:
            const = _number(e)
            triple = (const, _lower_model(const), _upper_model(const))
            return lambda env: triple
        if e.is_Symbol:
            k = self.state.index(e)
            return lambda env: (env["x"][k], (env["yhat"][k][0], 0.0), (env["yhat"][k][1], 0.0))
        if self._is_poly(e):
            return self._polynomial(e)
        if e.is_Add:
            poly = [a for a in e.args if self._is_poly(a)]
            parts = [self._node(a) for a in e.args if not self._is_poly(a)]
            if poly:
                parts.append(self._polynomial(sp.Add(*poly)))
            return lambda env: _sum_triples([p(env) for p in parts])
        if e.is_Mul:
            c = _number(sp.Mul(*[a for a in e.args if not a.free_symbols]))
            parts = [self._node(a) for a in e.args if a.free_symbols]
            return lambda env: _product_triples(c, [p(env) for p in parts])
        if e.is_Pow:
            return self._power(e)
        if e.func is sp.log and len(e.args) == 1:
            return self._log(e.args[0])
        fn = _FUNCTIONS.get(e.func)
        if fn is None or len(e.args) != 1:
            return lambda env: (_ALL, None, None)
        arg = self._node(e.args[0])
        grows = {sp.exp: _exp_model, sp.cosh: _cosh_model}.get(e.func)

        def apply(env):
            u = arg(env)
            iv = fn(u[0])
            lm = _lower_model(iv)
            if grows is not None:
                lm = _best(lm, grows(u, env["cone"][2]))
            return iv, lm, _upper_model(iv)
        return apply

    def _power(self, e):
        base, ex = e.args
        b = self._node(base)
        if ex.is_Integer:
            n = int(ex)

            def ipow(env):
                u = b(env)
                iv = _ipow(u[0], n)
                lm = _lower_model(iv)
                if n >= 2 and n % 2 == 0:
                    low = 0.0 if u[0][0] <= 0 <= u[0][1] else min(abs(u[0][0]), abs(u[0][1]))
                    factor = _power_end(low, n - 1, True)
                    lm = _best(lm, _model_scale((factor, factor), _best(u[1], _negate(u[2])), True))
                return iv, lm, _upper_model(iv)
            return ipow
        if ex.is_Rational:
            def rpow(env):
                iv = _rpow(b(env)[0], ex)
                return iv, _lower_model(iv), _upper_model(iv)
            return rpow
        x = self._node(ex)

        def general(env):
            iv = _FUNCTIONS[sp.exp](_mul(x(env)[0], _log(b(env)[0])))
            return iv, _lower_model(iv), _upper_model(iv)
        return general

    def _log(self, w):
        inner = self._node(w)
        below = []  # closures giving lower models of log(w)
        terms = sp.Add.make_args(w)
        for k, t in enumerate(terms):
            if t.func not in (sp.exp, sp.cosh):
                continue
            rest = [self._node(r) for j, r in enumerate(terms) if j != k]
            u = self._node(t.args[0])
            below.append((t.func is sp.cosh, u, rest))
        log2 = _number(sp.log(2))[1]

        def apply(env):
            iv = _log(inner(env)[0])
            lm = _lower_model(iv)
            for is_cosh, u, rest in below:
                if any(r(env)[0][0] < 0 for r in rest):
                    continue  # log(t + w) >= log(t) needs w >= 0
                uu = u(env)
                m = _best(uu[1], _negate(uu[2])) if is_cosh else uu[1]
                if m is not None and is_cosh:  # cosh(u) >= e^|u| / 2
                    m = (m[0], _down(arb(m[1]) - log2))
                lm = _best(lm, m)
            return iv, lm, _upper_model(iv)
        return apply

    def _polynomial(self, e):
        whole = self._polynomial_whole(e)
        if not e.is_Add:
            return whole
        # the terms one by one too: x**2/4 + 3*x/10 keeps the linear model of 3*x/10
        terms = [self._polynomial_whole(t) if t.free_symbols else self._node(t) for t in e.args]

        def best_of(env):
            w, t = whole(env), _sum_triples([f(env) for f in terms])
            return _meet(w, t)
        return best_of

    def _polynomial_whole(self, e):
        natural = self._plain(e)
        poly = sp.Poly(sp.expand(e), *self.state)
        m = poly.total_degree()
        terms = poly.terms()
        const = _number(poly.coeff_monomial(1))
        key = len(self._tau)
        self._tau[key] = {}

        def enclosure(env):
            x = natural(env)
            if m == 0:
                return x, _lower_model(x), _upper_model(x)
            i, s, rho, Y = env["cone"]
            forms = self._tau[key]
            f = forms.get((i, s))
            if f is None:
                f = forms[(i, s)] = self._tau_form(terms, m, i, s)
            try:
                pt = f(box([0.0] + [y[0] for y in Y], [_up(1 / arb(rho))] + [y[1] for y in Y]))[0]
            except NotCertifiableError:
                return x, _lower_model(x), _upper_model(x)
            at_inf = _mul((_power_end(rho, m, True), _INF), (_down(pt), _up(pt)))
            x = max(x[0], at_inf[0]), min(x[1], at_inf[1])
            lm, um = _lower_model(x), _upper_model(x)
            if m == 1:  # P = r F1(yhat) + F0, F1 = Ptilde(0, y)
                f1 = f(box([0.0] + [y[0] for y in Y], [0.0] + [y[1] for y in Y]))[0]
                lm = _best(lm, (_down(f1), const[0]))
                um = _negate(_best(_negate(um), (-_up(f1), -const[1])))
            else:  # P = r^m Ptilde >= rho^(m-1) min(Ptilde) r when min(Ptilde) >= 0
                scale = _power_end(rho, m - 1, True)
                if _down(pt) >= 0:
                    lm = _best(lm, (_down(arb(scale) * _down(pt)), 0.0))
                if _up(pt) <= 0:
                    um = _negate(_best(_negate(um), (-_up(arb(scale) * _up(pt)), 0.0)))
            return x, lm, um
        return enclosure

    def _tau_form(self, terms, m, i, s):
        tau = sp.Dummy("tau")
        ys = [sp.Dummy(f"y{j}") for j in range(self.d) if j != i]
        yhat = list(ys)
        yhat.insert(i, sp.Integer(s))
        expr = sp.Add(*[c * tau ** (m - sum(alpha)) * sp.Mul(*[v ** a for v, a in zip(yhat, alpha)])
                        for alpha, c in terms])
        return compile_interval([expr], [tau] + ys)


def _product(ivs):
    out = (1.0, 1.0)
    for iv in ivs:
        out = _mul(out, iv)
    return out


def _sum_triples(parts):
    iv = _sum(p[0] for p in parts)
    lm = _best(_lower_model(iv), _model_sum([p[1] for p in parts], True))
    um = _model_sum([p[2] for p in parts], False)
    um = _negate(_best(_negate(_upper_model(iv)), _negate(um)))
    return iv, lm, um


def _meet(p, q):
    """Two valid (interval, lower model, upper model) of one node: the best of each."""
    iv = max(p[0][0], q[0][0]), min(p[0][1], q[0][1])
    lm = _best(_lower_model(iv), p[1], q[1])
    um = _negate(_best(_negate(_upper_model(iv)), _negate(p[2]), _negate(q[2])))
    return iv, lm, um


def _product_triples(c, parts):
    """c * prod(parts) for a constant interval c and factors (interval, lower, upper model)."""
    iv = _mul(c, _product([p[0] for p in parts]))
    lm, um = _lower_model(iv), _upper_model(iv)
    if c[0] >= 0 and all(p[0][0] >= 0 for p in parts):
        # every factor >= 0: T >= c_lo * (the others' lower ends) * factor j
        for j, p in enumerate(parts):
            others = _product([(c[0], c[0])] + [(q[0][0], q[0][0]) for k, q in enumerate(parts) if k != j])
            lm = _best(lm, _model_scale((max(others[0], 0.0),) * 2, p[1], True))
    if len(parts) == 1:  # c * T with c a constant interval
        v = parts[0]
        if c[0] >= 0:
            lm = _best(lm, _model_scale(c, v[1], True))
            um = _negate(_best(_negate(um), _negate(_model_scale(c, v[2], False))))
        elif c[1] <= 0:
            minus = (-c[1], -c[0])
            lm = _best(lm, _model_scale(minus, _negate(v[2]), True))
            um = _negate(_best(_negate(um), _model_scale(minus, v[1], True)))
    return iv, lm, um


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


def _branch_and_bound(L, R, U, counter):
    """Every critical point of L in [-R, R]^d where L may be <= U, each proved unique.

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
    stack = [(np.full(d, -float(R)), np.full(d, float(R)))]
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


# -- 3. spectra in balls -----------------------------------------------------------
def _positive_definite(A, d) -> bool:
    """Sylvester: every leading principal minor of the ball matrix is > 0."""
    return all(arb_mat([[A[i, j] for j in range(k)] for i in range(k)]).det() > 0
               for k in range(1, d + 1))


def _spectrum(H, d):
    """Proved bounds of lambda_max and lambda_min of the symmetric matrices in H.

    Returns ``(max_lo, max_hi, min_lo, min_hi)``; an end that was not proved is None.
    max_lo and min_hi are Rayleigh quotients v^T H v / v^T v with fixed float vectors;
    max_hi = t when t I - H is positive definite, min_lo = t when H - t I is.
    """
    M = np.array([[float(H[i, j].mid()) for j in range(d)] for i in range(d)])
    mu, V = np.linalg.eigh((M + M.T) / 2)

    def rayleigh(v):
        v = [arb(float(c)) for c in v]
        num = sum((v[i] * H[i, j] * v[j] for i in range(d) for j in range(d)), arb(0))
        return num / sum((c * c for c in v), arb(0))

    def shifted(t, sign):
        return arb_mat([[sign * ((arb(t) if i == j else arb(0)) - H[i, j]) for j in range(d)]
                        for i in range(d)])

    def bound(mu_k, sign):
        for eps in (1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9):
            t = float(mu_k + sign * eps * (1 + abs(mu_k)))
            if _positive_definite(shifted(t, sign), d):
                return t
        return None

    return (_down(rayleigh(V[:, -1])), bound(mu[-1], 1), bound(mu[0], -1), _up(rayleigh(V[:, 0])))


# -- 4. ties: signed permutations that leave L unchanged prove equal values ---------
def _symmetries(loss, state):
    """Signed permutations sigma with L(sigma x) identical to L(x) (SymPy expand gives 0)."""
    d = len(state)
    out = []
    for perm in itertools.permutations(range(d)):
        for signs in itertools.product((1, -1), repeat=d):
            if perm == tuple(range(d)) and all(s == 1 for s in signs):
                continue
            image = {state[k]: signs[k] * state[perm[k]] for k in range(d)}
            if sp.expand(loss.xreplace(image) - loss) == 0:
                out.append((perm, signs))
    return out


def _image(sigma, lo, hi):
    """The box sigma([lo, hi]), (sigma x)_k = s_k x_perm(k)."""
    perm, signs = sigma
    a = np.array([lo[perm[k]] if signs[k] > 0 else -hi[perm[k]] for k in range(len(perm))])
    b = np.array([hi[perm[k]] if signs[k] > 0 else -lo[perm[k]] for k in range(len(perm))])
    return a, b


def _residuals(expr):
    """``[r_j]`` with ``expr == sum_j c_j r_j**2`` syntactically (numbers c_j > 0), or None."""
    out = []
    for term in sp.Add.make_args(expr):
        c, rest = term.as_coeff_Mul()
        if not (c.is_Rational and c > 0):
            return None
        if rest.is_Add:
            inner = _residuals(rest)
            if inner is None:
                return None
            out += inner
            continue
        r = sp.S.One
        for f in sp.Mul.make_args(rest):
            if not (f.is_Pow and f.exp.is_Integer and f.exp > 0 and f.exp % 2 == 0):
                return None
            r *= f.base ** (f.exp // 2)
        out.append(r)
    return out


def _zero_residual(loss, state, points):
    """Indices of the points where L = sum c_j r_j^2 >= 0 is proved to vanish (L = 0 = min L).

    With as many residuals as parameters, a Krawczyk test on r = (r_1, ..., r_d) proves a
    zero w of r in a tiny box inside the uniqueness box of the critical point q: then
    L(w) = 0 <= L everywhere, so w is a critical point, w = q, and L(q) = 0 exactly.
    """
    res = _residuals(loss)
    d = len(state)
    if res is None or len(res) != d or not all(r.free_symbols for r in res):
        return []
    try:
        F = compile_interval(res, state)
        jac = compile_interval([sp.diff(r, v) for r in res for v in state], state)
    except NotCertifiableError:
        return []

    def DF(balls):
        e = jac(balls)
        return arb_mat([e[i * d:(i + 1) * d] for i in range(d)])
    return [k for k, q in enumerate(points) if _tight_zero(F, DF, d, q.mid, q.region) is not None]


def _equal_classes(points, sigmas, equal):
    """Union-find of the points whose values are proved equal.

    i ~ j when a symmetry maps point i into the uniqueness box of point j (then
    L(q_i) = L(sigma q_i) = L(q_j)), and all indices in ``equal`` (proved values 0) are one
    class. Returns the root of each point.
    """
    parent = list(range(len(points)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i
    for i, p in enumerate(points):
        for sigma in sigmas:
            a, b = _image(sigma, p.lo, p.hi)
            for j, q in enumerate(points):
                if j != i and _inside(a, b, q.region):
                    parent[root(i)] = root(j)
    for i in equal[1:]:
        parent[root(i)] = root(equal[0])
    return [root(i) for i in range(len(points))]


# -- the whole proof -----------------------------------------------------------------
def _radius_for(p) -> float:
    return float(2.0 ** math.ceil(math.log2(1 + 1.5 * float(np.max(np.abs(p))))))


def _run(gdmap, *, max_boxes, prec, starts, seed):
    """The bracket, or raise :class:`_GiveUp` saying which step failed."""
    state = tuple(gdmap.state)
    d, loss = len(state), gdmap.loss
    if d > MAX_DIM:
        raise _GiveUp(f"{d} parameters; at most {MAX_DIM} are handled")
    if loss.free_symbols - set(state):
        raise _GiveUp(f"free symbols {sorted(map(str, loss.free_symbols - set(state)))}")
    why = analyticity(loss, state)
    if not why:
        raise _GiveUp(why.reason)
    L = _Loss(loss, state, prec)
    p = _numeric_minimum(L, starts, seed)
    if p is None or not np.max(np.abs(p)) < 1e6:
        raise _GiveUp("the numeric search found no minimum in a bounded region")
    U = L.value_upper(p)
    if not math.isfinite(U):
        raise _GiveUp("L is not evaluable at the numeric minimum")
    counter = _Counter(max_boxes)
    R = _radius_for(p)
    for _ in range(_RADIUS_ROUNDS):
        share = _Counter(min(max_boxes // 4, counter.budget - counter.used))
        try:
            pieces = _exclude_outside(L, U, R, share)
            counter.used += share.used
            break
        except _LowerPoint as low:
            p, U = low.point, low.value
            R = max(4 * R, _radius_for(p))
        except _GiveUp:
            R *= 4
        counter.used += share.used
    else:
        raise _GiveUp(f"L > U outside a cube is not proved (last radius {R / 4:g}): L may have"
                      " no global minimum, or grow too slowly")
    U_out = U
    points, U, leaves, outcome = _branch_and_bound(L, R, U, counter)
    for q in points:
        q.spectrum = _spectrum(q.H, d)
    top = min([U] + [_up(q.value) for q in points])
    minima = []
    for q in points:
        if not _down(q.value) <= top:
            continue
        mx_lo, mx_hi, mn_lo, mn_hi = q.spectrum
        if mn_hi < 0:
            continue  # a negative eigenvalue: a saddle or a maximum, not a minimum
        if mn_lo is None or mn_lo <= 0 or mx_hi is None:
            raise _GiveUp(f"the Hessian at the critical point {q.mid} is not proved definite")
        minima.append(q)
    if not minima:
        raise _GiveUp("no proved minimum at the lowest value")
    classes, zeros = [0] * len(minima), []
    if len(minima) > 1:
        zeros = _zero_residual(loss, state, minima)
        classes = _equal_classes(minima, _symmetries(loss, state), zeros)
    proved = len(set(classes)) == 1
    flattest = min(minima, key=lambda q: q.spectrum[1])
    s_lo = min(q.spectrum[0] for q in minima)
    s_hi = flattest.spectrum[1] if proved else max(q.spectrum[1] for q in minima)
    if not s_lo > 0:
        raise _GiveUp("lambda_max(H) is not proved positive")
    eta_lo = _down(arb(2) / arb(s_hi))
    eta_hi = _up(arb(2) / arb(s_lo))
    how = (f"L is a sum of squares whose residuals vanish at {len(zeros)} of them (Krawczyk on"
           " the residuals, so L = 0 = min L there)" if zeros else "")
    if len(zeros) < len(minima):
        how += ("; " if how else "") + "signed permutations sigma with L o sigma = L map them onto each other"
    argument = _argument(d, R, U_out, pieces, leaves, outcome, points, minima, proved, how,
                         s_lo, s_hi, eta_lo, eta_hi, prec)
    sharp = (flattest.spectrum[0] + flattest.spectrum[1]) / 2
    return CriticalLearningRate((eta_lo + eta_hi) / 2, sharp, Exactness.CERTIFIED, flattest.mid,
                                argument, morse_bott=True, certified_lower=eta_lo,
                                certified_upper=eta_hi, minima_proved=True if proved else None)


def _fmt(q):
    mx_lo, mx_hi, mn_lo, _ = q.spectrum
    where = ", ".join(f"{v:.12g}" for v in q.mid)
    return (f"({where}): L in [{_down(q.value):.15g}, {_up(q.value):.15g}], lambda_max(H) in"
            f" [{mx_lo:.15g}, {mx_hi:.15g}], lambda_min(H) >= {mn_lo:.6g}")


def _argument(d, R, U_out, pieces, leaves, outcome, points, minima, proved, how, s_lo, s_hi,
              eta_lo, eta_hi, prec):
    shown = "; ".join(_fmt(q) for q in minima[:6]) + ("; ..." if len(minima) > 6 else "")
    ties = ("" if len(minima) == 1 else
            (f" {len(minima)} minima have values that balls do not separate; their values are"
             f" proved equal ({how}), so all are global minima." if proved else
             f" {len(minima)} minima have values that balls do not separate and are not"
             " proved equal: the global minima are among them, s_min is bracketed over all of"
             " them, and none is proved a global minimum (no witness for instability failing)."))
    return (
        f"certified in {prec}-bit ball arithmetic. Global minima in B = (-{R:g}, {R:g})^{d}:"
        f" L <= U = {U_out!r} at a numeric minimum (a ball at the exact float point), and"
        f" L > U on |x|_inf >= {R:g}, proved on {pieces} cone pieces x_i = +-r, x_j = r y_j"
        " (r >= R, |y_j| <= 1) by interval arithmetic with infinite ends (polynomial parts"
        " bounded at infinity as r^m Ptilde(1/r, y), affine growth models a r + b)."
        f" Branch and bound over B: {leaves} boxes, {outcome['value']} dropped as L > U,"
        f" {outcome['gradient']} as the gradient misses 0, {outcome['Hessian']} as a diagonal"
        f" entry of H is < 0, {outcome['Krawczyk']} as the Krawczyk operator misses them;"
        f" {outcome['contracted']} contracted and {outcome['split']} split. Krawczyk proved"
        f" {len(points)} critical point(s) at values <= U, each unique in its box. Minima at"
        f" the lowest value: {shown}.{ties} So s_min in [{s_lo!r}, {s_hi!r}] (Rayleigh"
        " quotients below, Sylvester's criterion for t I - H above) and eta* = 2/s_min in"
        f" [{eta_lo!r}, {eta_hi!r}]; H is positive definite there (Sylvester), so below eta*"
        " every multiplier 1 - eta lambda_i lies in (-1, 1)."
    )


def certified_analytic(gdmap, *, max_boxes=20000, prec=PREC, starts=12,
                       seed=0) -> CriticalLearningRate | None:
    """A proved bracket of eta* = 2 / s_min for a small analytic loss, or None.

    Parameters
    ----------
    gdmap : GDMap
        A loss of at most ``MAX_DIM`` = 3 parameters, proved real-analytic on R^d by
        :func:`gdmaps.analyticity.analyticity` (polynomials, exp, tanh, cosh, sinh, atan,
        erf, log of what is proved positive, ...), with no free symbol.
    max_boxes : int, keyword-only
        The most boxes examined (cone pieces outside the cube and boxes inside it).
    prec : int, keyword-only
        Bits of the ball arithmetic.
    starts, seed : keyword-only
        The numeric search for a low point (it only supplies the upper bound U).

    Returns
    -------
    CriticalLearningRate or None
        ``exactness=CERTIFIED`` with ``eta* in [certified_lower, certified_upper]`` proved,
        ``minimizer`` the flattest global minimum (floats), ``morse_bott=True`` (H is
        positive definite there) and ``minima_proved=True``; ``minima_proved=None`` when
        several minima at unseparated values are not proved equal (then ``certified_lower``
        uses the sharpest of them, and no point is claimed to be a global minimum). None
        when any step is not proved: a loss not proved analytic, d > 3, free symbols, no
        global minimum (L > U is not proved outside a cube), a degenerate or non-isolated
        critical point at a low value, or ``max_boxes`` exhausted.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x = sp.Symbol("x")
    >>> crit = certified_analytic(GDMap(sp.tanh(x)**2 + x**2, [x]))  # L''(0) = 4, eta* = 1/2
    >>> lo, hi = crit.certified_lower, crit.certified_upper
    >>> lo < 0.5 < hi, hi - lo < 1e-12, crit.minima_proved
    (True, True, True)
    >>> certified_analytic(GDMap(sp.log(1 + sp.exp(x)), [x])) is None  # no global minimum
    True

    Notes
    -----
    1. Where the global minima are. U = an upper ball end of L(p) at a numeric minimum p
       (BFGS from ``starts`` points), so min L <= U. With R = 2^ceil(log2(1 + 1.5 |p|_inf)),
       L > U is proved on {|x|_inf >= R}, covered by the 2d cones x_i = s r, x_j = r y_j
       (r >= R, y in [-1, 1]^(d-1)). On a cone, interval arithmetic with infinite ends
       (exp(-inf) = 0, tanh(+-inf) = +-1, 0 * inf = 0, ...) bounds L below, helped by two
       views of growth: a maximal polynomial P of degree m is r^m Ptilde(1/r, y) with
       Ptilde(tau, y) = tau^m P(yhat / tau) a polynomial on a compact box, and every node
       carries affine models a r + b <= T (x_k = r yhat_k, log cosh(u) >= |u| - log 2,
       log(1 + e^u) >= u, tangents of exp and cosh, ...), so L >= a R + b when a >= 0.
       Pieces that fail are split (y, then r into [rho, 2 rho] and [2 rho, inf)); a point
       outside with L < U restarts farther out with it, and R grows fourfold up to 4 times.
       So every global minimum lies in B = (-R, R)^d. This needs L to grow: a coercive
       polynomial part (weight decay) or coercive analytic parts, with bounded terms.
    2. Which critical points. Branch and bound over B: natural, mean-value and second-order
       forms of L against U (each box midpoint lowers U), the gradient enclosure, the sign
       of the Hessian diagonal, and the Krawczyk operator
       K(X) = m - Y g(m) + (I - Y H(X))(X - m) of the gradient g: K inside X proves one
       critical point in X, K missing X proves none, X meet K keeps them all. Every global
       minimum is a critical point with L <= U, so it is one of the proved points.
    3. Which are global. A proved point is a candidate when its value ball is not above the
       least upper end of all values; one with a negative Rayleigh quotient is no minimum.
       A single candidate is the global minimum. Several are all global when their values
       are proved equal: a signed permutation sigma with L o sigma = L (SymPy) maps one
       into the uniqueness box of another, or L = sum c_j r_j^2 syntactically (d residuals)
       and a Krawczyk test proves r = 0 at each (then L = 0 = min L there).
    4. The bracket. lambda_max in [v^T H v / v^T v, t] over the tight Krawczyk box (a
       Rayleigh quotient; Sylvester's criterion for t I - H), and H positive definite
       (Sylvester on H - t' I); eta*_lo = 2 / s_hi rounded down, eta*_hi = 2 / s_lo rounded
       up. Unproved ties give s_min in [min of lower ends, max of upper ends].

    Cost: about 0.3 ms per box for d <= 2 and 0.5 ms for d = 3; the examples of the tests
    use 30 to 2000 boxes (0.05 to 1 s). Ill-conditioned 3-parameter networks (weight decay
    1/100) may need 15000 boxes or exhaust ``max_boxes``.
    """
    if not isinstance(gdmap, GDMap):
        raise InvalidTypeError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    max_boxes = check_int("max_boxes", max_boxes, minimum=1)
    starts = check_int("starts", starts)
    prec = check_int("prec", prec, minimum=30)
    try:
        with working_precision(prec):
            return _run(gdmap, max_boxes=max_boxes, prec=prec, starts=starts, seed=seed)
    except (_GiveUp, NotCertifiableError, ArithmeticError, ValueError):
        return None  # a step not proved (or not evaluable): no bracket rather than a guess
