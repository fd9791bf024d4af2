"""Exact eta* for kinked losses (ReLU, Max, Min, Abs) whose pieces are polynomials.

The loss is continuous and equals a polynomial L_P on each open sign region R_P
(:mod:`gdmaps.certify.piecewise`). Let v_P be the proved global minimum of L_P on all of R^d.
Then m = min_P v_P is a lower bound of L, and it is the minimum of L once some piece
attains it inside its own region. A global minimum of L in R_P is a minimum of L_P there;
one on the boundary of R_P would be a global minimum of L_P on some kink {z = 0} of P,
which is ruled out exactly (a point check, or a Groebner basis {1}). So the minima of L
are the minima of the pieces at level m inside their open regions, where L is analytic
and lambda_max(H) is the piece's. Pieces handled: constants, c r(theta)^2 (minima on a
hypersurface) and polynomials with finitely many critical points.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from gdmaps.exact.algebraic import compare_exact
from gdmaps.certify.rate import CriticalLearningRate, Exactness
from gdmaps.exact.interval import NotCertifiableError
from gdmaps.certify.piecewise import polynomial_pieces

__all__ = ["piecewise_minima"]


def piecewise_minima(gdmap) -> CriticalLearningRate | None:
    """eta* of a loss with Max/Min/Abs kinks over polynomial pieces, exactly; None otherwise.

    Examples
    --------
    >>> from gdmaps.models import relu_example
    >>> piecewise_minima(relu_example())   # minima theta1 theta2 = 1, theta1 > 0
    <CriticalLearningRate (exact): eta* = 50/353, s_min = 353/25>
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x, y = sp.symbols("x y")
    >>> piecewise_minima(GDMap(4*(sp.Max(0, x) - 1)**2 + y**2, [x, y]))  # minimum (1, 0), x > 0
    <CriticalLearningRate (exact): eta* = 1/4, s_min = 8>
    >>> piecewise_minima(GDMap(abs(x) + y**2, [x, y])) is None   # the minimum sits on the kink
    True
    """
    state = tuple(gdmap.state)
    pieces = polynomial_pieces(gdmap.loss, state)
    if pieces is None:
        return None
    try:
        lows = [_piece_minima(p, state) for p in pieces]
        if any(low is None for low in lows):
            return None
        return _combine(pieces, lows, state)
    except (ArithmeticError, NotCertifiableError):
        return None


@dataclass(frozen=True, eq=False)
class _Low:
    """A piece's global minimum on R^d and where its minimizers lie."""

    kind: str                #: "constant", "square" or "finite"
    value: object            #: the proved global minimum of the piece's polynomial on R^d
    inside: list             #: (lambda_max, point, Morse-Bott) at minimizers inside the region
    attained_inside: bool
    touches_boundary: bool   #: a minimizer may lie on a kink of the piece
    how: str


def _rational_poly(expr, state):
    expr = sp.expand(expr)
    if not expr.is_polynomial(*state):
        return None
    poly = sp.Poly(expr, *state)
    return poly if all(c.is_Rational for c in poly.coeffs()) else None


def _square(poly, state):
    """``(c, r)`` with L = c r^2, c > 0 rational and r non-constant, or None."""
    c, factors = sp.factor_list(poly.as_expr(), *state)
    if c <= 0 or not factors or any(e % 2 for _, e in factors):
        return None
    r = sp.Poly(sp.Mul(*(f ** (e // 2) for f, e in factors)), *state)
    return c, r


def _piece_minima(piece, state):
    poly = _rational_poly(piece.loss, state)
    if poly is None:
        return None
    if poly.is_ground:
        point = _point_in(piece, state)
        return _Low("constant", poly.LC(), [(sp.S.Zero, point, True)] if point else [], bool(point),
                    True, f"constant {poly.LC()}")
    square = _square(poly, state)
    if square is not None:
        return _square_minima(piece, state, *square)
    from gdmaps.certify.critical_poly import polynomial_minima
    from gdmaps.core.gd import GDMap

    present = [v for v in state if poly.degree(v) > 0]
    low = polynomial_minima(GDMap(poly.as_expr(), present))
    if low is None or low.attained is not True or any(s is None for s in low.sharpness):
        return None
    if len(present) < len(state):  # minima are not isolated: the value bounds L, nothing more
        free = sorted(set(map(str, state)) - set(map(str, present)))
        return _Low("finite", low.value, [], False, True, f"min {low.value}, on lines along {free}")
    inside, touches = [], False
    for point, s, small in zip(low.points, low.sharpness, low.smallest_balls):
        at = dict(zip(state, point))
        signs = [compare_exact(z.xreplace(at), 0) for z, _ in piece.signs]
        touches |= 0 in signs
        if all(sg == want for sg, (_, want) in zip(signs, piece.signs)):
            inside.append((s, point, small > 0))
    return _Low("finite", low.value, inside, bool(inside), touches,
                f"min {low.value} at finitely many critical points ({low.reason})")


def _square_minima(piece, state, c, r):
    from gdmaps.certify.critical_hypersurface import zero_set

    at_kink = [z for z, _ in piece.signs if sp.groebner([r.as_expr(), z], *state).exprs != [1]]
    zs = zero_set(r, state)
    if zs is None or not (zs.coercive or zs.constant is not None):
        return None
    candidates = [(sp.S.Zero, p, False) for p in zs.singular]
    candidates += [(2 * c * v, p, True) for v, p in zs.lagrange]
    where = [piece.contains(dict(zip(state, cand[1]))) for cand in candidates]
    if None in where:
        return None  # a candidate whose region could not be decided might be the flattest
    inside = [cand for cand, there in zip(candidates, where) if there]
    if zs.constant is not None:
        # g is constant on Z: any zero of r in the region is a flattest minimum; finding none
        # proves nothing (Z may have no rational point), so the piece is not decided
        point = _point_in(piece, state, on=r)
        if point is None:
            return None
        inside = [(2 * c * zs.constant, point, True)]
    how = (f"{c} ({r.as_expr()})^2 >= 0, zero on the hypersurface r = 0, where lambda_max(H) ="
           f" 2c |grad r|^2 = {2 * c} ({zs.g.as_expr()})")
    return _Low("square", sp.S.Zero, inside, bool(inside), bool(at_kink), how)


def _point_in(piece, state, on=None):
    """A rational point of the open region (on r = 0 when ``on`` is given), or None."""
    import numpy as np

    rng = np.random.default_rng(0)
    for _ in range(200):
        point = [sp.Rational(int(v), 4) for v in rng.integers(-12, 13, size=len(state))]
        if on is not None:
            t = state[-1]
            roots = sp.Poly(on.as_expr().subs(dict(zip(state[:-1], point[:-1]))), t).real_roots() \
                if sp.Poly(on, *state).degree(t) > 0 else []
            rational = [x for x in roots if x.is_Rational]
            if not rational:
                continue
            point[-1] = rational[0]
        if piece.contains(dict(zip(state, point))) is True:
            return tuple(point)
    return None


def _combine(pieces, lows, state):
    m = lows[0].value
    for low in lows[1:]:
        if compare_exact(low.value, m) < 0:
            m = low.value
    level = [(p, low) for p, low in zip(pieces, lows) if compare_exact(low.value, m) == 0]
    if any(low.kind == "constant" and not low.inside for _, low in level):
        return None  # a flat region at the minimum value that may or may not be empty
    if not any(low.attained_inside for _, low in level):
        return None  # the lower bound may not be the minimum of L
    if any(low.touches_boundary and low.kind != "constant" for _, low in level):
        return None  # a global minimum may sit on a kink, where H is not defined
    minima = [cand for _, low in level for cand in low.inside]
    flat = [cand for cand in minima if cand[0] == 0]
    s, point, morse = flat[0] if flat else min(
        minima, key=lambda cand: sp.Float(cand[0], 30))
    for cand in minima:  # certified, not by float order
        if compare_exact(cand[0], s) < 0:
            s, point, morse = cand
    described = "; ".join(
        f"on {{{', '.join(f'{z} {chr(62) if sg > 0 else chr(60)} 0' for z, sg in p.signs)}}}: {low.how}"
        for p, low in zip(pieces, lows))
    argument = (f"L is continuous and equals a polynomial on each of {len(pieces)} open sign regions"
                f" of its kinks ({described}). The lowest piece minimum, {m}, is attained inside its"
                " region, so it is min L; no global minimum of a piece at that level lies on one of"
                f" its kinks, so the global minima of L lie in open regions where L is analytic. The"
                f" flattest is {point} with lambda_max(H) = {s}.")
    if s == 0:
        return CriticalLearningRate(sp.oo, sp.S.Zero, Exactness.EXACT, point,
                                    argument + " H = 0 there: s_min = 0.", morse_bott=False)
    return CriticalLearningRate(2 / s, s, Exactness.EXACT, point, argument, morse_bott=bool(morse))
