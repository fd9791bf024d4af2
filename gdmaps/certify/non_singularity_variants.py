"""Non-singularity of the GD variants: det DF not identically zero, reduced to plain GD.

The momentum maps have block Jacobians whose determinants factor (heavy ball: beta^d;
Nesterov: beta^d det(I - eta H(theta + beta v))); cyclic SGD's is a product over the batch
maps. Each case reduces to :func:`gdmaps.non_singularity` of GD maps, and says which step
of the seed's argument changes.
"""

from __future__ import annotations

import sympy as sp

from gdmaps.certify.non_singularity import NonSingularity, Verdict, non_singularity
from gdmaps.core.errors import FreeParameterError, InvalidArgumentError, InvalidTypeError
from gdmaps.core.gd import ETA, GDMap
from gdmaps.core.symbols import exact_step
from gdmaps.models.variants import BETA, VariantMap

__all__ = ["variant_non_singularity"]


def variant_non_singularity(vmap, *, eta=None, tries=4) -> NonSingularity:
    """Prove that the Jacobian determinant of a GD variant is not identically zero.

    Parameters
    ----------
    vmap : VariantMap
        From :func:`gdmaps.models.heavy_ball`, :func:`~gdmaps.models.nesterov` (beta bound) or
        :func:`~gdmaps.models.cyclic_sgd`.
    eta : positive number, keyword-only
        Read exactly; the map's own step size when left out.
    tries : int, keyword-only
        Passed to :func:`gdmaps.non_singularity` for each GD map it reduces to.

    Examples
    --------
    >>> from gdmaps.models import heavy_ball, nesterov, cyclic_sgd
    >>> variant_non_singularity(heavy_ball("(a*b - 1)^2/2", ["a", "b"], beta=0.5), eta=1).value
    1/4
    >>> variant_non_singularity(nesterov("x^2/2", ["x"], beta=0.5), eta=1).verdict  # det = beta (1 - eta)
    <Verdict.SINGULAR: 'singular'>
    >>> variant_non_singularity(cyclic_sgd(["(a*b - 1)^2/2", "(a - b)^2"], ["a", "b"]), eta=0.1).verdict
    <Verdict.PROVEN: 'proven'>

    Notes
    -----
    * Heavy ball: subtracting the second block row from the first gives det DF = beta^d, a
      constant: for beta > 0, F is a local diffeomorphism everywhere (indeed a global one,
      theta = theta' - v', v = (v' + eta grad L(theta)) / beta), so preimages of null sets
      are null without any exceptional step size; beta = 0 is singular everywhere (F maps
      onto the d-dimensional graph v = theta' - theta).
    * Nesterov: det DF = beta^d det(I - eta H(theta + beta v)). Its zero set is the preimage
      of the zero set Z of det(I - eta H) under the linear surjection (theta, v) ->
      theta + beta v; Z null (GD's non-singularity) makes it null (Fubini). The exceptional
      step sizes are GD's.
    * Cyclic SGD: det DF(theta) = prod_i det(I - eta H_i(theta_{i-1})). If every batch map G_i
      is non-singular, preimages of null sets under each G_i are null, so each factor
      vanishes only on the null set (G_{i-1} o ... o G_1)^{-1}(Z_i), and so does the
      product: the composition of non-singular maps is non-singular (the route of
      arXiv 2510.24466 for SGD). The measure-zero argument then runs on one epoch's map F.
    """
    if not isinstance(vmap, VariantMap):
        raise InvalidTypeError(f"vmap must be a VariantMap, got {type(vmap).__name__}")
    if eta is None and vmap.eta == ETA:
        raise FreeParameterError("eta is free in this map: pass eta=... or fix it with vmap.at(eta)")
    eta = vmap.eta if eta is None else exact_step(eta)
    if vmap.kind == "cyclic-sgd":
        return _cyclic(vmap, eta, tries)
    beta = vmap.beta
    if beta == BETA:
        raise InvalidArgumentError("beta is free in this map: bind it first, e.g. vmap.subs(beta=0.5)")
    d = len(vmap.theta)
    if beta == 0:
        return NonSingularity(Verdict.SINGULAR, eta, None, 0, None,
                              f"beta = 0: det DF = beta^{d} = 0 everywhere (the momentum map collapses"
                              " onto plain GD); run the argument on GD itself")
    if vmap.kind == "heavy-ball":
        value = beta ** d
        return NonSingularity(Verdict.PROVEN, eta, (0,) * (2 * d), value, None,
                              f"det DF = beta^{d} = {value} != 0 at every point (block elimination of"
                              " [[I - eta H, beta I], [-eta H, beta I]]): F is a local diffeomorphism"
                              " everywhere, for every eta; this replaces GD's step 1, which needs"
                              " det(I - eta H) != 0 off a null set")
    gd = non_singularity(vmap.gd_map(), eta=eta, tries=tries)
    if gd.verdict is not Verdict.PROVEN:
        return NonSingularity(gd.verdict, eta, None, 0 if gd.verdict is Verdict.SINGULAR else None,
                              gd.exceptional,
                              f"det DF = beta^{d} det(I - eta H(theta + beta v)), and for plain GD:"
                              f" {gd.argument}")
    witness = None if gd.witness is None else tuple(gd.witness) + (0,) * d
    value = None if gd.value is None else (beta ** d * gd.value if isinstance(gd.value, sp.Basic)
                                           else f"beta^{d} * {gd.value}")
    return NonSingularity(Verdict.PROVEN, eta, witness, value, None,
                          f"det DF = beta^{d} det(I - eta H(theta + beta v)) with beta = {beta} != 0;"
                          f" its zero set is the preimage of GD's under the linear surjection"
                          f" (theta, v) -> theta + beta v, null because GD's is: {gd.argument}")


def _cyclic(vmap, eta, tries):
    parts = []
    for i, L in enumerate(vmap.batch_losses):
        present = [p for p in vmap.theta if p in L.free_symbols]
        # H_i is zero in the rows and columns of absent parameters: det is the present block's
        ns = non_singularity(GDMap(L, present), eta=eta, tries=tries)
        if ns.verdict is not Verdict.PROVEN:
            return NonSingularity(ns.verdict, eta, None, 0 if ns.verdict is Verdict.SINGULAR else None,
                                  ns.exceptional,
                                  f"batch {i} (L = {_short(L)}): {ns.verdict.value}: {ns.argument}; the"
                                  " epoch's det DF is the product of the batch determinants along the"
                                  " epoch, so it is not decided here")
        parts.append(f"batch {i}: {ns.argument}")
    return NonSingularity(
        Verdict.PROVEN, eta, None, None, None,
        f"every batch map G_i = id - eta grad L_i is non-singular ({_short('; '.join(parts), 400)}),"
        " so preimages of null sets under each are null, and the epoch's det DF = prod_i"
        " det(I - eta H_i(theta_{i-1})) vanishes only on a finite union of such preimages: a"
        " null set (composition of non-singular maps, as in arXiv 2510.24466)")


def _short(x, limit=120):
    text = str(x)
    return text if len(text) <= limit else text[:limit] + "..."
