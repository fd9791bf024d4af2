"""Real analyticity of a loss on all of R^d, decided from a whitelist of analytic functions.

Non-singularity of G_eta rests on det(I - eta H) being real-analytic on a connected
domain: then one point where it is non-zero makes its zero set null. A kink anywhere
(``sqrt(x**2)``, ``Abs``, ``Max``, ...) breaks that argument, and a list of known kinks
always misses one. So analyticity is proved bottom-up from functions known to be
analytic; anything else is reported as the piece that was not proved.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from gdmaps.core.errors import InvalidTypeError
from gdmaps.core.results import Result

__all__ = ["Analyticity", "analyticity"]

#: Functions analytic on all of R (entire, or analytic on the real line).
_ENTIRE = (sp.exp, sp.sin, sp.cos, sp.tanh, sp.sinh, sp.cosh, sp.atan, sp.asinh, sp.erf)
#: Functions analytic where their argument is positive.
_ON_POSITIVE = (sp.log,)


@dataclass(frozen=True, eq=False)
class Analyticity(Result):
    """Whether an expression is proved real-analytic on all of R^d, and why (not)."""

    analytic: bool
    reason: str

    def __bool__(self) -> bool:
        return self.analytic

    def __repr__(self) -> str:
        return f"<Analyticity: {'analytic' if self.analytic else 'not proved analytic'}: {self.reason}>"


def _real(expr, state):
    return expr.xreplace({s: sp.Dummy(s.name, real=True) for s in state})


def _positive(expr, state) -> bool:
    return bool(_real(expr, state).is_positive)


def _nonzero(expr, state) -> bool:
    e = _real(expr, state)
    return bool(e.is_positive or e.is_negative)


def _first_gap(e, state):
    """None if ``e`` is analytic on R^d, else the sub-expression that is not proved so."""
    if e.is_Number or e in (sp.pi, sp.E):
        return None if e.is_finite and e.is_real else e
    if e.is_Symbol:
        return None
    if e.is_NumberSymbol:
        return None
    if isinstance(e, (sp.Add, sp.Mul)):
        return next((g for g in (_first_gap(a, state) for a in e.args) if g is not None), None)
    if e.is_Pow:
        base, expo = e.args
        gap = _first_gap(base, state) or _first_gap(expo, state)
        if gap is not None:
            return gap
        if expo.is_Integer and expo >= 0:
            return None
        if expo.is_Integer:
            return None if _nonzero(base, state) else e  # a pole where the base vanishes
        return None if _positive(base, state) else e   # b**r with b allowed to reach 0 or below
    if isinstance(e, _ENTIRE):
        return _first_gap(e.args[0], state)
    if isinstance(e, _ON_POSITIVE) and len(e.args) == 1:
        gap = _first_gap(e.args[0], state)
        return gap if gap is not None else (None if _positive(e.args[0], state) else e)
    return e


def analyticity(expr, state) -> Analyticity:
    """Prove ``expr`` real-analytic on all of R^d, or name the piece that is not proved.

    Parameters
    ----------
    expr : SymPy expression
    state : sequence of symbols
        The variables; other symbols are constants.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> analyticity(sp.log(1 + sp.exp(x)) + sp.tanh(x)**2, [x]).analytic
    True
    >>> analyticity(x**2/2 + (x - sp.sqrt(x**2))**2, [x])
    <Analyticity: not proved analytic: sqrt(x**2) is not proved analytic on R^1>

    Notes
    -----
    Analytic: numbers, symbols, sums, products, non-negative integer powers, negative
    integer powers of what is proved non-zero, other powers of what is proved positive,
    exp, sin, cos, tanh, sinh, cosh, atan, asinh, erf of analytic arguments, and log of
    what is proved positive (SymPy's assumptions on real variables). Everything else,
    ``Abs``, ``sign``, ``Max``, ``Min``, ``Piecewise``, ``Heaviside``, ``floor``, ``re``,
    ``im``, ``sqrt`` of what can vanish, is not proved analytic.
    """
    if not isinstance(expr, sp.Expr):
        raise InvalidTypeError(f"expr must be a SymPy expression, got {type(expr).__name__}"
                               " (parse typed text with gdmaps.loss_from_text first)")
    state = tuple(state)
    gap = _first_gap(expr, state)
    if gap is None:
        return Analyticity(True, "built from polynomials and functions analytic on the reals"
                                 " (powers and logs only of what is proved positive)")
    return Analyticity(False, f"{gap} is not proved analytic on R^{len(state)}")
