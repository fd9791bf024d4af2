"""The critical learning rate eta* = 2 / inf over the minima of lambda_max(H)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import sympy as sp

from gdmaps.errors import InvalidArgumentError, InvalidTypeError, check_choice
from gdmaps.gd import ETA, GDMap

__all__ = ["Exactness", "CriticalLearningRate", "critical_learning_rate", "product_form"]

TARGETS = ("global-minima",)


class Exactness(enum.Enum):
    """How much a critical learning rate can be trusted."""

    EXACT = "exact"                 #: a closed form with a proof
    NUMERIC = "numeric estimate"    #: the flattest minimum found by optimization; no proof


@dataclass(frozen=True, repr=False)
class CriticalLearningRate:
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

    def __float__(self) -> float:
        return float(self.eta_star)

    def __repr__(self) -> str:
        return (f"<CriticalLearningRate ({self.exactness.value}): eta* = {self.eta_star},"
                f" s_min = {self.sharpness}>")


def product_form(gdmap):
    """``(q, p)`` when the loss depends on the parameters only through their product.

    Returns the univariate polynomial ``q(P)`` with ``L = q(w_1 ... w_k)``, or None.
    """
    ws = gdmap.state
    P = sp.Dummy("P")
    loss = sp.expand(gdmap.loss)
    if not loss.is_polynomial(*ws):
        return None
    # L is a function of the product iff substituting w_1 = P / (w_2 ... w_k) leaves no w
    rest = sp.Mul(*ws[1:])
    q = sp.expand(sp.together(loss.subs(ws[0], P / rest)))
    if q.has(*ws) or not q.is_polynomial(P):
        return None
    return sp.Poly(q, P), ws


def _exact_product(gdmap):
    form = product_form(gdmap)
    if form is None:
        return None
    q, ws = form
    k = len(ws)
    if q.degree() < 2 or q.degree() % 2 or q.LC() <= 0:
        return None  # not bounded below, or linear: no global minimum
    dq = q.diff()
    crit = [r for r in sp.real_roots(dq)]
    vals = [q.eval(r) for r in crit]
    low = min(vals)
    minimizers = [r for r, v in zip(crit, vals) if sp.simplify(v - low) == 0]
    best = None
    for pstar in minimizers:
        curv = q.diff().diff().eval(pstar)
        s = sp.nsimplify(curv * k * sp.Abs(pstar) ** (2 - sp.Rational(2, k)))
        s = sp.simplify(curv * k * sp.Abs(pstar) ** (2 - sp.Rational(2, k)))
        if best is None or (s - best[0]).is_negative:
            best = (s, pstar, curv)
    s, pstar, curv = best
    if s == 0:
        eta, point = sp.oo, None
    else:
        eta = sp.simplify(2 / s)
        root = sp.Abs(pstar) ** sp.Rational(1, k)
        point = tuple([root] * (k - 1) + [sp.sign(pstar) * root])
    P = sp.Symbol("P")
    product = "*".join(str(w) for w in ws)
    argument = (
        f"L = q({product}) with q(P) = {q.as_expr().subs(q.gens[0], P)}; its global minima are"
        f" P = {pstar},"
        f" so on the minima H = q''(P) g g^T with g_i = P / w_i (w = ({', '.join(map(str, ws))})),"
        f" whose only non-zero eigenvalue is"
        f" q''(P) sum_i P^2 / w_i^2 >= q''(P) k |P|^(2 - 2/{k}) by AM-GM (equality at"
        f" |w_i| = |P|^(1/{k})); q''(P) = {curv}.")
    # H = q''(P) g g^T has rank 1 on the (k-1)-dimensional minima: Morse-Bott when q''(P*) > 0
    return CriticalLearningRate(eta, s, Exactness.EXACT, point, argument,
                                morse_bott=bool(curv > 0 and pstar != 0))


def _exact_linear(gdmap):
    """Depth-2 linear networks with X X^T = c I: eta* = 1 / sigma_max(Y X^T) (times n for mean)."""
    net = getattr(gdmap, "network", None)
    if net is None or len(net.widths) != 1 or net.X.free_symbols or net.Y.free_symbols:
        return None
    S = net.X * net.X.T
    c = S[0, 0]
    if c == 0 or S != c * sp.eye(S.shape[0]):
        return None
    M = net.Y * net.X.T
    if net.widths[0] < M.rank():
        return None  # W2 W1 cannot reach M: the minima are elsewhere
    char = (M.T * M).charpoly()
    top = max(sp.Poly(char.as_expr(), char.gen).real_roots())
    sigma = sp.sqrt(top)
    n = net.X.shape[1]
    s = 2 * sigma if net.reduction == "sum" else 2 * sigma / n
    argument = (
        f"X X^T = {c} I, so L = (c/2) ||W2 W1 - M/c||_F^2 + const with M = Y X^T, and the minima are"
        f" W2 W1 = M/c (width {net.widths[0]} >= rank M = {M.rank()}). At a minimum the Hessian's"
        " quadratic form is c ||dW2 W1 + W2 dW1||_F^2; testing it on dW2 = alpha u1 a^T,"
        " dW1 = beta b v1^T (u1, v1 the top singular pair of M, a = W1 v1/|W1 v1|,"
        " b = W2^T u1/|W2^T u1|) gives lambda_max >= c(|W1 v1|^2 + |W2^T u1|^2)"
        " >= 2c |u1^T W2 W1 v1| = 2 sigma_max(M) (AM-GM, Cauchy-Schwarz), with equality at the"
        " balanced minimum W2 = U S^(1/2), W1 = S^(1/2) V^T / c"
        + (f"; the mean reduction divides by n = {n}" if net.reduction == "mean" else "") + ".")
    # square invertible M with width = d_in = d_out: the minima {W2 W1 = M/c} are a GL(h)-orbit of
    # dimension h^2 and the Hessian J^T J has rank h^2 there (Morse-Bott)
    square = net.widths[0] == M.shape[0] == M.shape[1] == M.rank()
    return CriticalLearningRate(sp.simplify(2 / s), s, Exactness.EXACT, None, argument,
                                morse_bott=square)


def _numeric(gdmap, *, starts, seed, box):
    from scipy.optimize import minimize

    num = gdmap.numeric
    rng = np.random.default_rng(seed)
    d = gdmap.dim
    X0 = rng.uniform(-box, box, size=(starts, d))
    # 1. global minima: the lowest loss reached from many starts
    sols = [minimize(lambda x: float(num.loss(x)), x0, jac=lambda x: num.gradient(x),
                     method="BFGS", options={"gtol": 1e-12, "maxiter": 2000}) for x0 in X0]
    lows = np.array([s.fun for s in sols])
    L_min = lows.min()
    on_min = [s.x for s in sols if s.fun <= L_min + 1e-10 * max(1.0, abs(L_min))]

    # 2. the flattest of them: minimize lambda_max(H) with the loss kept at its minimum
    def sharp(x):
        return float(np.linalg.eigvalsh(num.hessian(x))[-1])

    cons = {"type": "ineq", "fun": lambda x: L_min + 1e-10 - float(num.loss(x))}
    best = None
    for x0 in on_min[: max(5, starts // 4)]:
        r = minimize(sharp, x0, constraints=[cons], method="SLSQP",
                     options={"ftol": 1e-12, "maxiter": 500})
        x = r.x if float(num.loss(r.x)) <= L_min + 1e-8 else x0
        s = sharp(x)
        if best is None or s < best[0]:
            best = (s, x)
    s, x = best
    argument = (f"numeric: {starts} BFGS starts in [-{box}, {box}]^{d} reached the loss {L_min:.6g};"
                f" SLSQP minimized lambda_max(H) over {len(on_min)} of those minima. An estimate,"
                " not a proof: a flatter minimum may exist.")
    return CriticalLearningRate(2 / s if s > 0 else np.inf, s, Exactness.NUMERIC, tuple(x), argument)


def critical_learning_rate(gdmap, *, target="global-minima", starts=40, seed=0,
                           box=2.0) -> CriticalLearningRate:
    """The critical learning rate eta* = 2 / inf_{theta in minima} lambda_max(H(theta)).

    Parameters
    ----------
    gdmap : GDMap
        Its eta is ignored.
    target : {"global-minima"}, keyword-only
    starts, seed, box : keyword-only
        The numeric fallback: random starts in ``[-box, box]^d``.

    Examples
    --------
    >>> from gdmaps.models import scalar_chain
    >>> critical_learning_rate(scalar_chain(2, 3))
    <CriticalLearningRate (exact): eta* = 1/3, s_min = 6>
    >>> critical_learning_rate(scalar_chain(4, 2)).eta_star
    sqrt(2)/8

    Notes
    -----
    Past eta* every global minimum has a multiplier 1 - eta lambda_max(H) < -1.
    Exact when the loss is a function q of the product of all parameters (scalar
    chains, (ab - y)^2 / 2, with any data): on the minima P = P*,
    lambda_max = q''(P*) sum_i P*^2 / w_i^2 >= q''(P*) k |P*|^(2 - 2/k) (AM-GM).
    Exact too for depth-2 linear networks with X X^T = c I: eta* = 1 / ||Y X^T||_2
    (sum reduction). Otherwise a numeric estimate that is labelled as such.
    """
    if not isinstance(gdmap, GDMap):
        raise InvalidTypeError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    check_choice("target", target, TARGETS)
    free = [p for p in gdmap.free_parameters if p != ETA]
    exact = (_exact_product(gdmap) or _exact_linear(gdmap)) if not free else None
    if exact is not None:
        return exact
    if free:
        raise InvalidArgumentError(
            "critical_learning_rate needs values for " + ", ".join(str(p) for p in free)
            + " unless the loss is a function of the product of the parameters")
    g = gdmap if ETA in gdmap.values else gdmap.at(1)
    return _numeric(g, starts=starts, seed=seed, box=box)
