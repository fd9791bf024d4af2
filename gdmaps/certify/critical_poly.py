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

from gdmaps.certify._bounded_below import bounded_below
from gdmaps.certify._zero_dimensional import (PREC, charpoly_mod, compose_mod, critical_points, exact_point,
                                              exact_values, extreme_eigenvalues, horner, identify, lowest,
                                              real_root_balls, solve_zero_dimensional)
from gdmaps.certify.rate import CriticalLearningRate, Exactness
from gdmaps.exact.interval import NotCertifiableError, float_lower, float_upper, working_precision
from gdmaps.certify.non_singularity import _short
from gdmaps.core.results import Result

__all__ = ["PolynomialMinima", "polynomial_minima", "exact_polynomial"]

#: The largest dimension for which exact Hessian spectra are computed (a resultant of degree d*n).
MAX_EXACT_DIM = 6
#: The largest number of parameters whose critical ideal is attempted (Groebner bases grow fast).
MAX_DIM = 8


@dataclass(frozen=True, eq=False)
class PolynomialMinima(Result):
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
    from gdmaps.exact.algebraic import exact_ball

    m = sp.Poly(m, sym)
    for prec in (PREC, 4 * PREC):
        with working_precision(prec):
            enclosures = real_root_balls(m)
            here = horner(coord, field.balls()[k])
            there = exact_ball(alpha, prec)
            a = [j for j, e in enumerate(enclosures) if e.overlaps(here)]
            b = [j for j, e in enumerate(enclosures) if e.overlaps(there)]
            if len(a) == 1 and len(b) == 1:
                return a == b
    raise ArithmeticError(f"could not tell {alpha} from its conjugates")


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
    try:
        return _minima(gdmap.loss, tuple(gdmap.state))
    except (ArithmeticError, NotCertifiableError):
        return None  # balls that could not be separated: another method decides


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
        fams = critical_points(sp.Poly(L, *state), state)
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
            Hb = flint.arb_mat([[horner(Hz[a][b], r) for b in range(d)] for a in range(d)])
            return extreme_eigenvalues(Hb)

        with working_precision(PREC):
            lo_b, hi_b = spectrum()
        if i not in low:
            others.append((exact_point(field, k, coords[:d]), values[i], lo_b, hi_b))
            continue
        lam = None
        if d <= MAX_EXACT_DIM:
            chi = charpoly_mod(sp.Matrix([[e.as_expr() for e in row] for row in Hz]), z, field.f, t)
            res = sp.Poly(sp.resultant(field.f.as_expr(), chi.as_expr(), z), t)
            ids, balls = identify(lambda spectrum=spectrum: [spectrum()[1]], [res])
            lam = None if ids is None else ids[0]
            if balls is not None:
                hi_b = balls[0]
        exact.append(lam)
        hi_balls.append(hi_b)
        lo_balls.append(lo_b)
    points = tuple(exact_point(pts[i][0], pts[i][1], pts[i][2][:d]) for i in low)
    attained, why = bounded_below(poly, state, low_value, loss)
    return PolynomialMinima(points, low_value, tuple(exact), tuple(hi_balls), tuple(lo_balls),
                            attained, why, tuple(others))


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


def _ball_text(b):
    return b.str(12, radius=True)
