"""Exact global minima of polynomial losses with finitely many critical points.

The global minima of a polynomial loss are among its real critical points. When the
critical set is finite, a lex Groebner basis in shape position writes every critical
point as ``(g_1(r), ..., g_d(r))`` with ``r`` a root of a univariate ``f``, so every real
critical point is an exact algebraic point. Critical values and Hessian eigenvalues are
then roots of resultants ``Res_z(f, t - V(z))`` and ``Res_z(f, det(t I - H(g(z))))``; each
is identified exactly by a ball that meets one isolating enclosure only (FLINT's certified
root isolation). The lowest critical value, the minimizers and s_min come out exact.

Soundness does not rest on boundedness below: the global minima, if any, are critical
points at the lowest critical value, so "each of these is unstable" covers them. A stable
one is a global minimum only when L is proved bounded below with its infimum attained
(``attained``); otherwise a certificate must not answer FAILS from it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import flint
import sympy as sp
from flint import arb

from gdmaps.algebraic import compare_exact
from gdmaps.critical import CriticalLearningRate, Exactness, _sos_residuals
from gdmaps.interval import float_lower, float_upper, working_precision

__all__ = ["PolynomialMinima", "polynomial_minima", "exact_polynomial"]

#: Bits of the first round of ball arithmetic; doubled up to three times when balls overlap.
PREC = 256
#: The largest number of complex critical points examined (the degree of the eliminant).
MAX_POINTS = 120
#: The largest dimension for which exact Hessian spectra are computed (a resultant of degree d*n).
MAX_EXACT_DIM = 6
#: The largest number of parameters whose critical ideal is attempted (Groebner bases grow fast).
MAX_DIM = 8


@dataclass(frozen=True, eq=False)
class PolynomialMinima:
    """The global minima of a polynomial loss, as exact algebra decides them.

    Attributes
    ----------
    points : tuple of tuples
        Exact coordinates of the real critical points at the lowest critical value.
    value : SymPy number or None
        The lowest critical value, exact (None when there is no real critical point).
    sharpness : tuple
        lambda_max(H) at each point, exact (rational or CRootOf), or None where the
        spectrum was not computed exactly.
    sharpness_balls, smallest_balls : tuple of flint.arb
        Certified enclosures of lambda_max(H) and lambda_min(H) at each point.
    attained : bool or None
        True when L is proved bounded below with its infimum attained, so these points
        are exactly the global minima; False when L provably has no global minimum;
        None when neither is proved.
    reason : str
        Why ``attained`` is what it is.
    """

    points: tuple
    value: object
    sharpness: tuple
    sharpness_balls: tuple
    smallest_balls: tuple
    attained: bool | None
    reason: str
    #: every other real critical point: ``(point, value, lambda_min ball, lambda_max ball)``;
    #: None when the critical points were not all computed (an unbounded univariate loss)
    others: tuple | None = None

    def __repr__(self) -> str:
        return (f"<PolynomialMinima: {len(self.points)} point(s) at the lowest critical value"
                f" {self.value}; attained: {self.attained}>")


# -- univariate polynomials in z with rational coefficients, evaluated on balls --------
def _fmpq(c) -> flint.fmpq:
    c = sp.Rational(c)
    return flint.fmpq(int(c.p), int(c.q))


def _horner(poly: sp.Poly, ball: arb) -> arb:
    out = arb(0)
    for c in poly.all_coeffs():
        out = out * ball + arb(_fmpq(c))
    return out


def _real_root_balls(poly: sp.Poly) -> list:
    """Certified isolating enclosures of the real roots of a squarefree poly, increasing."""
    fp = flint.fmpq_poly([_fmpq(c) for c in reversed(poly.all_coeffs())])
    return [r.real for r, _ in fp.complex_roots() if r.imag == 0]


class _Field:
    """The real roots of an irreducible f, as exact CRootOf and as balls at a precision."""

    def __init__(self, f: sp.Poly):
        self.f = f
        self.exact = f.real_roots()  # increasing, like FLINT's real roots

    def balls(self):
        balls = _real_root_balls(self.f)
        if len(balls) != len(self.exact):
            raise ArithmeticError("root isolation disagrees with SymPy's real-root count")
        return balls


# -- the critical points -----------------------------------------------------------------
def _zero_dimensional(G, state) -> bool:
    lead = [sp.Poly(g, *state).monoms(order="grevlex")[0] for g in G.exprs]
    return all(any(m[i] > 0 and sum(m) == m[i] for m in lead) for i in range(len(state)))


def _radical(eqs, state):
    """Add the squarefree eliminant of every variable (Seidenberg): the radical of a 0-dim ideal."""
    out = list(eqs)
    for v in state:
        order = [w for w in state if w != v] + [v]
        last = sp.groebner(out, *order, order="lex").exprs[-1]
        poly = sp.Poly(last, *state)
        if all(poly.degree(w) == 0 for w in state if w != v):
            out.append(sp.Poly(last, v).sqf_part().as_expr())
    return out


def _shape(eqs, state, z, form):
    """``[(f, coords)]`` with every complex solution ``coords(r)``, ``f(r) = 0``; else None."""
    # grevlex then FGLM: a direct lex Buchberger blows up on systems with a few dozen solutions
    lex = sp.groebner(list(eqs) + [z - form], *state, z, order="grevlex").fglm("lex")
    polys = [sp.Poly(g, *state, z) for g in lex.exprs]
    if len(polys) != len(state) + 1:
        return None
    coords = []
    for v, p in zip(state, polys):
        lead = p.coeff_monomial(v)
        if p.degree(v) != 1 or not lead.is_Rational or lead == 0 or any(
                p.degree(w) > 0 for w in state if w != v):
            return None
        coords.append(sp.Poly(v - p.as_expr() / lead, z))
    f = sp.Poly(polys[-1].as_expr(), z)
    return f, coords


def _families(poly, state):
    """The real critical points as families ``(field, coords)``; None if not finite or not shaped."""
    if len(state) == 1:
        return solve_zero_dimensional([poly.diff(state[0]).as_expr()], state)
    return solve_zero_dimensional([poly.diff(v).as_expr() for v in state], state)


def solve_zero_dimensional(eqs, state):
    """Every real solution of polynomial equations with finitely many complex solutions.

    Returns families ``(field, coords)``: the solutions are ``coords(r)`` for the real roots
    ``r`` of the irreducible ``field.f``, exactly; ``[]`` when there is no solution; None
    when the solution set is not finite, too large, or not put in shape position.
    """
    z = sp.Dummy("z")
    if len(state) == 1:
        x = state[0]
        g = sp.Poly(eqs[0], x)
        for e in eqs[1:]:
            g = g.gcd(sp.Poly(e, x))
        g = sp.Poly(g.as_expr().subs(x, z), z)
        if g.is_zero or g.degree() > MAX_POINTS:
            return None
        return [(_Field(sp.Poly(f, z)), [sp.Poly(z, z)]) for f, _ in sp.factor_list(g.as_expr(), z)[1]
                if sp.Poly(f, z).degree() > 0]
    G = sp.groebner(eqs, *state, order="grevlex")
    if G.exprs == [1]:
        return []
    if not _zero_dimensional(G, state):
        return None
    eqs = list(G.exprs)
    for attempt in range(6):
        if attempt == 2:
            eqs = _radical(eqs, state)
        weights = [1 + ((attempt + 1) * (3 * i + 1)) % 7 for i in range(len(state))]
        if attempt % 2:
            weights = [w * (-1) ** i for i, w in enumerate(weights)]
        shaped = _shape(eqs, state, z, sum(w * v for w, v in zip(weights, state)))
        if shaped is None:
            continue
        f, coords = shaped
        if f.degree() > MAX_POINTS:
            return None
        return [(_Field(sp.Poly(fac, z)), [c.rem(sp.Poly(fac, z)) for c in coords])
                for fac, _ in sp.factor_list(f.as_expr(), z)[1] if sp.Poly(fac, z).degree() > 0]
    return None


def exact_values(fams, expr, state):
    """``[(field, k, coords, value)]``: ``expr`` at every real solution, exact and identified.

    ``value`` is a rational or a CRootOf of an irreducible factor of Res_z(f, t - V(z)),
    V = expr(coords(z)) mod f: the root whose isolating enclosure meets the value's ball.
    None when the balls cannot be separated.
    """
    t = sp.Dummy("t")
    pts, values_z = [], []
    for field, coords in fams:
        values_z.append(compose_mod(expr, state, coords, field.f))
        pts += [(field, k, coords, len(values_z) - 1) for k in range(len(field.exact))]
    if not pts:
        return []
    resultants = [sp.Poly(sp.resultant(field.f.as_expr(), t - V.as_expr(), field.f.gen), t)
                  for (field, _), V in zip(fams, values_z)]

    def balls():
        roots = {id(field): field.balls() for field, _ in fams}
        return [_horner(values_z[j], roots[id(field)][k]) for field, k, _, j in pts]

    values, _ = _identify(balls, resultants)
    if values is None:
        return None
    return [(field, k, coords, v) for (field, k, coords, _), v in zip(pts, values)]


def compose_mod(expr, state, coords, f):
    """expr(coords(z)) mod f(z), with every product reduced on the way (no expression swell)."""
    poly = sp.Poly(expr, *state)
    powers = [{0: sp.Poly(1, f.gen), 1: c.rem(f)} for c in coords]

    def power(i, e):
        table = powers[i]
        if e not in table:
            table[e] = (power(i, e // 2) * power(i, e - e // 2)).rem(f)
        return table[e]

    out = sp.Poly(0, f.gen)
    for monom, coeff in poly.terms():
        term = sp.Poly(coeff, f.gen)
        for i, e in enumerate(monom):
            if e:
                term = (term * power(i, e)).rem(f)
        out += term
    return out.rem(f)


def lowest(values):
    """The smallest of exact real numbers, by certified comparison."""
    best = values[0]
    for v in values[1:]:
        if v != best and compare_exact(v, best) < 0:
            best = v
    return best


# -- identification of algebraic numbers by their balls ----------------------------------
def _identify(balls_at, polys):
    """Exact numbers for balls known to hold roots of ``polys``; None if not separated.

    ``balls_at()`` evaluates the balls at the current precision. Each ball must meet exactly
    one isolating enclosure of the real roots of the irreducible factors of ``polys``: that
    root is the number (a ball can only hold a root it meets, and it holds one).
    """
    t = polys[0].gen
    factors = []
    for p in polys:
        for fac, _ in sp.factor_list(p.as_expr(), t)[1]:
            fac = sp.Poly(fac, t)
            if fac.degree() > 0 and all(fac != g for g in factors):
                factors.append(fac)
    for prec in (PREC, 2 * PREC, 4 * PREC, 8 * PREC):
        with working_precision(prec):
            balls = balls_at()
            roots = [(fac, k, enc) for fac in factors for k, enc in enumerate(_real_root_balls(fac))]
            ids = []
            for b in balls:
                hits = [(fac, k) for fac, k, enc in roots if enc.overlaps(b)]
                if len(hits) != 1:
                    break
                ids.append(hits[0])
            else:
                return [fac.real_roots()[k] for fac, k in ids], balls
    return None, None


def _algebraic_constants(loss, state):
    """``(L, [(alpha, symbol, minimal polynomial)])``: each irrational algebraic constant of the
    loss (sqrt(2), 2**(1/3), CRootOf) replaced by a symbol, so that L has rational
    coefficients; None when a constant is not algebraic (pi, E)."""
    expr = sp.expand(loss)
    consts = set()
    for c in sp.Poly(expr, *state).coeffs():
        if c.is_Rational:
            continue
        found = {a for a in c.atoms(sp.Pow) if a.base.is_Rational and a.exp.is_Rational}
        consts |= found | c.atoms(sp.CRootOf)
    ext, subs = [], {}
    for i, alpha in enumerate(sorted(consts, key=str)):
        sym = sp.Dummy(f"alpha{i}")
        ext.append((alpha, sym, sp.minimal_polynomial(alpha, sym)))
        subs[alpha] = sym
    L = expr.xreplace(subs)
    syms = [sym for _, sym, _ in ext]
    poly = sp.Poly(L, *state, *syms)
    if not all(c.is_Rational for c in poly.coeffs()):
        return None
    return L, ext


def _same_root(field, k, coord, alpha, m, sym):
    """Whether a solution's coordinate (a root of m) is alpha itself, not a conjugate."""
    from gdmaps.algebraic import exact_ball

    m = sp.Poly(m, sym)
    for prec in (PREC, 4 * PREC):
        with working_precision(prec):
            enclosures = _real_root_balls(m)
            here = _horner(coord, field.balls()[k])
            there = exact_ball(alpha, prec)
            a = [j for j, e in enumerate(enclosures) if e.overlaps(here)]
            b = [j for j, e in enumerate(enclosures) if e.overlaps(there)]
            if len(a) == 1 and len(b) == 1:
                return a == b
    raise ArithmeticError(f"could not tell {alpha} from its conjugates")


def _charpoly_mod(H, z, f, t):
    """det(t I - H(z)) with coefficients reduced modulo f, as a polynomial in t and z."""
    d = H.shape[0]
    M = sp.eye(d) * t - H
    out = 0
    coeffs = sp.Poly(M.det(method="berkowitz"), t).all_coeffs()
    deg = len(coeffs) - 1
    for k, c in enumerate(coeffs):
        out += t ** (deg - k) * sp.Poly(c, z).rem(f).as_expr()
    return sp.Poly(out, t, z)


def polynomial_minima(gdmap) -> PolynomialMinima | None:
    """The global minima of a polynomial loss with rational coefficients, exactly.

    Returns None when the loss is not such a polynomial, or when its critical set is
    not finite or not solved exactly: another method must decide then.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x = sp.Symbol("x")
    >>> m = polynomial_minima(GDMap((x - 0.2)**2 * (x + 1)**2 * ((x - 1.2)**2 + 1), [x]))
    >>> m.points, m.value, m.sharpness
    (((-1,), (1/5,)), 0, (10512/625, 144/25))
    """
    return _minima(gdmap.loss, tuple(gdmap.state))


@functools.lru_cache(maxsize=64)
def _minima(loss, state):
    """polynomial_minima on the loss alone, cached: a certificate asks for it twice."""
    if len(state) > MAX_DIM or not loss.is_polynomial(*state):
        return None
    if loss.free_symbols - set(state):
        return None
    split = _algebraic_constants(loss, state)
    if split is None:
        return None
    L, ext = split
    poly = sp.Poly(sp.expand(loss), *state)  # algebraic coefficients allowed: signs only
    if len(state) == 1 and (poly.degree() % 2 or poly.LC() < 0):
        return PolynomialMinima((), None, (), (), (), False,
                                f"L is a polynomial of degree {poly.degree()} with leading coefficient"
                                f" {poly.LC()}: unbounded below, so it has no global minimum")
    full = state + tuple(sym for _, sym, _ in ext)
    if ext:  # each constant alpha becomes a variable with its minimal polynomial
        fams = solve_zero_dimensional([sp.diff(L, v) for v in state] + [m for *_, m in ext], full)
    else:
        fams = _families(sp.Poly(L, *state), state)
    if fams is None:
        return None
    found = exact_values(fams, L, full)
    if found is None:
        return None
    found = [item for item in found if all(
        _same_root(item[0], item[1], item[2][len(state) + i], alpha, m, sym)
        for i, (alpha, sym, m) in enumerate(ext))]
    if not found:
        return PolynomialMinima((), None, (), (), (), False,
                                "L has no real critical point, so it has no global minimum", ())
    t = sp.Dummy("t")
    pts = [(field, k, coords) for field, k, coords, _ in found]
    values = [v for *_, v in found]
    low_value = lowest(values)
    low = [i for i, v in enumerate(values) if v == low_value]
    # 2. the Hessian spectrum at each point: balls always, exact at the lowest when d is small
    H = sp.hessian(L, state)
    d = len(state)
    exact, hi_balls, lo_balls, others = [], [], [], []
    for i in range(len(pts)):
        field, k, coords = pts[i]
        z = field.f.gen
        Hz = [[compose_mod(H[a, b], full, coords, field.f) for b in range(d)] for a in range(d)]

        def spectrum(Hz=Hz, field=field, k=k):
            r = field.balls()[k]
            Hb = flint.arb_mat([[_horner(Hz[a][b], r) for b in range(d)] for a in range(d)])
            return _extreme_eigenvalues(Hb)

        with working_precision(PREC):
            lo_b, hi_b = spectrum()
        if i not in low:
            others.append((_exact_point(field, k, coords[:d]), values[i], lo_b, hi_b))
            continue
        lam = None
        if d <= MAX_EXACT_DIM:
            chi = _charpoly_mod(sp.Matrix([[e.as_expr() for e in row] for row in Hz]), z, field.f, t)
            res = sp.Poly(sp.resultant(field.f.as_expr(), chi.as_expr(), z), t)
            ids, balls = _identify(lambda spectrum=spectrum: [spectrum()[1]], [res])
            lam = None if ids is None else ids[0]
            if balls is not None:
                hi_b = balls[0]
        exact.append(lam)
        hi_balls.append(hi_b)
        lo_balls.append(lo_b)
    points = tuple(_exact_point(pts[i][0], pts[i][1], pts[i][2][:d]) for i in low)
    attained, why = _bounded_below(poly, state, low_value, loss)
    return PolynomialMinima(points, low_value, tuple(exact), tuple(hi_balls), tuple(lo_balls),
                            attained, why, tuple(others))


def _exact_point(field, k, coords):
    r = field.exact[k]
    return tuple(sp.expand(c.as_expr().subs(field.f.gen, r)) if c.degree() > 0 else c.as_expr()
                 for c in coords)


def _extreme_eigenvalues(Hb):
    """Balls around lambda_min and lambda_max of a symmetric ball matrix (whole line if undecided)."""
    try:
        eig = flint.acb_mat(Hb).eig()
    except ValueError:  # a repeated eigenvalue (H = 2 I): enclose the cluster instead
        try:
            eig = flint.acb_mat(Hb).eig(multiple=True)
        except ValueError:
            return _rayleigh_sylvester(Hb)
    eig = sorted((e.real for e in eig), key=lambda e: float(e.mid()))
    return eig[0], eig[-1]


def _rayleigh_sylvester(Hb):
    """Extreme eigenvalues of a symmetric ball matrix when eig() cannot isolate them.

    lambda_max >= v^T H v / v^T v for the float top eigenvector v (Rayleigh), and
    lambda_max < t once t I - H has positive leading minors (Sylvester); likewise for
    lambda_min from below with H - s I.
    """
    import numpy as np

    d = Hb.nrows()
    mid = np.array([[float(Hb[i, j].mid()) for j in range(d)] for i in range(d)])
    w, V = np.linalg.eigh((mid + mid.T) / 2)
    scale = max(1.0, float(np.max(np.abs(w))))

    def rayleigh(v):
        vb = flint.arb_mat([[arb(float(c))] for c in v])
        return (vb.transpose() * Hb * vb)[0, 0] / (vb.transpose() * vb)[0, 0]

    def definite(A):
        return all(flint.arb_mat([[A[i, j] for j in range(k)] for i in range(k)]).det() > 0
                   for k in range(1, d + 1))

    def shifted(c, sign):
        return flint.arb_mat([[sign * ((arb(c) if i == j else arb(0)) - Hb[i, j])
                               for j in range(d)] for i in range(d)])

    bounds = []
    for i, sign in ((0, -1), (d - 1, 1)):
        q = rayleigh(V[:, i])
        edge = None
        for eps in (1e-12, 1e-9, 1e-6, 1e-3):
            c = w[i] + sign * eps * scale
            if definite(shifted(c, sign)):
                edge = arb(c)
                break
        if edge is None:
            return arb(0, float("inf")), arb(0, float("inf"))
        lo, hi = (edge, q.upper()) if sign < 0 else (q.lower(), edge)
        bounds.append(arb((arb(lo) + arb(hi)) / 2) + arb(0, float((arb(hi) - arb(lo)).upper()) / 2))
    return bounds[0], bounds[1]


# -- bounded below ------------------------------------------------------------------------
def _bounded_below(poly, state, value, loss):
    """(True, why) when the lowest critical value is proved to be the global minimum."""
    if len(state) == 1:
        return True, "an even-degree univariate polynomial with positive leading coefficient is coercive"
    deg = poly.total_degree()
    top = sum(c * sp.Mul(*(v ** e for v, e in zip(state, m)))
              for m, c in poly.terms() if sum(m) == deg)
    if len(state) == 2 and deg % 2 == 0 and _positive_binary_form(top, state):
        return True, "its leading form is positive definite, so L is coercive and attains its minimum"
    if _dominant_pure_powers(poly, state):
        return True, ("each variable has a pure even power with a positive coefficient and every other"
                      " monomial lies strictly inside their Newton simplex, so L is coercive (weighted"
                      " AM-GM) and attains its minimum")
    if value == 0 and _sum_of_squares(loss, state):
        return True, "L is a sum of squares with positive weights, so L >= 0 = the lowest critical value"
    if _coercive_squares(loss, state):
        return True, ("L is a sum of squares with positive weights, and its affine residuals alone"
                      " have linear parts spanning R^d, so L >= c |theta|^2 - C: coercive, and it"
                      " attains its minimum")
    return None, "L is not proved bounded below, so these points are not proved to be global minima"


def _dominant_pure_powers(poly, state):
    """x_k^(2 m_k) with positive coefficients for every k, other monomials with sum i_k/(2 m_k) < 1.

    Then |c x^i| <= eps sum_k x_k^(2 m_k) + C_eps (weighted AM-GM), so L is coercive.
    """
    terms = dict(poly.terms())
    pure = []
    for k in range(len(state)):
        powers = [m[k] for m in terms if m[k] > 0 and sum(m) == m[k]]
        if not powers:
            return False
        top = max(powers)
        if top % 2 or not terms[tuple(top if j == k else 0 for j in range(len(state)))] > 0:
            return False
        pure.append(top)
    return all(sum(sp.Rational(m[k], pure[k]) for k in range(len(state))) < 1
               for m in terms if not any(m == tuple(p if j == k else 0 for j in range(len(state)))
                                         for k, p in enumerate(pure)))


def _positive_binary_form(form, state):
    x, y = state
    s = sp.Dummy("s")
    f = sp.Poly(form.subs({x: s, y: 1}), s)
    return bool(form.subs({x: 1, y: 0}) > 0 and f.degree() == sp.Poly(form, x, y).total_degree()
                and not f.real_roots() and f.eval(0) > 0)


def _coercive_squares(loss, state):
    """L = sum c_j r_j^2 (c_j > 0) where the affine r_j have gradients spanning R^d."""
    terms = _sos_residuals(loss, tuple(state))
    if terms is None:
        return False
    rows = [[sp.diff(r, v) for v in state] for _, r in terms
            if sp.Poly(r, *state).total_degree() <= 1]
    return bool(rows) and sp.Matrix(rows).rank() == len(state)


def _sum_of_squares(loss, state):
    return _sos_residuals(loss, tuple(state)) is not None



def exact_polynomial(gdmap) -> CriticalLearningRate | None:
    """eta* of a polynomial loss with finitely many critical points, from :func:`polynomial_minima`.

    Exact when lambda_max at the flattest lowest point is identified exactly, otherwise
    a certified bracket. None when :func:`polynomial_minima` cannot decide.
    """
    m = polynomial_minima(gdmap)
    if m is None:
        return None
    if not m.points:
        return CriticalLearningRate(sp.S.Zero, sp.oo, Exactness.EXACT, None,
                                    f"{m.reason}. The infimum of lambda_max(H) over an empty set is"
                                    " +oo, so eta* = 0 and a claim about global minima is vacuous.",
                                    minima_proved=False)
    n = len(m.points)
    # the flattest: the smallest upper end; s_min lies in [min of lower ends, min of upper ends]
    i = min(range(n), key=lambda j: float(m.sharpness_balls[j].upper()))
    lo = min((b.lower() for b in m.sharpness_balls), key=float)
    hi = m.sharpness_balls[i].upper()
    rivals = [j for j in range(n) if j != i and not m.sharpness_balls[j] > m.sharpness_balls[i]]
    s = m.sharpness[i]
    if s is not None and any(m.sharpness[j] != s for j in rivals):
        s = None  # two lowest points with overlapping, unequal spectra: keep the bracket
    with working_precision(PREC):
        lower = float_lower(arb(2) / hi) if hi > 0 else None
        upper = float_upper(arb(2) / lo) if lo > 0 else None
    point = m.points[i]
    proved = {True: "they are the global minima: " + m.reason,
              None: ("the global minima, if L has any, are among them; " + m.reason)}[m.attained]
    argument = (f"L is a polynomial with finitely many critical points; a lex Groebner basis in shape"
                f" position gives every real one exactly, and certified root isolation finds the lowest"
                f" critical value {_short(m.value)} at {n} point(s) ({proved}). At each, lambda_max(H) is"
                f" a root of Res_z(f, det(t I - H)) identified by a ball; the smallest is"
                f" s_min = {_short(s) if s is not None else _ball_text(m.sharpness_balls[i])}"
                f" at {_short(point)}.")
    morse = bool(m.smallest_balls[i] > 0)
    if morse:
        argument += (" There H is positive definite (lambda_min in"
                     f" {_ball_text(m.smallest_balls[i])}): an isolated, non-degenerate minimum.")
    if s is None:
        return CriticalLearningRate(float((lower + upper) / 2) if lower and upper else float("nan"),
                                    float(m.sharpness_balls[i].mid()), Exactness.CERTIFIED, point,
                                    argument, morse_bott=morse, certified_lower=lower,
                                    certified_upper=upper, minima_proved=m.attained)
    eta = sp.oo if s == 0 else 2 / s
    return CriticalLearningRate(eta, s, Exactness.EXACT, point, argument, morse_bott=morse,
                                certified_lower=lower, certified_upper=upper,
                                minima_proved=m.attained)


def _short(x, limit=160):
    text = str(x)
    return text if len(text) <= limit else text[:limit] + "..."


def _ball_text(b):
    return b.str(12, radius=True)
