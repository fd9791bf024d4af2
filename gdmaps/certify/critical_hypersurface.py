"""Exact eta* when the global minima form a hypersurface: L = c r(theta)^2 with r polynomial.

The real zeros Z of r are the global minima (L >= 0 = L(Z)). At a zero, H = 2c grad r grad r^T,
so lambda_max(H) = 2c |grad r|^2 and s_min = 2c inf over Z of g = |grad r|^2. The infimum is
found exactly: at a singular zero (grad r = 0) it is 0; otherwise it is attained at a
Lagrange point of g on Z (r = 0, grad g parallel to grad r) when g is proved coercive on Z,
or it is bracketed between the smallest Lagrange value and the global minimum of g on R^d.
Phase retrieval (x^2 - y)^2, rings (x^2 + y^2 - 1)^2 and (a^2 b - 1)^2 are of this kind.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import sympy as sp
from flint import arb

from gdmaps.certify.rate import CriticalLearningRate, Exactness
from gdmaps.certify.sos import sos_residuals
from gdmaps.certify._bounded_below import dominant_pure_powers
from gdmaps.exact.algebraic import exact_ball
from gdmaps.certify._zero_dimensional import exact_point, exact_values, lowest, solve_zero_dimensional
from gdmaps.certify.critical_poly import polynomial_minima
from gdmaps.exact.interval import NotCertifiableError, float_lower, float_upper, working_precision

__all__ = ["ZeroSet", "zero_set", "hypersurface_minima"]


def _single_residual(loss, state):
    terms = sos_residuals(loss, tuple(state))
    if terms is None or len(terms) != 1:
        return None
    c, r = terms[0]
    c = sp.Rational(c) if c.is_Rational else None
    poly = sp.Poly(r, *state)
    if c is None or not all(co.is_Rational for co in poly.coeffs()) or poly.total_degree() < 1:
        return None
    return c, poly


def _sign_change(r, state, tries=400, seed=0):
    """Two rational points where r has opposite signs (so Z is not empty), or None."""
    rng = np.random.default_rng(seed)
    d = len(state)
    pos = neg = None
    for _ in range(tries):
        p = tuple(sp.Rational(int(v), 8) for v in rng.integers(-32, 33, size=d))
        v = r.eval(dict(zip(state, p)))
        if v > 0 and pos is None:
            pos = p
        elif v < 0 and neg is None:
            neg = p
        elif v == 0:
            return p, p
        if pos is not None and neg is not None:
            return pos, neg
    return None


def _zero_on_segment(r, a, b, state):
    """An exact zero of r on the segment from a to b (where r changes sign)."""
    if a == b:
        return a
    t = sp.Dummy("t")
    line = sp.Poly(r.as_expr().subs({v: ai + t * (bi - ai) for v, ai, bi in zip(state, a, b)}), t)
    root = next(x for x in line.real_roots() if 0 < x < 1)
    return tuple(sp.expand(ai + root * (bi - ai)) for ai, bi in zip(a, b))


@dataclass(frozen=True, eq=False)
class ZeroSet:
    """The sharpness g = |grad r|^2 on the real zeros Z of a polynomial r, exactly.

    Attributes
    ----------
    g : sympy.Poly
    singular : tuple of exact points
        Real zeros where grad r = 0 (H = 0 there).
    constant : SymPy number or None
        The value of g on Z when g reduces to a constant modulo r (then ``lagrange`` is empty).
    lagrange : tuple of (value of g, exact point)
        Every real Lagrange point of g on Z (r = 0, grad g parallel to grad r).
    coercive : bool
        g (or g + r^2) is proved coercive, so on every closed part of Z without singular
        zeros the infimum of g is attained at a Lagrange point.
    """

    g: object
    singular: tuple
    constant: object
    lagrange: tuple
    coercive: bool


def zero_set(r, state) -> ZeroSet | None:
    """Singular zeros, Lagrange points and coercivity of g = |grad r|^2 on {r = 0}.

    None when a polynomial system on the way has infinitely many complex solutions or
    its balls cannot be separated.
    """
    grad = [r.diff(v) for v in state]
    g = sp.Poly(sum(q.as_expr() ** 2 for q in grad), *state)
    sing = solve_zero_dimensional([r.as_expr()] + [q.as_expr() for q in grad], state)
    if sing is None:
        return None
    singular = tuple(exact_point(f, k, co) for f, co in sing for k in range(len(f.exact)))
    basis = sp.groebner([r.as_expr()], *state, order="grevlex")
    rest = sp.Poly(basis.reduce(g.as_expr())[1], *state)
    if rest.is_ground and rest.LC().is_Rational:
        return ZeroSet(g, singular, rest.LC(), (), True)
    minors = [sp.expand(g.diff(a).as_expr() * grad[j].as_expr() - g.diff(b).as_expr() * grad[i].as_expr())
              for (i, a), (j, b) in itertools.combinations(list(enumerate(state)), 2)]
    lag = solve_zero_dimensional([r.as_expr()] + minors, state)
    if lag is None:
        return None
    values = exact_values(lag, g.as_expr(), state)
    if values is None:
        return None
    coercive = bool(dominant_pure_powers(g, state) or dominant_pure_powers(
        sp.Poly(g.as_expr() + r.as_expr() ** 2, *state), state))
    return ZeroSet(g, singular, None, tuple((v, exact_point(f, k, co)) for f, k, co, v in values),
                   coercive)


def hypersurface_minima(gdmap) -> CriticalLearningRate | None:
    """eta* for L = c r^2 (c > 0, r a polynomial with rational coefficients), exactly or bracketed.

    Returns None for other losses, when r has no real zero found by a sign change, or when a
    system on the way is not finite.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x, y = sp.symbols("x y")
    >>> hypersurface_minima(GDMap((x**2 - y)**2, [x, y]))  # H = 2 (4x^2 + 1) on y = x^2
    <CriticalLearningRate (exact): eta* = 1, s_min = 2>

    Notes
    -----
    At a zero of r with grad r != 0, Z is a smooth hypersurface and H = 2c grad r grad r^T has
    rank 1 = its codimension: the minimum is Morse-Bott, so below eta* it attracts an open set.
    """
    try:
        return _hypersurface(gdmap)
    except (ArithmeticError, NotCertifiableError):
        return None  # balls that could not be separated: another method decides


def _hypersurface(gdmap) -> CriticalLearningRate | None:
    """The body of :func:`hypersurface_minima`."""
    state = tuple(gdmap.state)
    found = _single_residual(gdmap.loss, state)
    if found is None:
        return None
    c, r = found
    change = _sign_change(r, state)
    if change is None:
        return None
    zs = zero_set(r, state)
    if zs is None:
        return None
    head = (f"L = {c} r^2 with r = {r.as_expr()}: L >= 0, and r changes sign between"
            f" {change[0]} and {change[1]}, so its real zeros Z are the global minima. There"
            f" H = 2c grad r grad r^T, so lambda_max(H) = 2c g with g = |grad r|^2 = {zs.g.as_expr()}.")
    if zs.singular:
        point = zs.singular[0]
        return CriticalLearningRate(sp.oo, sp.S.Zero, Exactness.EXACT, point,
                                    head + f" At the singular zero {point}, grad r = 0 and H = 0:"
                                    " s_min = 0.", morse_bott=False)
    if zs.constant is not None:
        s = 2 * c * zs.constant
        return CriticalLearningRate(2 / s, s, Exactness.EXACT, _zero_on_segment(r, *change, state),
                                    head + f" g = {zs.constant} on Z (g reduces to it modulo r), so"
                                    f" s_min = {s}.", morse_bott=True)
    if not zs.lagrange:
        return None
    best = lowest([v for v, _ in zs.lagrange])
    point = next(pt for v, pt in zs.lagrange if v == best)
    s_hi = 2 * c * best
    head += (f" The Lagrange points of g on Z (r = 0, grad g parallel to grad r) are finite; the"
             f" smallest value of g there is {best}, at {point}.")
    if zs.coercive:
        return CriticalLearningRate(2 / s_hi, s_hi, Exactness.EXACT, point,
                                    head + " g (or g + r^2, equal to it on Z) is coercive (pure even"
                                    " powers dominate every other monomial), so its infimum on Z is"
                                    f" attained at a Lagrange point: s_min = {s_hi}.",
                                    morse_bott=True)
    g = zs.g
    from gdmaps.core.gd import GDMap

    present = [v for v in state if g.degree(v) > 0]
    low = polynomial_minima(GDMap(g.as_expr(), present))
    if low is None or low.attained is not True:
        return None
    s_lo = 2 * c * low.value
    if s_lo == s_hi:
        return CriticalLearningRate(2 / s_hi, s_hi, Exactness.EXACT, point,
                                    head + f" On all of R^d, g >= {low.value}, its global minimum"
                                    f" ({low.reason}), which the Lagrange point reaches: s_min ="
                                    f" {s_hi}.", morse_bott=True)
    with working_precision(128):
        lower = float_lower(arb(2) / exact_ball(s_hi, 128))
        upper = float_upper(arb(2) / exact_ball(s_lo, 128)) if s_lo > 0 else None
    return CriticalLearningRate(float(2 / s_hi), float(s_hi), Exactness.CERTIFIED, point,
                                head + f" g >= {low.value} on all of R^d, so s_min lies in"
                                f" [{s_lo}, {s_hi}].", morse_bott=True,
                                certified_lower=lower, certified_upper=upper)

