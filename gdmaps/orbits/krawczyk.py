"""Certified enclosures of fixed points and periodic orbits by the Krawczyk test.

An orbit x_0 -> x_1 -> ... -> x_{p-1} -> x_0 of f is a zero of the
multiple-shooting system F(x_0, ..., x_{p-1}) = (f(x_0) - x_1, ..., f(x_{p-1}) - x_0)
in dimension p d. :func:`certify_orbit` proves, in ball arithmetic
(:mod:`gdmaps.exact.interval`), that a box holds exactly one zero of F, or says why
it could not. :func:`refine_mpmath` polishes an orbit by Newton's method in
mpmath, independently of the ball arithmetic, to check certificates against.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy as sp
from flint import arb, arb_mat

from gdmaps.core.errors import (FreeParameterError, InvalidArgumentError, RefinementError, check_finite_array,
                                check_int, check_positive_finite)
from gdmaps.exact.interval import (PREC, NotCertifiableError, box, float_lower, float_upper,
                                   interval_function, working_precision)
from gdmaps.orbits.orbit import Enclosure

__all__ = ["certify_orbit", "refine_mpmath", "RefinementError"]

#: Above this condition number the Jacobian of F counts as singular at the orbit.
_SINGULAR = 1e14
#: Above this condition number a failure is reported as "nearly singular".
_NEAR_SINGULAR = 1e6
#: Boxes stop growing at this radius, relative to 1 + max |x|.
_MAX_RADIUS = 1e-2




def _as_orbit(map, points) -> np.ndarray:
    pts = check_finite_array("points", points)
    d = map.dim
    if pts.ndim == 1:
        pts = pts.reshape(1, d) if pts.size == d else (pts.reshape(-1, 1) if d == 1 else pts)
    if pts.ndim != 2 or pts.shape[1] != d or pts.shape[0] == 0:
        raise InvalidArgumentError(
            f"points must have shape ({d},) for a fixed point or (p, {d}) for an orbit,"
            f" got shape {np.shape(points)}")
    return pts


def _system(fun, balls, p, d, *, jacobian=True):
    """F and (optionally) its block Jacobian on a box of p*d balls.

    The Jacobian has Df(x_k) on the diagonal blocks and -I on the blocks
    (k, k+1 mod p); for p = 1 the two meet: Df(x_0) - I.
    """
    n = p * d
    values = []
    rows = [[0] * n for _ in range(n)] if jacobian else None
    for k in range(p):
        x = balls[k * d:(k + 1) * d]
        nxt = ((k + 1) % p) * d
        fx = fun.f(x)
        values += [fx[i] - balls[nxt + i] for i in range(d)]
        if jacobian:
            J = fun.jacobian(x)
            for i in range(d):
                for j in range(d):
                    rows[k * d + i][k * d + j] = J[i, j]
                rows[k * d + i][nxt + i] -= 1
    return values, (arb_mat(rows) if jacobian else None)


def _mids(values) -> np.ndarray:
    return np.array([float(v.mid()) for v in values])


def _polish(fun, m, p, d, steps):
    """A few Newton steps in floats, while they shrink; the ball test decides anyway."""
    # one point in ball arithmetic, stopped when the step stops shrinking: not the batched
    # damped Newton of gdmaps.core.newton
    last = math.inf
    for _ in range(steps):
        try:
            values, J = _system(fun, [arb(v) for v in m], p, d)
            Jm = np.array([[float(J[i, j].mid()) for j in range(len(m))] for i in range(len(m))])
            delta = np.linalg.solve(Jm, _mids(values))
        except (NotCertifiableError, np.linalg.LinAlgError):
            break
        size = float(np.max(np.abs(delta)))
        if not np.isfinite(size) or size >= last:
            break
        m, last = m - delta, size
        if size <= 4 * np.finfo(float).eps * max(1.0, float(np.max(np.abs(m)))):
            break
    return m


def _minimal_period_note(lo, hi) -> str:
    """Why the period is minimal: box 0 is disjoint from box s for every s | p, s < p."""
    p = len(lo)
    for s in range(1, p):
        if p % s == 0 and np.all((lo[0] <= hi[s]) & (lo[s] <= hi[0])):
            return f"minimal period not proven: boxes 0 and {s} overlap"
    return f"minimal period {p}"


def certify_orbit(map, points, *, radius=None, max_expansions=10, prec=PREC,
                  newton_steps=6, inflation=0.1) -> Enclosure:
    """Prove that a box around ``points`` holds exactly one orbit, by the Krawczyk test.

    Parameters
    ----------
    map : Map
        A map with every parameter bound. Its exact expressions are evaluated
        in ball arithmetic (:func:`gdmaps.exact.interval.interval_function`).
    points : array (d,) or (p, d)
        An approximate fixed point, or the points of an approximate orbit of
        period p in order. A few Newton steps polish them first.
    radius : float, keyword-only, optional
        The first half-width of the box around each coordinate. By default it
        is twice the Newton correction, a few ulps when the points are accurate.
    max_expansions : int, keyword-only
        How often the box may be inflated after a failed test.
    prec : int, keyword-only
        Working precision of the ball arithmetic, in bits.
    newton_steps : int, keyword-only
        Most floating-point Newton steps before the test (0 keeps the points).
    inflation : float, keyword-only
        Relative epsilon-inflation of K(X) that gives the next box.

    Returns
    -------
    Enclosure
        ``certified=True`` with the box (``lower``, ``upper``, shape (p, d))
        when the test passed; otherwise ``certified=False`` with the reason,
        and the last box tried when there was one.

    Raises
    ------
    FreeParameterError
        If a parameter of the map has no value.

    Examples
    --------
    >>> from gdmaps.maps import henon
    >>> enc = certify_orbit(henon(), [0.6314, 0.1894])
    >>> enc.certified, enc.radius < 1e-14
    (True, True)
    >>> bool(enc.lower[0, 0] < (-0.7 + (0.49 + 5.6) ** 0.5) / 2.8 < enc.upper[0, 0])
    True
    >>> certify_orbit(henon(), [[0.9758, -0.1502], [-0.5008, 0.2927]]).reason[:43]
    'Krawczyk: K(X) inside the interior of X, so'

    Notes
    -----
    With X a box, m in X (here its midpoint, an exact vector of floats), Y an
    approximate inverse of F'(m) (computed in floats and then used as an exact
    matrix) and F'(X) an interval matrix enclosing F' on X, the Krawczyk operator
    is

        K(X) = m - Y F(m) + (I - Y F'(X)) (X - m).

    Every zero of F in X lies in K(X); if K(X) lies in the interior of X, then
    X holds exactly one zero of F (Krawczyk 1969, Moore 1977). For an orbit,
    F is the multiple-shooting system above and F' is block-cyclic: Df(x_k) on
    the diagonal, -I on the blocks (k, k + 1 mod p). When the test fails the
    next box is K(X) inflated by ``inflation`` (epsilon-inflation, Rump 1983).

    The boxes are float boxes [lower, upper]; the balls tested contain them,
    and the test asks K(X) to lie strictly inside the float box, so the
    returned box itself holds exactly one orbit. A double root or a
    non-isolated orbit (a curve of fixed points of a GD map) has a singular
    F', and the test cannot pass there: such orbits are never certified.

    R. Krawczyk, Computing 4, 187-201 (1969). R. E. Moore, SIAM J. Numer.
    Anal. 14, 611-615 (1977). S. M. Rump, in Computer Arithmetic, Kulisch
    and Miranker (eds.), 51-120 (1983).
    """
    pts = _as_orbit(map, points)
    max_expansions = check_int("max_expansions", max_expansions)
    newton_steps = check_int("newton_steps", newton_steps)
    inflation = check_positive_finite("inflation", inflation)
    if radius is not None:
        radius = check_positive_finite("radius", radius)
    p, d = pts.shape
    what = "fixed point" if p == 1 else f"period-{p} orbit"
    try:
        fun = interval_function(map, prec=prec)
    except NotCertifiableError as exc:
        return Enclosure(False, None, None, f"not certified: {exc}")
    with working_precision(prec):
        try:
            return _krawczyk(fun, pts, what, radius, max_expansions, newton_steps, inflation, prec)
        except NotCertifiableError as exc:
            return Enclosure(False, None, None, f"not certified: {exc}")


def _krawczyk(fun, pts, what, radius, max_expansions, newton_steps, inflation, prec):
    p, d = pts.shape
    n = p * d
    m = _polish(fun, pts.ravel().astype(float), p, d, newton_steps)
    values, J = _system(fun, [arb(v) for v in m], p, d)
    Jm = np.array([[float(J[i, j].mid()) for j in range(n)] for i in range(n)])
    cond = _relative_condition(Jm, p, d)
    try:
        if not cond < _SINGULAR:
            raise np.linalg.LinAlgError
        Y = arb_mat(np.linalg.inv(Jm).tolist())
    except np.linalg.LinAlgError:
        return Enclosure(False, None, None, (
            f"not certified: the Jacobian of the orbit equations is singular at the {what}"
            f" (condition number {cond:.2g}): a multiple root or a non-isolated {what},"
            " e.g. one on a curve of fixed points"))
    YF = Y * arb_mat([[v] for v in values])
    I = arb_mat([[int(i == j) for j in range(n)] for i in range(n)])
    mb = [arb(v) for v in m]
    tiny = np.maximum(4 * np.spacing(np.abs(m)), 1e-300)
    r = np.array([2 * float_upper(abs(YF[i, 0])) for i in range(n)]) + tiny
    if radius is not None:
        r = np.maximum(r, radius)
    limit = max(_MAX_RADIUS * (1 + float(np.max(np.abs(m)))), 10 * float(np.max(r)))
    for k in range(max_expansions + 1):
        lo = np.nextafter(m - r, -np.inf)
        hi = np.nextafter(m + r, np.inf)
        X = box(lo, hi)
        try:
            _, JX = _system(fun, X, p, d)
        except NotCertifiableError as exc:
            return Enclosure(False, lo.reshape(p, d), hi.reshape(p, d), f"not certified: {exc}")
        K = -YF + (I - Y * JX) * arb_mat([[X[i] - mb[i]] for i in range(n)])
        K = [mb[i] + K[i, 0] for i in range(n)]
        if all(K[i] > arb(lo[i]) and K[i] < arb(hi[i]) for i in range(n)):
            lo, hi = lo.reshape(p, d), hi.reshape(p, d)
            period = "" if p == 1 else f" ({_minimal_period_note(lo, hi)})"
            return Enclosure(True, lo, hi, (
                f"Krawczyk: K(X) inside the interior of X, so the box holds exactly one {what}"
                f"{period}; {prec}-bit ball arithmetic, {k} expansion(s)"
                " (Krawczyk 1969, Moore 1977)"))
        if k == max_expansions:
            why = f"after {k} expansion(s)"
            break
        dev = np.array([max(float_upper(K[i]) - m[i], m[i] - float_lower(K[i])) for i in range(n)])
        grown = np.maximum(r, (1 + inflation) * dev + tiny)
        if not np.all(grown <= limit):
            why = f"after {k} expansion(s); the next box would exceed radius {limit:.2g}"
            break
        r = grown
    hint = (f"; the Jacobian is nearly singular (condition number {cond:.2g}): a multiple root,"
            " a cluster of orbits or a non-isolated orbit?" if cond > _NEAR_SINGULAR else
            f"; condition number {cond:.2g}")
    return Enclosure(False, lo.reshape(p, d), hi.reshape(p, d), (
        f"not certified: K(X) is not inside X {why} (radius {float(np.max(r)):.2g}){hint}"))


def _relative_condition(Jm, p, d) -> float:
    """sigma_max / sigma_min of F', with sigma_max at least 1 + max ||Df(x_k)||.

    F' = Df - shift: when Df is close to the shift (a multiplier near 1), F'
    is small but computed from O(|Df| + 1) entries, so that is the scale.
    """
    if not np.isfinite(Jm).all():
        return math.inf
    s = np.linalg.svd(Jm, compute_uv=False)
    blocks = [Jm[k * d:(k + 1) * d, k * d:(k + 1) * d] + (np.eye(d) if p == 1 else 0)
              for k in range(p)]
    scale = max(s[0], 1 + max(np.linalg.norm(b, 2) for b in blocks))
    return math.inf if s[-1] == 0 else float(scale / s[-1])


@functools.lru_cache(maxsize=128)
def _mpmath_functions(state, exprs, jacobian):
    d = len(state)
    rows = [list(jacobian[i * d:(i + 1) * d]) for i in range(d)]
    return (sp.lambdify(state, list(exprs), modules="mpmath"),
            sp.lambdify(state, rows, modules="mpmath"))


def refine_mpmath(map, points, *, dps=50, maxiter=60) -> np.ndarray:
    """Refine an orbit by Newton's method in mpmath on the exact expressions.

    Independent of the ball arithmetic: the map's SymPy expressions and
    Jacobian are evaluated by mpmath at ``dps`` + 10 digits.

    Parameters
    ----------
    map : Map
        A map with every parameter bound.
    points : array (d,) or (p, d)
        An approximate fixed point or orbit, in order.
    dps : int, keyword-only
        Decimal digits of the result.
    maxiter : int, keyword-only
        Most Newton steps.

    Returns
    -------
    ndarray of mpmath.mpf, shape (p, d)
        The refined orbit, accurate to about ``dps`` digits.

    Raises
    ------
    RefinementError
        If the Jacobian is singular or Newton does not converge.

    Examples
    --------
    >>> from gdmaps.maps import henon
    >>> x = refine_mpmath(henon(), [0.63, 0.19], dps=30)
    >>> print(mpmath.nstr(x[0, 0], 25))
    0.6313544770895047876894532

    Notes
    -----
    Newton on the multiple-shooting system F(x) = (f(x_k) - x_{k+1 mod p})_k:
    x <- x - F'(x)^{-1} F(x), until the step is below 10^-dps (1 + |x|).
    """
    pts = _as_orbit(map, points)
    dps = check_int("dps", dps, minimum=1)
    maxiter = check_int("maxiter", maxiter, minimum=1)
    if map.free_parameters:
        raise FreeParameterError(
            f"refine_mpmath needs values for the free parameters"
            f" {', '.join(str(s) for s in map.free_parameters)}")
    p, d = pts.shape
    n = p * d
    f, Df = _mpmath_functions(tuple(map.state), tuple(map.exprs), tuple(map.jacobian()))
    with mpmath.workdps(dps + 10):
        x = mpmath.matrix([mpmath.mpf(float(v)) for v in pts.ravel()])
        tol = mpmath.mpf(10) ** (-dps)
        for _ in range(maxiter):
            R, J = mpmath.matrix(n, 1), mpmath.matrix(n, n)
            for k in range(p):
                xk = [x[k * d + i] for i in range(d)]
                nxt = ((k + 1) % p) * d
                try:
                    fx, Jk = f(*xk), Df(*xk)
                    for i in range(d):
                        R[k * d + i] = mpmath.mpf(fx[i]) - x[nxt + i]
                        for j in range(d):
                            J[k * d + i, k * d + j] = mpmath.mpf(Jk[i][j])
                        J[k * d + i, nxt + i] -= 1
                except (TypeError, ValueError, ZeroDivisionError) as exc:
                    raise RefinementError(f"the map is not real or not defined at {xk}: {exc}") from None
            try:
                delta = mpmath.lu_solve(J, R)
            except ZeroDivisionError:
                raise RefinementError("the Jacobian of the orbit equations is singular") from None
            x -= delta
            if mpmath.mnorm(delta, 1) <= tol * (1 + mpmath.mnorm(x, 1)):
                return np.array([x[i] for i in range(n)], dtype=object).reshape(p, d)
    raise RefinementError(f"Newton did not converge in {maxiter} steps")
