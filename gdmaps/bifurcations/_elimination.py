"""The algebra behind :mod:`gdmaps.bifurcations.exact_bifurcations`: orbit and multiplier equations,
elimination of the state (resultants, lex Groebner bases) and back-substitution of the
real solutions at high precision, with closed forms where they have degree <= 2."""

from __future__ import annotations

import mpmath
import sympy as sp

from gdmaps.core.errors import EliminationTooLargeError, InvalidArgumentError

_DPS = 60  # working precision (digits) of the numeric checks
_TOL = mpmath.mpf(10) ** -25




# -- the equations -----------------------------------------------------------------------------

def _numerator(e):
    return sp.expand(sp.fraction(sp.together(e))[0])


def _compound2(J):
    """The second compound matrix: its eigenvalues are the products mu_i mu_j, i < j."""
    d = J.shape[0]
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    return sp.Matrix(len(pairs), len(pairs),
                     lambda a, b: J[pairs[a][0], pairs[b][0]] * J[pairs[a][1], pairs[b][1]]
                     - J[pairs[a][0], pairs[b][1]] * J[pairs[a][1], pairs[b][0]])


def _equations(exprs, state, period):
    """f^p(x) - x (numerators) and D f^p as a product of Jacobians along the orbit."""
    Df = sp.Matrix(exprs).jacobian(sp.Matrix(state))
    point, J = list(state), sp.eye(len(state))
    for _ in range(period):
        sub = dict(zip(state, point))
        J = Df.xreplace(sub) * J
        point = [sp.together(e.xreplace(sub)) for e in exprs]
    return [_numerator(F - x) for F, x in zip(point, state)], J, point


def _condition(kind, J):
    d = J.shape[0]
    if kind == "fold":
        M = J - sp.eye(d)
    elif kind == "period-doubling":
        M = J + sp.eye(d)
    else:
        M = _compound2(J) - sp.eye(d * (d - 1) // 2)
    return _numerator(M.det(method="berkowitz"))


def _bezout(polys, gens):
    out = 1
    for g in polys:
        out *= max(sp.Poly(g, *gens).total_degree(), 1)
    return out


# -- elimination and back-substitution ---------------------------------------------------------

def _systems(kind, fixed, J, state, s, max_bezout):
    """Triangular systems (basis, eliminant) whose solutions hold the bifurcations."""
    cond = _condition(kind, J)
    gens = tuple(state) + (s,)
    size = _bezout(fixed + [cond], gens)
    if size > max_bezout:
        raise EliminationTooLargeError(
            f"eliminating the state for the {kind} condition has Bezout bound {size}"
            f" > max_bezout={max_bezout}; raise max_bezout if you can wait, or follow the orbits"
            f" numerically with gdmaps.continuation instead")
    if len(state) == 1:
        (x,) = state
        out = []
        for factor, _ in sp.factor_list(fixed[0], x, s)[1]:
            if sp.degree(factor, x) < 1:
                continue  # a condition on s alone: no point x
            res = sp.resultant(factor, cond, x)
            if res == 0:
                raise InvalidArgumentError(
                    f"the {kind} condition holds on a whole curve of points ({factor} = 0):"
                    " the bifurcation points are not isolated; drop this kind from kinds")
            out.append(([factor], sp.expand(res)))
        return out
    G = sp.groebner(fixed + [cond], *gens, order="lex")
    if list(G.exprs) == [1]:
        return []
    elim = [g for g in G.exprs if not (g.free_symbols & set(state))]
    if not elim:
        raise InvalidArgumentError(
            f"the {kind} condition holds on a set of dimension > 0 for every value of {s}"
            " (a continuum of orbits): the bifurcation points are not isolated; drop this kind"
            " from kinds")
    return [(list(G.exprs), elim[0])]


def _nice(e):
    """The same number in a simpler closed form where its minimal polynomial has degree <= 2."""
    e = sp.expand(e)
    if e.is_Rational:
        return e
    z = sp.Dummy("z")
    try:
        mp = sp.minimal_polynomial(e, z)
    except (NotImplementedError, sp.PolynomialError, ValueError):
        return e
    if sp.degree(mp, z) > 2:
        return sp.radsimp(sp.sqrtdenest(e))
    target = _to_mp(e)
    return min(sp.roots(sp.Poly(mp, z)), key=lambda r: abs(_to_mp(r) - target))


def _to_mp(v):
    return mpmath.mpc(sp.N(v, _DPS)) if not v.is_real else mpmath.mpf(sp.N(v, _DPS))


def _exact_roots(g, v, known):
    """Roots of g in v in closed form, from its factors of degree <= 2 over Q(known)), or None."""
    if sp.degree(g, v) <= 2:
        return list(sp.roots(sp.Poly(g, v)))
    ext = [k for k in known if not k.is_Rational and not k.has(sp.CRootOf)]
    if sp.degree(g, v) > 8 or not ext or any(k.has(sp.CRootOf) for k in known):
        return None
    try:
        factors = sp.factor_list(g, v, extension=ext)[1]
    except (NotImplementedError, sp.PolynomialError):
        return None
    return [r for f, _ in factors if sp.degree(f, v) <= 2 for r in sp.roots(sp.Poly(f, v))]


def _backsolve(basis, order, s, s_exact, s_num):
    """Real solutions of a triangular system once s is fixed: (exact dict or None, numeric dict)."""
    # a CRootOf value carries its own polynomial, whose generator can clash with the state
    partial = [(None if s_exact.has(sp.CRootOf) else {s: s_exact}, {s: s_num})]
    for v in order:
        nxt = []
        for ex, nu in partial:
            known = set(nu)
            cands = [g for g in basis if v in g.free_symbols and g.free_symbols <= known | {v}]
            numsub = {k: sp.Float(val, _DPS) for k, val in nu.items()}
            best = None
            for g in cands:
                coeffs = [mpmath.mpf(sp.N(c, _DPS)) for c in sp.Poly(g.xreplace(numsub), v).all_coeffs()]
                scale = max(abs(c) for c in coeffs) or 1
                while coeffs and abs(coeffs[0]) < _TOL * scale:
                    coeffs.pop(0)
                if len(coeffs) >= 2 and (best is None or len(coeffs) < len(best[1])):
                    best = (g, coeffs)
            if best is None:
                continue  # v is not determined: not an isolated point
            g, coeffs = best
            with mpmath.workdps(_DPS):
                roots = mpmath.polyroots(coeffs, maxsteps=500, extraprec=4 * _DPS)
            exact_roots = None
            if ex is not None:
                ge = sp.expand(g.xreplace(ex))
                exact_roots = _exact_roots(ge, v, [s_exact, *ex.values()])
            for root in roots:
                if abs(mpmath.im(root)) > mpmath.mpf(10) ** -20 * max(1, abs(root)):
                    continue
                val = mpmath.re(root)
                nu2 = {**nu, v: val}
                sub2 = {k: sp.Float(q, _DPS) for k, q in nu2.items()}
                if any(abs(sp.N(h.xreplace(sub2), 30)) > 1e-15 for h in cands):
                    continue
                ex2 = None
                if exact_roots is not None:
                    match = [r for r in exact_roots if abs(_to_mp(r) - val) < mpmath.mpf(10) ** -30]
                    if match:
                        ex2 = {**ex, v: _nice(match[0])}
                nxt.append((ex2, nu2))
        partial = nxt
    return partial
