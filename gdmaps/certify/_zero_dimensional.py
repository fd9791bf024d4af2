"""Finite polynomial systems solved exactly: shape position, certified root isolation.

A zero-dimensional system is put in shape position (grevlex, then FGLM to lex, with a
generic linear form as last variable): every complex solution is ``coords(r)`` for a root
``r`` of a univariate ``f``. Values of polynomials at the real solutions are roots of
resultants ``Res_z(f, t - V(z))``, identified exactly by balls that meet one isolating
enclosure only (FLINT's certified root isolation).
"""

from __future__ import annotations

import flint
import numpy as np
import sympy as sp
from flint import arb

from gdmaps.exact.algebraic import compare_exact
from gdmaps.exact.interval import working_precision

__all__ = ["PREC", "MAX_POINTS", "critical_points", "solve_zero_dimensional", "exact_values", "compose_mod",
           "lowest", "identify", "charpoly_mod", "exact_point", "extreme_eigenvalues",
           "real_root_balls", "horner"]

#: Bits of the first round of ball arithmetic; doubled up to three times when balls overlap.
PREC = 256
#: The largest number of complex solutions examined (the degree of the eliminant).
MAX_POINTS = 120

# -- univariate polynomials in z with rational coefficients, evaluated on balls --------
def _fmpq(c) -> flint.fmpq:
    c = sp.Rational(c)
    return flint.fmpq(int(c.p), int(c.q))


def horner(poly: sp.Poly, ball: arb) -> arb:
    out = arb(0)
    for c in poly.all_coeffs():
        out = out * ball + arb(_fmpq(c))
    return out


def real_root_balls(poly: sp.Poly) -> list:
    """Certified isolating enclosures of the real roots of a squarefree poly, increasing."""
    fp = flint.fmpq_poly([_fmpq(c) for c in reversed(poly.all_coeffs())])
    return [r.real for r, _ in fp.complex_roots() if r.imag == 0]


class _Field:
    """The real roots of an irreducible f, as exact CRootOf and as balls at a precision."""

    def __init__(self, f: sp.Poly):
        self.f = f
        self.exact = f.real_roots()  # increasing, like FLINT's real roots

    def balls(self):
        balls = real_root_balls(self.f)
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


def critical_points(poly, state):
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
        return [horner(values_z[j], roots[id(field)][k]) for field, k, _, j in pts]

    values, _ = identify(balls, resultants)
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
def identify(balls_at, polys):
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
            roots = [(fac, k, enc) for fac in factors for k, enc in enumerate(real_root_balls(fac))]
            ids = []
            for b in balls:
                hits = [(fac, k) for fac, k, enc in roots if enc.overlaps(b)]
                if len(hits) != 1:
                    break
                ids.append(hits[0])
            else:
                return [fac.real_roots()[k] for fac, k in ids], balls
    return None, None


def charpoly_mod(H, z, f, t):
    """det(t I - H(z)) with coefficients reduced modulo f, as a polynomial in t and z."""
    d = H.shape[0]
    M = sp.eye(d) * t - H
    out = 0
    coeffs = sp.Poly(M.det(method="berkowitz"), t).all_coeffs()
    deg = len(coeffs) - 1
    for k, c in enumerate(coeffs):
        out += t ** (deg - k) * sp.Poly(c, z).rem(f).as_expr()
    return sp.Poly(out, t, z)


def exact_point(field, k, coords):
    r = field.exact[k]
    return tuple(sp.expand(c.as_expr().subs(field.f.gen, r)) if c.degree() > 0 else c.as_expr()
                 for c in coords)


def extreme_eigenvalues(Hb):
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
