"""The critical learning rate as a result: eta* = 2 / s_min, with how far it can be trusted."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sympy as sp

from gdmaps.core.results import Result

__all__ = ["Exactness", "CriticalLearningRate"]


class Exactness(enum.Enum):
    """How much a critical learning rate can be trusted."""

    EXACT = "exact"                 #: a closed form with a proof
    CERTIFIED = "certified"         #: a proved bracket [certified_lower, certified_upper]
    NUMERIC = "numeric estimate"    #: the flattest minimum found by optimization; no proof


@dataclass(frozen=True, repr=False, eq=False)
class CriticalLearningRate(Result):
    """eta* = 2 / s_min, s_min = inf over the target set of lambda_max(H).

    Attributes
    ----------
    eta_star : SymPy number (exact) or float (numeric); ``oo`` when s_min = 0
    sharpness : s_min, same type
    exactness : Exactness
    minimizer : tuple or None
        A flattest minimum (exact coordinates when exact).
    argument : str
        Why the value holds (exact) or how it was estimated (numeric).
    """

    eta_star: object
    sharpness: object
    exactness: Exactness
    minimizer: tuple | None
    argument: str
    target: str = "global-minima"
    #: True when, at the flattest minimum, ker H is exactly the tangent of the minima (Morse-Bott),
    #: so below eta* its normal multipliers all lie in (-1, 1) and the minima attract an open set.
    morse_bott: bool = False
    #: A rigorous lower bound of eta* (a float rounded down), or None. Set on numeric results
    #: for zero-residual sum-of-squares losses: ball arithmetic proves a global minimum theta*
    #: in a small box B and bounds lambda_max(H) over B from above (see ``_certified_lower``).
    certified_lower: float | None = None
    #: A rigorous upper bound of eta* (a float rounded up), or None.
    certified_upper: float | None = None
    #: True: ``minimizer`` and the set s_min is taken over are proved to be the global minima
    #: (for a numeric estimate with ``certified_lower``: a global minimum is proved in a small
    #: box around ``minimizer``, and lambda_max there is below 2 / certified_lower).
    #: None: they are the critical points at the lowest critical value, and L is not proved
    #: bounded below (instability of all of them still covers every global minimum).
    #: False: L provably has no global minimum; eta* = 0 and every claim about minima is vacuous.
    minima_proved: bool | None = True

    def __float__(self) -> float:
        return float(self.eta_star)

    def latex(self) -> str:
        r"""eta* = 2 / s_min, exact where known, else approximate or bracketed.

        Examples
        --------
        >>> from gdmaps import critical_learning_rate
        >>> from gdmaps.models import scalar_chain
        >>> critical_learning_rate(scalar_chain(3, 1)).latex()
        '\\eta^* = \\frac{2}{s_{\\min}} = \\frac{2}{3}, \\quad s_{\\min} = 3'
        """
        if self.minima_proved is False:
            return r"\text{no global minimum: } \eta^* = 0"
        if self.exactness is Exactness.EXACT:
            value = f"= {sp.latex(self.eta_star)}, \\quad s_{{\\min}} = {sp.latex(self.sharpness)}"
        else:
            value = f"\\approx {float(self.eta_star):.6g}"
            if self.certified_lower is not None:
                upper = r"?" if self.certified_upper is None else f"{self.certified_upper:.10g}"
                value += f", \\quad \\eta^* \\in [{self.certified_lower:.10g}, {upper}]"
        return f"\\eta^* = \\frac{{2}}{{s_{{\\min}}}} {value}"

    def __repr__(self) -> str:
        if self.minima_proved is False:
            return "<CriticalLearningRate (exact): no global minimum, so eta* = 0>"
        bracket = ""
        if self.exactness is not Exactness.EXACT and self.certified_lower is not None:
            upper = "?" if self.certified_upper is None else f"{self.certified_upper:.10g}"
            bracket = f", certified in [{self.certified_lower:.10g}, {upper}]"
        return (f"<CriticalLearningRate ({self.exactness.value}): eta* = {self.eta_star},"
                f" s_min = {self.sharpness}{bracket}>")
