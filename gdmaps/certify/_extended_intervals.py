"""Interval evaluation of an expression on cones reaching infinity.

:mod:`gdmaps.certify.critical_analytic` proves L > U on {|x|_inf >= R} by bounding L below on
cones ``x_i = s r, x_j = r y_j`` (r >= rho, y in a box) that cover it. This is that
evaluation:

- interval arithmetic with infinite endpoints, floats rounded outward through arb
  (exp(-inf) = 0, tanh(+-inf) = +-1, 0 * inf = 0 for ends that are limits, ...);
- polynomial parts at infinity: P of degree m is r^m Ptilde(1/r, y), Ptilde on a compact box;
- affine lower (and upper) models a r + b <= T of every node for all r >= rho on a cone,
  which see the growth that intervals lose to -inf + inf.

:class:`_Extended` compiles a loss into these rules (used by :mod:`gdmaps.certify._analytic_search`).
"""

from __future__ import annotations

import math

import sympy as sp
from flint import arb

from gdmaps.exact.interval import NotCertifiableError, box, compile_interval, float_lower, float_upper

__all__ = ["_Extended", "_INF", "_down", "_mul", "_up"]

_INF = math.inf
_ALL = (-_INF, _INF)


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

