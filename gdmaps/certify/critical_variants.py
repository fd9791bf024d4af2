"""Critical step sizes of the GD variants: momentum from eta* of the loss, cyclic SGD from a product.

Heavy-ball and Nesterov momentum rescale the plain critical learning rate: at a minimum with
Hessian eigenvalue lambda, the linearization is stable exactly for 0 < eta lambda < c(beta) * 2,
so eta*_variant = c(beta) * 2 / s_min, from the same s_min as GD. Cyclic SGD has no such
rescaling: its threshold at a common minimum is where the spectral radius of the product of
the per-batch Jacobians reaches 1, found exactly from a resultant in eta.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from gdmaps.certify.critical import CriticalLearningRate, Exactness, critical_learning_rate
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.core.results import Result
from gdmaps.core.symbols import exact
from gdmaps.models.variants import BETA, VariantMap

__all__ = ["CriticalStepSize", "variant_critical_step", "cyclic_critical_step", "momentum_factor",
           "schur_stable"]


@dataclass(frozen=True, repr=False, eq=False)
class CriticalStepSize(Result):
    """The step size past which every minimum of a GD variant is linearly unstable.

    Attributes
    ----------
    kind : str
        "heavy-ball", "nesterov" or "cyclic-sgd".
    eta_star : SymPy number (exact), float (numeric) or None (not determined)
    exactness : Exactness
    factor : SymPy number or None
        eta*_variant / eta*_GD for the momentum maps: (1 + beta) or (1 + beta) / (1 + 2 beta).
    base : CriticalLearningRate or None
        The plain eta* of the loss it rests on (momentum maps).
    certified_lower, certified_upper : float or None
        The base's certified bracket scaled by ``factor``, rounded outwards.
    argument : str
        Why the value holds, with the assumptions it rests on.
    """

    kind: str
    eta_star: object
    exactness: Exactness
    factor: object
    base: CriticalLearningRate | None
    certified_lower: float | None
    certified_upper: float | None
    argument: str

    def __float__(self) -> float:
        return float(self.eta_star)

    def __repr__(self) -> str:
        return f"<CriticalStepSize ({self.kind}, {self.exactness.value}): eta* = {self.eta_star}>"

    def latex(self) -> str | None:
        if self.eta_star is None:
            return None
        return rf"\eta^*_{{\text{{{self.kind}}}}} = {sp.latex(self.eta_star)}"


def momentum_factor(kind: str, beta) -> sp.Expr:
    """eta*_variant / eta*_GD: the edge c * 2 of eta lambda, divided by GD's edge 2.

    Examples
    --------
    >>> momentum_factor("heavy-ball", sp.Rational(1, 2)), momentum_factor("nesterov", sp.Rational(1, 2))
    (3/2, 3/4)
    """
    if kind == "heavy-ball":
        return 1 + beta
    if kind == "nesterov":
        return (1 + beta) / (1 + 2 * beta)
    raise InvalidArgumentError(f"kind must be 'heavy-ball' or 'nesterov', got {kind!r}")


def variant_critical_step(vmap, **critical) -> CriticalStepSize:
    """The critical step size of a momentum map, from eta* of its loss.

    Parameters
    ----------
    vmap : VariantMap
        From :func:`gdmaps.models.heavy_ball` or :func:`gdmaps.models.nesterov`, with beta bound
        (for cyclic SGD use :func:`cyclic_critical_step`).
    **critical
        Passed to :func:`gdmaps.critical_learning_rate` on the loss.

    Examples
    --------
    >>> from gdmaps.models import heavy_ball, nesterov
    >>> variant_critical_step(heavy_ball("(a*b - 1)^2/2", ["a", "b"], beta=0.5))
    <CriticalStepSize (heavy-ball, exact): eta* = 3/2>
    >>> variant_critical_step(nesterov("(a*b - 1)^2/2", ["a", "b"], beta=0.5)).eta_star
    3/4

    Notes
    -----
    At a minimum theta* with Hessian eigenvalues lambda_i >= 0, the multipliers of the momentum
    map are the roots of one quadratic per lambda_i (see the builders); they lie in the unit
    disc iff 0 < eta lambda_i < 2 c, with c = 1 + beta (heavy ball) or (1 + beta)/(1 + 2 beta)
    (Nesterov), except lambda_i = 0, which gives the multipliers 1 and beta (heavy ball) or
    1 and beta (Nesterov): the tangent directions of a manifold of minima, as for GD. So a
    minimum is linearly unstable iff eta > 2 c / lambda_max(H), and every minimum is unstable
    iff eta > 2 c / s_min = c eta*. The step of the seed's argument that changes is only this
    spectral one; s_min, and its exactness, come from :func:`gdmaps.critical_learning_rate`.
    """
    if not isinstance(vmap, VariantMap):
        raise InvalidTypeError(f"vmap must be a VariantMap (heavy_ball, nesterov), got {type(vmap).__name__}")
    if vmap.kind == "cyclic-sgd":
        raise InvalidArgumentError(
            "cyclic SGD has no momentum factor: use cyclic_critical_step(vmap, minimum) at a common minimum")
    beta = vmap.beta
    if beta == BETA:
        raise InvalidArgumentError("beta is free in this map: bind it first, e.g. vmap.subs(beta=0.5)")
    c = momentum_factor(vmap.kind, beta)
    base = critical_learning_rate(vmap.gd_map(), **critical)
    if base.exactness is Exactness.EXACT:
        eta = sp.simplify(c * base.eta_star) if base.eta_star != sp.oo else sp.oo
    else:
        eta = float(c) * float(base.eta_star)
    lo = None if base.certified_lower is None else math.nextafter(float(c) * base.certified_lower, 0.0)
    hi = None if base.certified_upper is None else math.nextafter(float(c) * base.certified_upper, math.inf)
    formula = "2 (1 + beta) / s_min" if vmap.kind == "heavy-ball" else "(2 + 2 beta) / ((1 + 2 beta) s_min)"
    argument = (f"eta* = {formula} = {c} * eta*_GD with beta = {beta}: a minimum is linearly unstable iff"
                f" eta lambda_max(H) > {2 * c} (the multipliers of each Hessian eigenvalue solve a"
                f" quadratic, Jury's criterion); s_min from the loss: {base.argument}")
    return CriticalStepSize(vmap.kind, eta, base.exactness, c, base, lo, hi, argument)


def schur_stable(coeffs) -> bool:
    """Whether every root of the polynomial (coefficients highest first, exact) lies in |z| < 1.

    The Schur-Cohn-Jury test in exact arithmetic: p is Schur stable iff |p(0)| < |leading|
    and the reduced polynomial (a_n p(z) - a_0 p*(z)) / z is.

    Examples
    --------
    >>> schur_stable([1, 0, sp.Rational(-1, 4)]), schur_stable([1, 0, -1]), schur_stable([1, 3, 2])
    (True, False, False)
    """
    p = [sp.sympify(c, strict=True) for c in coeffs]
    while len(p) > 1:
        lead, const = p[0], p[-1]
        if not abs(const) < abs(lead):
            return False
        rev = p[::-1]
        p = [sp.expand(lead * a - const * b) for a, b in zip(p, rev)][:-1]
    return True


def cyclic_critical_step(vmap, minimum) -> CriticalStepSize:
    """The exact edge of stability of cyclic SGD at a common minimum of its batch losses.

    Parameters
    ----------
    vmap : VariantMap
        From :func:`gdmaps.models.cyclic_sgd`; its step size is the variable here.
    minimum : sequence of exact numbers
        A point where every batch gradient vanishes (an interpolating minimum).

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps.models import cyclic_sgd
    >>> x, y = sp.symbols("x y")
    >>> cyclic_critical_step(cyclic_sgd([x**2, (x + y)**2 / 2], [x, y]), [0, 0]).eta_star
    1

    Notes
    -----
    The minimum is fixed by every batch map, so DF = P(eta) = prod_{i=m..1} (I - eta H_i) there.
    Its characteristic polynomial chi(mu, eta), with the factor (mu - 1)^k that holds for every
    eta removed (the tangent of a manifold of common minima), has a root on the unit circle
    only where it has a pair of roots mu, 1/mu: where the resultant
    R(eta) = res_mu(q(mu), mu^n q(1/mu)) vanishes. Between consecutive roots of R the
    stability does not change, and it is decided exactly at one rational point by the
    Schur-Cohn test. eta* is the first root of R after an interval of stability starting
    at 0+; there rho(P) = 1. This rests on no spectral rescaling: per-batch Hessians need not
    commute, and eta* is in general not 2 / s_min of any batch or of the sum.
    """
    if not isinstance(vmap, VariantMap) or vmap.kind != "cyclic-sgd":
        raise InvalidTypeError("vmap must be a cyclic SGD map from gdmaps.models.cyclic_sgd")
    point = [exact(v, name="minimum") for v in minimum]
    if len(point) != len(vmap.theta):
        raise InvalidArgumentError(f"minimum must have {len(vmap.theta)} coordinates, got {len(point)}")
    at = dict(zip(vmap.theta, point))
    t, mu = sp.Dummy("t", positive=True), sp.Dummy("mu")
    I = sp.eye(len(point))
    P, Hs = I, []
    for i, L in enumerate(vmap.batch_losses):
        L = L.xreplace(vmap.values)
        g = [sp.simplify(sp.diff(L, p).xreplace(at)) for p in vmap.theta]
        if any(gi != 0 for gi in g):
            raise InvalidArgumentError(
                f"minimum must be a critical point of every batch loss; batch {i} has gradient {g} there")
        H = sp.hessian(L, vmap.theta).xreplace(at).applyfunc(sp.simplify)
        Hs.append(H)
        P = (I - t * H) * P
    chi = sp.Poly.from_list([sp.expand(c) for c in P.charpoly().all_coeffs()], mu)
    k = 0
    while chi.degree() > 0 and sp.expand(chi.as_expr().subs(mu, 1)) == 0:
        chi = sp.Poly(sp.cancel(chi.as_expr() / (mu - 1)), mu)
        k += 1
    indefinite = [i for i, H in enumerate(Hs) if not H.is_positive_semidefinite]
    note = (f"; the Hessians of batches {indefinite} are not positive semidefinite there, so the point"
            " is not a minimum of every batch") if indefinite else ""
    if chi.degree() == 0:
        return CriticalStepSize("cyclic-sgd", sp.oo, Exactness.EXACT, None, None, None, None,
                                f"every multiplier is 1 for every eta ({k} of them){note}")
    n = chi.degree()
    recip = sp.Poly(sp.expand(mu ** n * chi.as_expr().subs(mu, 1 / mu)), mu)
    R = sp.Poly(sp.resultant(chi.as_expr(), recip.as_expr(), mu), t)
    if R.is_zero:
        return CriticalStepSize("cyclic-sgd", None, Exactness.NUMERIC, None, None, None, None,
                                "the resultant vanishes identically (reciprocal multipliers for every eta);"
                                " no exact threshold")
    roots = sorted({r for r in sp.Poly(R.as_expr(), t).real_roots() if r > 0}, key=float)
    first = roots[0] if roots else None
    probe = sp.nsimplify(float(first) / 2, rational=True) if first is not None else sp.Integer(1)
    probe = probe if probe > 0 else sp.Rational(1, 10**6)
    coeffs = sp.Poly(chi.as_expr().subs(t, probe), mu).all_coeffs()
    tangent = f" after removing the factor (mu - 1)^{k} that holds for every eta" if k else ""
    if not schur_stable(coeffs):
        return CriticalStepSize("cyclic-sgd", sp.Integer(0), Exactness.EXACT, None, None, None, None,
                                f"P(eta) is not Schur stable on (0, {first}){tangent}: no step size is"
                                f" stable at this point{note}")
    if first is None:
        return CriticalStepSize("cyclic-sgd", sp.oo, Exactness.EXACT, None, None, None, None,
                                f"P(eta) = prod (I - eta H_i) is Schur stable for every eta > 0{tangent}")
    return CriticalStepSize(
        "cyclic-sgd", first, Exactness.EXACT, None, None, None, None,
        f"rho(prod_i (I - eta H_i)) < 1 on (0, eta*){tangent} (exact Schur-Cohn test at eta = {probe})"
        f" and = 1 at eta*, the least positive root of the resultant {_short(R.as_expr())} of the"
        f" multiplier polynomial and its reciprocal{note}")


def _short(x, limit=120):
    text = str(x)
    return text if len(text) <= limit else text[:limit] + "..."
