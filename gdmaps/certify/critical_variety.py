"""Exact eta* when the global minima of a polynomial loss form a positive-dimensional variety.

The critical set of L is split into pieces on which L is constant (a factoring Groebner
decomposition; on each piece the levels of L found on a generic slice, and what they leave,
the saturation, split again). The lowest level m carried by an exhibited real point is the
global minimum value whenever L has one (every lower level is shown to carry no real point,
or the method answers None); L is proved to attain it for zero-residual sums of squares,
coercive losses, and losses whose rescaling symmetries balance every point onto a slice where
L is coercive.
On the minima variety V (a Groebner basis G with V = V(G), of dimension k), the spectrum of H
is read from the characteristic polynomial chi(theta, lambda) = det(lambda I - H) reduced
modulo G:

* constant coefficients: the spectrum is the same at every point of V, and s_min is the
  largest root (Burer-Monteiro: V is one orbit of X -> X Q);
* otherwise the infimum of lambda_max over V is attained (lambda_max >= tr H / d and tr H is
  coercive, or V is bounded), at a point where the top eigenvalue branch is stationary along V
  (a Lagrange point of a factor of chi), two branches cross, a branch has a multiple root, or
  V is singular: finitely many exact points, each with its exact lambda_max (matrix
  factorization: V is the curve u v^T = const).

The local shape of V comes from the linear symmetries of L (d theta/dt = A theta with
grad L . A theta = 0, solved exactly): their orbits lie in V, so where they span k directions
V is a k-manifold, its tangent is ker Jac G, and rank H = d - k there is Morse-Bott. For a
zero-residual sum of d - k squares it comes from the implicit function theorem on r = 0.
"""

from __future__ import annotations

import itertools

import flint
import sympy as sp
from sympy.polys.orderings import grevlex
from sympy.polys.polyerrors import BasePolynomialError

from gdmaps.certify._bounded_below import bounded_below, dominant_pure_powers
from gdmaps.certify._zero_dimensional import (charpoly_mod, compose_mod, exact_point, extreme_eigenvalues,
                                              horner, identify, lowest, solve_zero_dimensional)
from gdmaps.exact.algebraic import compare_exact
from gdmaps.certify.rate import CriticalLearningRate, Exactness
from gdmaps.certify.sos import sos_residuals
from gdmaps.exact.interval import NotCertifiableError
from gdmaps.certify.non_singularity import _short
from gdmaps.exact.varieties import decompose

__all__ = ["variety_minima"]

#: The largest number of parameters attempted (symbolic characteristic polynomials grow fast).
MAX_DIM = 5


class _Undecided(Exception):
    """A step could not be proved: the method answers None."""


def variety_minima(gdmap) -> CriticalLearningRate | None:
    """eta* of a polynomial loss whose global minima form a positive-dimensional variety.

    Parameters
    ----------
    gdmap : GDMap
        A polynomial loss with rational coefficients in at most ``MAX_DIM`` parameters; its eta
        is ignored.

    Returns
    -------
    CriticalLearningRate or None
        Exact eta* = 2 / s_min. ``minima_proved`` is True when L is proved to attain its
        infimum (else None: the points are the lowest critical points); ``morse_bott`` when
        the flattest minimum is shown Morse-Bott. None when the critical set is finite (another
        method decides) or a step of the proof below does not go through.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b, x, y = sp.symbols("a b x y")
    >>> fit = ((2 - a*x)**2 + (a*y)**2 + (b*x)**2 + (1 - b*y)**2) / 2  # ||diag(2, 1) - u v^T||^2 / 2
    >>> variety_minima(GDMap(fit, [a, b, x, y]))
    <CriticalLearningRate (exact): eta* = 1/2, s_min = 4>

    Notes
    -----
    The rank-1 fit of diag(s1, s2), s1 > s2 > 0: the minima are u = (t, 0), v = (s1/t, 0), and
    there H has the eigenvalues 0, t^2 + s1^2/t^2 and (t^2 + s1^2/t^2)/2 +- sqrt((t^2 - s1^2/t^2)^2/4
    + s2^2); the largest is t^2 + s1^2/t^2 >= 2 s1 (AM-GM, equality at t^2 = s1): eta* = 1/s1.
    The proof steps, in order: (1) the critical set is split into pieces on which L is a constant
    (levels found on a generic slice, the remainder by saturation, recursively); (2) the lowest
    level m carried by an exhibited real point is the least real critical value, and L attains
    its infimum there when L >= 0 = m (a sum of squares), L is coercive, or rescaling symmetries
    balance every point onto a slice where L is coercive; (3) s_min over V = {critical, L = m}
    as in the module docstring.
    """
    try:
        return _variety(gdmap)
    except (_Undecided, ArithmeticError, NotCertifiableError, BasePolynomialError,
            NotImplementedError, ValueError):
        return None


# -- the levels of L on the critical set ----------------------------------------------------
def _groebner(polys, state):
    return sp.groebner(polys, *state, order="grevlex", domain="QQ")


def _dimension(G, state):
    lead = [sp.Poly(g, *state).monoms(order=grevlex)[0] for g in G.exprs]
    n = len(state)
    for size in range(n, -1, -1):
        for subset in itertools.combinations(range(n), size):
            if all(any(m[i] for i in range(n) if i not in subset) for m in lead):
                return size, subset
    return 0, ()


def _levels(G, loss, state, k, depth=0):
    """``[(q, piece)]`` covering V(G): L is a root of the irreducible q on V(piece).

    ``q`` is None for a zero-dimensional piece (its values are computed point by point).
    """
    if k == 0:
        return [(None, G)]
    red = G.reduce(loss)[1]
    t = sp.Dummy("t")
    if sp.Poly(red, *state).is_ground:
        return [(sp.Poly(t - red, t), G)]
    if depth > 3:
        raise _Undecided("the levels of L on a piece of the critical set were not found")
    # a generic slice (k linear equations) meets every k-dimensional part: the candidate levels
    slices = [sum((1 + (3 * i + 5 * j) % 7) * v for j, v in enumerate(state)) - (i + 2) * (1 + i % 3)
              for i in range(k)]
    E = sp.groebner(list(G.exprs) + slices + [t - loss], *state, t, order="lex", domain="QQ")
    p = sp.Poly(E.exprs[-1], *state, t)
    if any(p.degree(v) > 0 for v in state):
        raise _Undecided("the slice is not finite")
    p = sp.Poly(p.as_expr(), t).sqf_part()
    out = []
    for q, _ in sp.factor_list(p.as_expr(), t)[1]:
        piece = _groebner(list(G.exprs) + [sp.expand(q.subs(t, loss))], state)
        if piece.exprs != [1]:
            out.append((sp.Poly(q, t), piece))
    # the rest: the closure of V(G) minus {p(L) = 0}, the saturation G : p(L)^oo (Rabinowitsch)
    w = sp.Dummy("w")
    R = sp.groebner(list(G.exprs) + [1 - w * sp.expand(p.as_expr().subs(t, loss))], w, *state,
                    order="lex", domain="QQ")
    rest = [e for e in R.exprs if not e.has(w)]
    if rest != [1] and rest:
        rest = _groebner(rest, state)
        out += _levels(rest, loss, state, _dimension(rest, state)[0], depth + 1)
    elif not rest:
        raise _Undecided("the saturation is the whole space")
    return out


def _real_points(G, state):
    """Real points of V(G), each ``(field, index, coords)`` in shape position, trial by trial.

    The independent variables of G are fixed at small rationals; the rest is a finite system.
    """
    from gdmaps.certify._zero_dimensional import _Field

    k, free = _dimension(G, state)
    rest = [v for i, v in enumerate(state) if i not in free]
    trials = [1, 0, -1, 2, sp.Rational(1, 2), -2, 3]
    for values in itertools.islice(itertools.product(trials, repeat=k), 60):
        sub = {state[i]: c for i, c in zip(free, values)}
        eqs = [e for e in (sp.expand(g.subs(sub)) for g in G.exprs) if e != 0]
        if not rest:
            if not eqs:
                z = sp.Dummy("z")
                yield _Field(sp.Poly(z, z)), 0, [sp.Poly(sub[v], z) for v in state]
            continue
        fams = solve_zero_dimensional(eqs, rest) if eqs else None
        for field, coords in fams or ():
            z = field.f.gen
            full = [coords[rest.index(v)] if v in rest else sp.Poly(sub[v], z) for v in state]
            for i in range(len(field.exact)):
                yield field, i, full


def _value(expr, state, point):
    """expr at an algebraic point, exact (identified by its ball)."""
    from gdmaps.certify._zero_dimensional import exact_values

    field, i, coords = point
    found = exact_values([(field, coords)], expr, state)
    if found is None:
        raise _Undecided("a value could not be identified")
    return found[i][3]


def _points_at_levels(q, piece, loss, state):
    """``{level: real point}`` for the real roots of q reached by a real point of the piece."""
    roots = q.real_roots()
    found = {}
    for point in _real_points(piece, state):
        if q.degree() == 1:
            v = roots[0]
        else:
            value = _value(loss, state, point)
            v = next((r for r in roots if compare_exact(r, value) == 0), None)
            if v is None:
                raise _Undecided("a point of the piece is off its levels")
        found.setdefault(v, point)
        if len(found) == len(roots):
            break
    return roots, found


# -- exact numbers at an algebraic point ----------------------------------------------------
def _at(expr, state, point):
    """expr at the point, as a polynomial in z reduced modulo the point's field."""
    field, _, coords = point
    return compose_mod(sp.expand(expr), state, coords, field.f)


def _top_eigenvalue(H, state, point):
    """lambda_max(H) at an algebraic point, exact (a rational or CRootOf), and chi there."""
    field, k, coords = point
    f = field.f
    z, t = f.gen, sp.Dummy("t")
    d = len(state)
    Hz = [[_at(H[i, j], state, point) for j in range(d)] for i in range(d)]
    chi = charpoly_mod(sp.Matrix([[e.as_expr() for e in row] for row in Hz]), z, f, t)
    res = sp.Poly(sp.resultant(f.as_expr(), chi.as_expr(), z), t)

    def top():
        r = field.balls()[k]
        Hb = flint.arb_mat([[horner(Hz[i][j], r) for j in range(d)] for i in range(d)])
        return [extreme_eigenvalues(Hb)[1]]

    ids, _ = identify(top, [res])
    if ids is None:
        raise _Undecided("lambda_max could not be identified")
    return ids[0], sp.Poly(chi.as_expr(), t), z, f


def _zero_multiplicity(chi, f):
    """The multiplicity of the eigenvalue 0: the first non-zero coefficient of chi (in t), mod f."""
    t = chi.gens[0]
    z = f.gen
    for j in range(chi.degree() + 1):
        c = sp.Poly(chi.as_expr(), t).coeff_monomial(t ** j)
        if not sp.Poly(c, z).rem(f).is_zero:
            return j
    return chi.degree()


# -- symmetries -----------------------------------------------------------------------------
def _symmetries(loss, state):
    """A basis of the matrices A with grad L(theta) . A theta = 0 identically."""
    d = len(state)
    A = sp.Matrix(d, d, lambda i, j: sp.Dummy(f"a{i}{j}"))
    unknowns = list(A)
    grad = [sp.diff(loss, v) for v in state]
    expr = sp.expand(sum(g * (A * sp.Matrix(state))[i] for i, g in enumerate(grad)))
    if expr == 0:
        return [sp.eye(d)]
    eqs = sp.Poly(expr, *state).coeffs()
    M, _ = sp.linear_eq_to_matrix(eqs, unknowns)
    return [sp.Matrix(d, d, list(v)) for v in M.nullspace()]


def _orbit_matrix(sym, state):
    th = sp.Matrix(state)
    return sp.Matrix.hstack(*[S * th for S in sym]) if sym else sp.zeros(len(state), 0)


def _minors(M, size):
    rows, cols = M.shape
    if size > min(rows, cols):
        return []
    return [sp.expand(M.extract(list(r), list(c)).det(method="berkowitz"))
            for r in itertools.combinations(range(rows), size)
            for c in itertools.combinations(range(cols), size)]


def _nonzero_minor(M, size, state, point):
    f = point[0].f
    return any(not _at(m, state, point).rem(f).is_zero for m in _minors(M, size) if m != 0)


def _real_solutions(eqs, variables, d):
    """The real solutions of a finite system, as points on the first d variables."""
    fams = solve_zero_dimensional([e for e in eqs if e != 0], variables)
    if fams is None:
        raise _Undecided("a Lagrange system is not finite")
    return [(field, i, coords[:d]) for field, coords in fams for i in range(len(field.exact))]


# -- the body -------------------------------------------------------------------------------
def _variety(gdmap):
    state = tuple(gdmap.state)
    d = len(state)
    loss = sp.expand(gdmap.loss)
    if not 2 <= d <= MAX_DIM or loss.free_symbols - set(state) or not loss.is_polynomial(*state):
        return None
    poly = sp.Poly(loss, *state)
    if not all(c.is_Rational for c in poly.coeffs()) or poly.total_degree() < 2:
        return None
    grad = [poly.diff(v).as_expr() for v in state]
    comps = decompose(grad, state)
    if all(c.dimension == 0 for c in comps):
        return None  # finitely many critical points: exact_polynomial decides
    real_levels, undecided, isolated = [], [], []
    for comp in comps:
        G = _groebner(list(comp.equations), state)
        if comp.dimension == 0:
            isolated += _isolated_values(G, loss, state)
            continue
        for q, piece in _levels(G, loss, state, comp.dimension):
            k, _ = _dimension(piece, state)
            if q is None or k == 0:
                isolated += _isolated_values(piece, loss, state)
                continue
            roots, found = _points_at_levels(q, piece, loss, state)
            real_levels += [(v, piece, k, point, q.degree() == 1) for v, point in found.items()]
            undecided += [r for r in roots if r not in found]
    if not real_levels:
        return None
    m = lowest([v for v, *_ in real_levels] + [v for v, _ in isolated])
    if any(compare_exact(u, m) <= 0 for u in undecided):
        raise _Undecided("a piece at or below the lowest level has undecided real points")
    # a piece whose L has several levels: s_min is taken at the candidates on the level m
    pieces = [(piece, k, point, None if single else m) for v, piece, k, point, single in real_levels
              if compare_exact(v, m) == 0]
    # isolated critical points at the level m must lie on a variety of minima (covered by it)
    for v, pt in isolated:
        if compare_exact(v, m) == 0 and not any(_on(piece, state, pt) for piece, *_ in pieces):
            raise _Undecided("an isolated critical point at the lowest level")
    H = sp.hessian(loss, state)
    lam = sp.Dummy("lam")
    chi = sp.Poly((lam * sp.eye(d) - H).det(method="berkowitz"), lam)
    sym = _symmetries(loss, state)
    chart = _chart(gdmap.loss, state, m, sym)
    results = [_sharpness(piece, k, point, loss, state, H, chi, lam, chart, level)
               for piece, k, point, level in pieces]
    s = lowest([r[0] for r in results])
    s, point, morse, why = next(r for r in results if r[0] == s)
    proved, how = _attained(gdmap.loss, poly, state, m, sym, point)
    text = (f"The critical set of L splits into pieces on which L is constant (a factoring Groebner"
            f" decomposition; on each piece the levels of L come from a generic slice, and the rest of"
            f" the piece, its saturation by them, is split again until none is left); the"
            f" lowest level with a real point is L = {_short(m)}, on {len(pieces)} variety(ies) of"
            f" dimension {', '.join(str(p[1]) for p in pieces)}: {how}. {why}")
    try:  # each coordinate by its own minimal polynomial: shorter than the shape-position form
        minimizer = tuple(_value(v, state, point) for v in state)
    except _Undecided:
        minimizer = exact_point(*point)
    eta = sp.oo if s == 0 else 2 / s
    return CriticalLearningRate(eta, s, Exactness.EXACT, minimizer, text, morse_bott=morse,
                                minima_proved=proved)


def _on(G, state, point):
    """Whether an algebraic point lies on V(G): every generator vanishes there, exactly."""
    return all(_at(g, state, point).rem(point[0].f).is_zero for g in G.exprs)


def _isolated_values(G, loss, state):
    from gdmaps.certify._zero_dimensional import exact_values

    fams = solve_zero_dimensional(list(G.exprs), state)
    if fams is None:
        raise _Undecided("a zero-dimensional piece was not solved")
    values = exact_values(fams, loss, state)
    if values is None:
        raise _Undecided("critical values could not be identified")
    return [(v, (field, k, coords)) for field, k, coords, v in values]


def _sharpness(G, k, point, loss, state, H, chi, lam, chart, level=None):
    """``(s, point, morse_bott, why)``: inf over V(G) of lambda_max(H), exactly."""
    d = len(state)
    red = [G.reduce(sp.expand(c))[1] for c in chi.all_coeffs()]
    orbits, size, chart_text = chart(k)
    if all(sp.Poly(c, *state).is_ground for c in red):
        cp = sp.Poly(sum(c * lam ** (d - i) for i, c in enumerate(red)), lam)
        s = max(cp.real_roots(), key=lambda r: sp.N(r, 30))
        zeros = _multiplicity_zero(cp)
        morse = zeros == k and _nonzero_minor(orbits, size, state, point)
        why = (f"The characteristic polynomial of H reduces modulo the ideal of the minima to the"
               f" constant {_short(cp.as_expr())}, so the spectrum is the same at every minimum and"
               f" s_min = {_short(s)}, its largest root.")
        return s, point, morse, why + _morse_text(morse, k, chart_text)
    candidates, how = _candidates(G, k, loss, state, red, lam, orbits, size, chart_text)
    if level is not None:  # L takes finitely many values on V(G): {L = level} is open and closed in it
        candidates = [p for p in candidates if compare_exact(_value(loss, state, p), level) == 0]
    if not candidates:
        raise _Undecided("no real candidate point")
    tops = [(_top_eigenvalue(H, state, p), p) for p in candidates]
    s = lowest([t[0][0] for t in tops])
    (_, chi_at, _, f), best = next(t for t in tops if t[0][0] == s)
    J = sp.Matrix([[sp.diff(g, v) for v in state] for g in G.exprs])
    morse = (_zero_multiplicity(chi_at, f) == k and _nonzero_minor(orbits, size, state, best)
             and _nonzero_minor(J, d - k, state, best))
    why = (f"{how} lambda_max is least at {_short(exact_point(*best))}: s_min = {_short(s)}.")
    return s, best, morse, why + _morse_text(morse, k, chart_text)


def _multiplicity_zero(cp):
    coeffs = list(reversed(cp.all_coeffs()))
    return next(j for j, c in enumerate(coeffs) if c != 0)


def _morse_text(morse, k, chart_text):
    if not morse:
        return " Morse-Bott is not shown at the flattest minimum."
    return (f" There rank H = d - {k} and {chart_text}: a {k}-manifold of minima through the point,"
            " whose tangent is ker H, so the minima are Morse-Bott there (the normal Hessian is"
            " non-degenerate, and critical points near that manifold lie on it).")


def _chart(loss, state, m, sym):
    """``k -> (matrix, size, text)``: where a size-minor of the matrix is non-zero, V is a k-manifold.

    Zero-residual L = sum c_j r_j^2 with exactly d - k residuals: {r = 0} is a k-manifold where
    Jac r has rank d - k (implicit functions). Otherwise the linear symmetries of L: their orbits
    lie in V and span k directions where the orbit matrix [A_1 theta, ...] has rank k.
    """
    d = len(state)
    terms = sos_residuals(loss, tuple(state)) if m == 0 else None
    res = [r for _, r in terms or () if r != 0]

    def chart(k):
        if res and len(res) == d - k:
            Jr = sp.Matrix([[sp.diff(r, v) for v in state] for r in res])
            return Jr, d - k, (f"the {d - k} residuals r (L = sum c_j r_j^2 = 0 on the minima) have"
                               f" independent gradients, so {{r = 0}} is a {k}-manifold")
        return _orbit_matrix(sym, state), k, (f"{k} linear symmetries of L (grad L . A theta = 0) move"
                                              f" the point in {k} independent directions, in the minima")
    return chart


def _candidates(G, k, loss, state, red, lam, orbits, size, chart_text):
    """Every point of V where lambda_max can be least, with the proof that its least is attained."""
    d = len(state)
    gens = list(G.exprs)
    # 1. the infimum is attained: V bounded, or lambda_max >= tr H / d coercive
    trace = sp.expand(sum(sp.diff(loss, v, 2) for v in state))
    if sp.Poly(G.reduce(sp.expand(sum(v ** 2 for v in state)))[1], *state).is_ground:
        attained = "V is bounded (|theta|^2 is constant on it), so lambda_max attains its infimum on V."
    elif dominant_pure_powers(sp.Poly(trace, *state), state):
        attained = (f"lambda_max >= tr H / {d} with tr H = {_short(trace)} coercive, so lambda_max attains"
                    " its infimum on the closed set V.")
    else:
        raise _Undecided("lambda_max is not proved to attain its infimum on the minima")
    chibar = sp.expand(sum(c * lam ** (d - i) for i, c in enumerate(red)))
    branches, constant = [], []
    for f, _ in sp.factor_list(chibar, *state, lam)[1]:
        fp = sp.Poly(f, *state, lam)
        if fp.degree(lam) == 0:
            continue  # cannot vanish identically in lam on V: chi is monic in lam
        if any(fp.degree(v) > 0 for v in state):
            branches.append(f)
        else:
            constant += sp.Poly(f, lam).real_roots()
    extra = ""
    if constant:
        if any(c > 0 for c in constant):
            raise _Undecided("an eigenvalue branch is a positive constant")
        if not _trace_positive(G, trace, state):
            raise _Undecided("lambda_max is not proved positive on V")
        extra = (" The eigenvalue branches that are constant on V are <= 0 < tr H / d <= lambda_max"
                 " (tr H is a sum of squares without a zero on V), so never the largest.")
    J = sp.Matrix([[sp.diff(g, v) for v in state] for g in gens])
    full = list(state) + [lam]
    points = []
    # 2. singular points of V and points where the symmetries span fewer than k directions
    points += _real_solutions(gens + _minors(J, d - k), state, d)
    points += _real_solutions(gens + _minors(orbits, size), state, d)
    # 3. stationary points of a branch, multiple roots, crossings
    for f in branches:
        row = sp.Matrix([[sp.diff(f, v) for v in state]])
        points += _real_solutions(gens + [f] + _minors(J.col_join(row), d - k + 1), full, d)
        points += _real_solutions(gens + [f, sp.diff(f, lam)], full, d)
    for f, g in itertools.combinations(branches, 2):
        points += _real_solutions(gens + [f, g], full, d)
    how = (f"On V, lambda_max is the largest root of chi reduced modulo G, which factors into"
           f" {len(branches)} branch(es) depending on theta. {attained}{extra} At a least point either"
           " V is singular (rank Jac G < d - k), or the local chart fails (where it holds,"
           f" {chart_text}), or (elsewhere V is that k-manifold, with tangent ker Jac G)"
           " the top branch is stationary along V (a Lagrange point: grad_theta f in the row space"
           " of Jac G), has a multiple root, or crosses another branch. These systems are finite;"
           f" their {len(points)} real point(s) are exact.")
    return points, how


def _trace_positive(G, trace, state):
    """tr H > 0 on V(G): tr H (or its normal form modulo G) is a sum of squares, none zero on V."""
    for form in (trace, sp.expand(G.reduce(trace)[1])):
        terms = sos_residuals(form, tuple(state))
        if terms is not None and _groebner(list(G.exprs) + [r for _, r in terms], state).exprs == [1]:
            return True
    return False


def _attained(loss, poly, state, m, sym, point):
    """(minima_proved, why): whether the lowest level is proved to be the global minimum of L."""
    if m == 0 and sos_residuals(loss, tuple(state)) is not None:
        return True, "L is a sum of squares with positive weights, so L >= 0 = its value there"
    ok, why = bounded_below(poly, state, m, loss)
    if ok:
        return True, why
    why = _balanced_slice(loss, poly, state, m, point)
    if why is not None:
        return True, why
    return None, ("L is not proved bounded below with its infimum attained, so these are the"
                  " lowest critical points: the global minima, if L has any, are among them")


def _scalings(poly, state):
    """Weights w in {-1, 0, 1}^d with L(t^w theta) = L(theta), pairwise disjoint supports."""
    E = sp.Matrix([list(m) for m in poly.monoms()])
    out, used = [], set()
    for v in E.nullspace():
        v = v / max(abs(c) for c in v)
        if not all(c in (-1, 0, 1) for c in v) or not any(c == 1 for c in v) or not any(c == -1 for c in v):
            continue
        support = {i for i, c in enumerate(v) if c != 0}
        if support & used:
            return []
        used |= support
        out.append([int(c) for c in v])
    return out


def _balanced_slice(loss, poly, state, m, point):
    """Why the infimum of L is attained, by balancing the rescaling symmetries; None if not proved.

    With L(t theta_P, theta_N / t, theta_0) = L(theta) for t > 0, every theta with theta_P != 0
    and theta_N != 0 moves within its level set to the slice S = {|theta_P|^2 = |theta_N|^2}. On S,
    L = F := L + sum (|theta_P|^2 - |theta_N|^2)^2, and F is coercive when L = sum c_j r_j^2 with
    deg r_j <= 2 and the quadratic parts q_j of the r_j and the balances have no common real zero
    on the unit sphere (F >= kappa |theta|^4 - C |theta|^3 - C'). So L attains its infimum over S,
    which is its infimum off E = {theta_P = 0 or theta_N = 0}; on E, L >= m is shown separately.
    """
    from gdmaps.certify.critical_poly import polynomial_minima
    from gdmaps.core.gd import GDMap

    scalings = _scalings(poly, state)
    terms = sos_residuals(loss, tuple(state))
    if not scalings or terms is None:
        return None
    if any(sp.Poly(r, *state).total_degree() > 2 for _, r in terms):
        return None
    quad = []
    for _, r in terms:
        rp = sp.Poly(r, *state)
        quad.append(sum(c * sp.Mul(*(v ** e for v, e in zip(state, mo)))
                        for mo, c in rp.terms() if sum(mo) == 2))
    balances = [sp.expand(sum(state[i] ** 2 * w[i] for i in range(len(state)))) for w in scalings]
    sphere = sp.expand(sum(v ** 2 for v in state) - 1)
    if _groebner([q for q in quad if q != 0] + balances + [sphere], state).exprs != [1]:
        return None
    # the witness is off E, and L >= m on E
    for w in scalings:
        for sign in (1, -1):
            group = [state[i] for i in range(len(state)) if w[i] == sign]
            if _at(sum(v ** 2 for v in group), state, point).rem(point[0].f).is_zero:
                return None
            rest = [v for v in state if v not in group]
            LE = sp.expand(loss.subs({v: 0 for v in group}))
            if not LE.free_symbols:
                if compare_exact(LE, m) < 0:
                    return None
                continue
            low = polynomial_minima(GDMap(LE, [v for v in rest if LE.has(v)]))
            if low is None or low.attained is not True or compare_exact(low.value, m) < 0:
                return None
    names = "; ".join(", ".join(f"{state[i]}" for i in range(len(state)) if w[i] == 1) + " -> t *, "
                      + ", ".join(f"{state[i]}" for i in range(len(state)) if w[i] == -1) + " -> / t"
                      for w in scalings)
    return (f"L is invariant under the rescalings {names} (t > 0); each orbit off E (a scaled group"
            " zero) meets the balanced slice S where the groups have equal norms, and on S L is"
            " coercive (L = sum c_j r_j^2 with deg r_j <= 2, whose quadratic parts and the"
            " balances have no common zero on the unit sphere: a Groebner basis is {1}), so the"
            " infimum of L off E is attained; on E, L >= the lowest critical value, and a point of"
            " that level lies off E. So L attains its infimum at a critical point, whose value is"
            " the lowest real critical level: these are the global minima")
