"""The critical learning rate eta* = 2 / inf over the minima of lambda_max(H)."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from gdmaps.exact.algebraic import compare_exact
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_choice
from gdmaps.core.gd import ETA, GDMap
from gdmaps.certify.rate import CriticalLearningRate, Exactness
from gdmaps.certify.sos import sos_residuals

__all__ = ["Exactness", "CriticalLearningRate", "critical_learning_rate", "product_form"]

TARGETS = ("global-minima",)


def _zero_target(gdmap):
    """A linear network with Y = 0 and a hidden layer: its minimum theta = 0 has H = 0."""
    from gdmaps.models.linear import LinearNetwork, zero_target_eta_star

    network = getattr(gdmap, "network", None)
    if not isinstance(network, LinearNetwork) or zero_target_eta_star(network) is None:
        return None
    return CriticalLearningRate(
        sp.oo, sp.S.Zero, Exactness.EXACT, (0,) * gdmap.dim,
        "Y = 0: L = c/2 ||W_k ... W_1 X||^2 >= 0 = L(0), and L is a polynomial of degree 2k >= 4 in"
        " the weights with no term below degree 2k, so H(0) = 0: s_min = 0 and eta* = oo.",
        morse_bott=False)


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
    if k < 2 or q.degree() < 2 or q.degree() % 2 or not q.LC().is_positive:
        return None  # univariate (exact_polynomial decides), or not proved to have a minimum
    dq = q.diff()
    free = bool(q.free_symbols - set(q.gens))
    if q.domain.is_QQ or q.domain.is_ZZ:
        crit = list(sp.real_roots(dq))
    elif not free:
        roots = sp.roots(dq, multiple=True)
        if len(roots) != dq.degree() or any(r.is_real is None for r in roots):
            return None  # roots not all found in closed form, or realness undecided
        crit = sorted({r for r in roots if r.is_real}, key=lambda r: float(r))
    else:
        crit = list(sp.real_roots(dq))
    vals = [q.eval(r) for r in crit]
    if free:
        low = min(vals)
        minimizers = [r for r, v in zip(crit, vals) if sp.simplify(v - low) == 0]
    else:
        low = vals[0]
        for v in vals[1:]:
            low = v if compare_exact(v, low) < 0 else low
        minimizers = [r for r, v in zip(crit, vals) if compare_exact(v, low) == 0]
    best = None
    for pstar in minimizers:
        curv = q.diff().diff().eval(pstar)
        s = sp.simplify(curv * k * sp.Abs(pstar) ** (2 - sp.Rational(2, k)))
        if best is None or (compare_exact(s, best[0]) < 0 if not free else (s - best[0]).is_negative):
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
        f" q''(P) sum_i P^2 / w_i^2 >= {k} q''(P) |P|^(2 - 2/{k}) by AM-GM (equality at"
        f" |w_i| = |P|^(1/{k})); q''(P) = {curv}.")
    # H = q''(P) g g^T has rank 1 on the (k-1)-dimensional minima: Morse-Bott when q''(P*) > 0
    return CriticalLearningRate(eta, s, Exactness.EXACT, point, argument,
                                morse_bott=bool(curv > 0 and pstar != 0))


def _numeric(gdmap, *, starts, seed, box):
    # overflow on the way (exp(1000) x, steps far out) is an outcome the search weighs, not a warning
    with np.errstate(all="ignore"):
        return _numeric_search(gdmap, starts=starts, seed=seed, box=box)


def _numeric_search(gdmap, *, starts, seed, box):
    from scipy.optimize import minimize

    num = gdmap.numeric
    rng = np.random.default_rng(seed)
    d = gdmap.dim
    X0 = rng.uniform(-box, box, size=(starts, d))
    # 1. global minima: the lowest loss reached from many starts
    sols = [minimize(lambda x: float(num.loss(x)), x0, jac=lambda x: num.gradient(x),
                     method="BFGS", options={"gtol": 1e-12, "maxiter": 2000}) for x0 in X0]
    sols = [s for s in sols if np.isfinite(s.fun) and np.all(np.isfinite(s.x))]
    scale = float(np.nanmedian(np.abs(num.loss(X0))))
    # a network on the squared error has L >= 0: a loss ~0 is a minimum, not an unattained infimum
    net = getattr(gdmap, "network", None)
    floor = 0.0 if net is not None and getattr(net, "criterion", "squared") == "squared" else None
    lower = _lower_nearby(num, sols, box, scale, floor) if sols else "every run overflowed"
    if lower is not None:
        return CriticalLearningRate(
            float("nan"), float("nan"), Exactness.NUMERIC, None,
            f"numeric: {starts} BFGS starts in [-{box}, {box}]^{d} found no minimum: {lower}. L may"
            " have no global minimum (unbounded below, or an infimum that is not attained), or"
            " the search missed it; no eta* is estimated.", minima_proved=None)
    lows = np.array([s.fun for s in sols])
    L_min = lows.min()
    on_min = [s.x for s in sols if s.fun <= L_min + 1e-10 * max(1.0, abs(L_min))]

    # 2. the flattest of them: minimize lambda_max(H) with the loss kept at its minimum
    def sharp(x):
        H = num.hessian(x)
        if not np.all(np.isfinite(H)):
            return 1e300  # the optimizer stepped where the loss overflows: never the flattest
        try:
            return float(np.linalg.eigvalsh(H)[-1])
        except np.linalg.LinAlgError:
            return 1e300

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
    lower, why = None, "the numeric minimum loss is not ~0"
    if not gdmap.symbolic:
        why = ("a network evaluated by backpropagation has no formula for the ball-arithmetic"
               " certificate (build it with symbolic=True if it is small)")
    elif abs(L_min) <= _ZERO_LOSS:
        lower, why, centre = _certified_zero(gdmap, x)
        if centre is not None:  # the certified minimum: the witness and its sharpness
            x = np.array(centre)
            s = sharp(x)
    upper, above = None, " No certified upper bound (it needs a global lower bound of s_min)."
    if lower is not None:  # min L = 0 is proved: the minima are {r = 0}
        from gdmaps.certify.critical_network import network_upper

        bound, why_not = network_upper(gdmap, s)
        if bound is not None:
            upper, above = bound.upper, " " + bound.argument
        else:
            above += f" (Upper bound: {why_not}.)"
        argument += (f" Certified: eta* >= {lower!r}. L = sum_j c_j r_j^2 with c_j > 0 and real"
                     " (polynomial or analytic) r_j is >= 0, and a Krawczyk test in ball arithmetic"
                     " proved a zero theta* of r in a small box B near the minimizer: a global"
                     " minimum with L = 0, where dr/dtheta has full rank, so the minima near it are"
                     " a smooth manifold with tangent ker H (Morse-Bott). So s_min <="
                     " lambda_max(H(theta*)) < t, proved by the leading principal minors of t I - H(B)"
                     " being positive, and eta* >= 2 / t; below 2 / t theta* is linearly stable in"
                     " the normal directions.") + above
    else:
        argument += f" No certified bound: {why}."
    # a certified zero-residual minimum near x is a proved global minimum, Morse-Bott (see above)
    return CriticalLearningRate(2 / s if s > 0 else np.inf, s,
                                Exactness.CERTIFIED if upper is not None else Exactness.NUMERIC,
                                tuple(x), argument, certified_lower=lower, certified_upper=upper,
                                morse_bott=lower is not None,
                                minima_proved=True if lower is not None else None)


def _lower_nearby(num, sols, box, scale, floor=None):
    """Why the lowest point found is no minimum (the loss is lower a step away), or None.

    ``floor``: a known lower bound of L; within _ZERO_LOSS of it only an absolute drop counts."""
    best = min(sols, key=lambda r: r.fun)
    x, f = best.x, float(best.fun)
    d = len(x)
    steps = np.concatenate([np.eye(d), -np.eye(d)]) * np.array([[1.0], [10.0], [100.0]])[:, :, None]
    trial = x + steps.reshape(-1, d) * max(1.0, box)
    values = num.loss(trial)
    drop = f - np.nanmin(np.where(np.isfinite(values), values, np.inf))
    # a clear drop; or, for a loss far below its typical size, a relative one (exp(x) at x = -28)
    relative = abs(f) > 1e-14 * scale and drop > 1e-2 * abs(f)
    relative = relative and not (floor is not None and f - floor <= _ZERO_LOSS)
    if drop > 1e-9 * max(1.0, abs(f)) or relative or np.any(values == -np.inf):
        return (f"L = {f:.6g} at the lowest point found, {np.round(x, 3).tolist()}, but lower ("
                f"{f - drop:.6g}) a step away")
    return None


#: The numeric minimum loss under which a zero-residual certificate is attempted.
_ZERO_LOSS = 1e-8


def _certified_lower(gdmap, x, *, prec=None):
    """``(lower, None)`` with eta* >= lower proved in ball arithmetic, or ``(None, reason)``."""
    return _certified_zero(gdmap, x, prec=prec)[:2]


def _certified_zero(gdmap, x, *, prec=None):
    """``(lower, None, y)``: eta* >= lower proved, y the float centre of the box holding the
    certified global minimum; ``(None, reason, None)`` when not proved.

    1. L = sum c_j r_j^2, c_j > 0, r_j real polynomials or real-analytic functions
       (:func:`sos_residuals`): L >= 0.
    2. Krawczyk: the m residuals as functions of m coordinates (the others fixed at the floats
       of ``x``, which are exact rationals) have a zero in a box B; that point theta* has
       L = 0 = min L, so it is a global minimum and s_min <= lambda_max(H(theta*)). The test
       also proves the m x m block of J = dr/dtheta invertible on B, so rank J(theta*) = m:
       near theta* the minima {r = 0} are a smooth manifold of dimension d - m whose tangent
       ker J equals ker H(theta*) (H = 2 J^T C J there), i.e. theta* is Morse-Bott.
    3. t I - H(B) has positive leading principal minors for every matrix in the ball enclosure
       of H over B, hence t I - H(theta*) is positive definite (Sylvester) and
       lambda_max(H(theta*)) < t: eta* = 2 / s_min >= 2 / t, rounded down.
    """
    from scipy.linalg import qr

    from gdmaps.exact.interval import (PREC, NotCertifiableError, compile_interval, float_lower,
                                       working_precision)

    prec = PREC if prec is None else prec
    state = tuple(gdmap.state)
    d = len(state)
    loss = gdmap.loss
    terms = sos_residuals(loss, state, analytic=True)
    if terms is None:
        return None, ("the loss is not syntactically a sum of squares, with positive coefficients, of"
                      " residuals proved real-analytic"), None
    res = [r for _, r in terms if r != 0]
    if any(not r.free_symbols for r in res):
        return None, "a residual is a non-zero constant", None
    m = len(res)
    if m == 0 or m > d:
        return None, f"{m} residuals in {d} parameters: no square subsystem", None
    x = np.array(x, dtype=float)
    if not np.all(np.isfinite(x)):
        return None, "the minimizer is not finite", None
    Jexprs = [[sp.diff(r, v) for v in state] for r in res]
    r_num = sp.lambdify([state], res, "numpy")
    J_num = sp.lambdify([state], Jexprs, "numpy")
    # 1. the m best-conditioned coordinates are solved for, the others are fixed at x
    try:
        J0 = np.array(J_num(x), dtype=float).reshape(m, d)
        piv = qr(J0, pivoting=True)[2]
    except (ValueError, np.linalg.LinAlgError):
        return None, "the residual Jacobian could not be evaluated", None
    free = sorted(int(i) for i in piv[:m])
    y = x.copy()
    for _ in range(50):  # Newton on the square system, in floats
        try:
            Jf = np.array(J_num(y), dtype=float).reshape(m, d)[:, free]
            step = np.linalg.solve(Jf, np.array(r_num(y), dtype=float))
        except (np.linalg.LinAlgError, ValueError):
            return None, "the residual Jacobian is singular at the minimizer", None
        if not np.all(np.isfinite(step)):
            return None, "Newton's method on the residuals diverged", None
        y[free] -= step
        if np.max(np.abs(step)) <= 1e-17 * (1 + np.max(np.abs(y[free]))):
            break
    if np.max(np.abs(y - x)) > 1e-3 * (1 + np.max(np.abs(x))):
        return None, "no zero of the residuals near the minimizer", None
    try:
        Y = np.linalg.inv(np.array(J_num(y), dtype=float).reshape(m, d)[:, free])
    except np.linalg.LinAlgError:
        return None, "the residual Jacobian is singular at the minimizer", None
    if not np.all(np.isfinite(Y)):
        return None, "the residual Jacobian is singular at the minimizer", None
    try:
        r_ball = compile_interval(res, state)
        J_ball = compile_interval([e for row in Jexprs for e in row], state)
        H_ball = compile_interval(list(sp.hessian(loss, state)), state)
    except (NotCertifiableError, ValueError, TypeError) as err:
        return None, f"ball arithmetic cannot evaluate the residuals ({err})", None
    with working_precision(prec):
        from flint import arb, arb_mat

        Yb = arb_mat([[arb(float(v)) for v in row] for row in Y])
        if Yb.det().contains(0):
            return None, "the preconditioner is singular", None
        center = [arb(float(v)) for v in y]
        scale = 1 + float(np.max(np.abs(y[free])))
        for rad in (1e-13, 1e-11, 1e-9, 1e-7):
            # the box X_i = [y_i - rad, y_i + rad]: balls lo, hi hold its ends, and the ball
            # B_i (midpoint y_i, radius rounded up) contains X_i, so enclosures over B hold on X
            rad = 2.0 ** math.floor(math.log2(rad * scale))
            B, ends = list(center), []
            for i in free:
                B[i] = arb(float(y[i]), rad)
                lo, hi = center[i] - arb(rad), center[i] + arb(rad)
                ends.append((lo, hi))
            if not all(B[i].contains(lo) and B[i].contains(hi) for (lo, hi), i in zip(ends, free)):
                continue
            try:
                rc = r_ball(center)
                Jb = J_ball(B)
            except NotCertifiableError:
                continue
            JB = arb_mat([[Jb[k * d + i] for i in free] for k in range(m)])
            rcv = arb_mat([[v] for v in rc])
            M = arb_mat([[int(i == j) for j in range(m)] for i in range(m)]) - Yb * JB
            dev = arb_mat([[B[i] - center[i]] for i in free])  # contains X - y
            K = arb_mat([[center[i]] for i in free]) - Yb * rcv + M * dev
            # Krawczyk: K(X) in the interior of X => a unique zero of r in X (K > lo means every
            # point of K exceeds every point of the ball lo, which holds y_i - rad)
            inside = all(K[k, 0] > lo and K[k, 0] < hi for k, (lo, hi) in enumerate(ends))
            if not inside:
                continue
            # 2. B holds a zero of r, a global minimum: bound lambda_max(H) over B
            try:
                Hb = H_ball(B)
            except NotCertifiableError:
                return None, "ball arithmetic cannot enclose the Hessian on the box", None
            H = arb_mat([Hb[i * d:(i + 1) * d] for i in range(d)])
            Hmid = np.array([[float(H[i, j].mid()) for j in range(d)] for i in range(d)])
            Hmid = (Hmid + Hmid.T) / 2
            s_est = float(np.linalg.eigvalsh(Hmid)[-1])
            for eps in (1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7):
                t = s_est + eps * max(1.0, abs(s_est))
                if not t > 0 or not np.isfinite(t):
                    continue
                A = arb_mat([[(arb(t) if i == j else arb(0)) - H[i, j] for j in range(d)]
                             for i in range(d)])
                if all(arb_mat([[A[i, j] for j in range(k)] for i in range(k)]).det() > 0
                       for k in range(1, d + 1)):
                    lower = float_lower(arb(2) / arb(t))
                    if not lower > 0:
                        return None, "the bound rounds down to 0", None
                    return lower, None, tuple(float(v) for v in y)
            return None, "lambda_max(H) could not be bounded on the box", None
    return None, "the Krawczyk test did not prove a zero of the residuals", None


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
    (sum reduction). Exact for polynomial losses with finitely many critical points, for
    L = c r^2 (minima on a hypersurface) and for ReLU/Max/Min/Abs losses whose pieces are
    of those kinds; a certified bracket for analytic losses in up to 3 variables and
    non-whitened linear networks. Otherwise a numeric estimate that is labelled as such.
    """
    if not isinstance(gdmap, GDMap):
        raise InvalidTypeError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    check_choice("target", target, TARGETS)
    free = [p for p in gdmap.free_parameters if p != ETA]
    exact = None
    if not gdmap.symbolic:  # a network by backprop: no formula to reason on, only the numeric search
        g = gdmap if ETA in gdmap.values else gdmap.at(1)
        return _numeric(g, starts=starts, seed=seed, box=box)
    if not free:
        from gdmaps.certify.critical_analytic import certified_analytic
        from gdmaps.certify.critical_hypersurface import hypersurface_minima
        from gdmaps.certify.critical_linear import exact_linear_network
        from gdmaps.certify.critical_linear_bracket import certified_linear_network
        from gdmaps.certify.critical_piecewise import piecewise_minima
        from gdmaps.certify.critical_poly import exact_polynomial
        from gdmaps.certify.critical_variety import variety_minima

        exact = (_zero_target(gdmap) or _exact_product(gdmap) or exact_linear_network(gdmap)
                 or certified_linear_network(gdmap) or exact_polynomial(gdmap)
                 or hypersurface_minima(gdmap) or piecewise_minima(gdmap)
                 or variety_minima(gdmap) or certified_analytic(gdmap))
    elif len(gdmap.state) > 1:
        exact = _exact_product(gdmap)
    if exact is not None:
        return exact
    if free:
        raise InvalidArgumentError(
            "critical_learning_rate needs values for " + ", ".join(str(p) for p in free)
            + " unless the loss is a function of the product of the parameters")
    g = gdmap if ETA in gdmap.values else gdmap.at(1)
    return _numeric(g, starts=starts, seed=seed, box=box)
