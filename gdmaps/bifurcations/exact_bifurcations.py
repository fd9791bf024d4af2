"""Exact bifurcation points of polynomial and rational maps, by elimination (SymPy).

A period-p orbit bifurcates where its multipliers (the eigenvalues of D f^p) cross
the unit circle. Writing the orbit condition f^p(x) = x and one multiplier
condition as polynomial equations in the state x and the parameter s, and
eliminating x (a resultant in one dimension, a lexicographic Groebner basis
otherwise), leaves a polynomial in s alone whose real roots contain every
bifurcation value. Each root is then checked: the orbit must be real, of prime
period p, and have the multiplier the condition asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

from gdmaps.bifurcations._elimination import (_DPS, _TOL, EliminationTooLargeError, _backsolve, _equations,
                                              _nice, _systems, _to_mp)
from gdmaps.core.errors import FreeParameterError, GdmapsError, InvalidArgumentError, check_int
from gdmaps.core.symbols import exact
from gdmaps.exact.varieties import NotPolynomialError
from gdmaps.core.results import Result

__all__ = [
    "ExactBifurcation",
    "EliminationTooLargeError",
    "exact_bifurcations",
    "gd_period_doubling",
]

KINDS = ("fold", "period-doubling", "neimark-sacker")
@dataclass(frozen=True, repr=False, eq=False)
class ExactBifurcation(Result):
    """A bifurcation of a periodic orbit at an exact parameter value.

    Attributes
    ----------
    kind : str
        ``"fold"`` (a multiplier +1, generic saddle-node), ``"transcritical"`` or
        ``"pitchfork"`` (a multiplier +1 where a branch of orbits persists through
        the point: the non-generic cases of the fold condition), ``"period-doubling"``
        (a multiplier -1) or ``"neimark-sacker"`` (a complex pair on the unit circle).
    parameter : SymPy symbol
        The parameter that was varied.
    value : SymPy number
        Its exact value: an integer, a rational, a radical or a ``CRootOf``.
    orbit : tuple of tuples, or None
        The orbit's points, exact, in the order the map visits them; None when
        SymPy cannot write them in closed form (see :attr:`numeric_orbit`).
    period : int
        The prime period of the orbit.
    multipliers : tuple
        The eigenvalues of D f^p along the orbit: exact where SymPy gives them,
        else mpmath numbers to 60 digits.
    numeric_orbit : tuple of tuples
        The orbit's points as floats (always available).
    """

    kind: str
    parameter: sp.Symbol
    value: sp.Expr
    orbit: tuple | None
    period: int
    multipliers: tuple
    numeric_orbit: tuple = ()

    def __float__(self) -> float:
        return float(self.value)

    def latex(self) -> str:
        """The parameter value, exact, and the kind of bifurcation."""
        return (rf"{sp.latex(self.parameter)} = {sp.latex(self.value)} \approx {float(self.value):.10g}"
                rf"\quad\text{{({self.kind}, period {self.period})}}")

    @property
    def float(self) -> float:
        """The parameter value as a float."""
        return float(self.value)

    def evalf(self, n: int = 15):
        """The parameter value to ``n`` significant digits (a SymPy Float)."""
        return sp.N(self.value, n)

    def __repr__(self) -> str:
        what = "a fixed point" if self.period == 1 else f"a period-{self.period} orbit"
        return f"<{self.kind} of {what} at {self.parameter} = {self.value}>"


# -- input checks ------------------------------------------------------------------------------

def _resolve_parameter(map, parameter) -> sp.Symbol:
    names = {p.name: p for p in map.parameters}
    key = parameter.name if isinstance(parameter, sp.Symbol) else parameter
    if not isinstance(key, str) or key not in names:
        raise InvalidArgumentError(
            f"parameter must be one of the map's parameters"
            f" ({', '.join(names) or 'it has none'}), got {parameter!r}")
    return names[key]


def _bound_system(map, s):
    free = [str(p) for p in map.free_parameters if p != s]
    if free:
        raise FreeParameterError(
            f"exact bifurcations in {s} need every other parameter bound; free: {', '.join(free)}"
            f" (bind them with .subs({free[0]}=...))")
    values = {k: v for k, v in map.values.items() if k != s}
    exprs = [sp.together(e.xreplace(values)) for e in map.template]
    gens = tuple(map.state) + (s,)
    for i, e in enumerate(exprs):
        for part in sp.fraction(e):
            try:
                sp.Poly(part, *gens)
            except sp.PolynomialError:
                raise NotPolynomialError(
                    f"map component {map.state[i]} -> {e} is not polynomial or rational in the state"
                    f" {', '.join(str(v) for v in map.state)}"
                    f" and the parameter {s}; exact elimination needs polynomial equations:"
                    f" follow the orbits numerically with gdmaps.continuation instead") from None
    return exprs


def _check_domain(domain):
    if domain is None:
        return None
    try:
        lo, hi = domain
        lo, hi = exact(lo, name="domain"), exact(hi, name="domain")   # text: the whitelist parser
        ok = lo.is_real is not False and hi.is_real is not False and bool(lo < hi)
    except (TypeError, ValueError, GdmapsError):
        ok = False
    if not ok:
        raise InvalidArgumentError(f"domain must be an interval (low, high) with low < high, got {domain!r}")
    return lo, hi


# -- the orbits and their multipliers ----------------------------------------------------------

def _close(u, v, tol=None):
    tol = mpmath.mpf(10) ** -20 if tol is None else tol
    return max(abs(a - b) for a, b in zip(u, v)) < tol * (1 + max(abs(a) for a in u))


def _classify_fold(F, state, s, x0, s_num):
    """'fold', or 'transcritical' / 'pitchfork' when a branch of orbits passes through the point."""
    d = len(state)
    sub = {**dict(zip(state, (sp.Float(v, _DPS) for v in x0))), s: sp.Float(s_num, _DPS)}
    Fm = sp.Matrix(F)
    A = (Fm.jacobian(sp.Matrix(state)) - sp.eye(d)).xreplace(sub).evalf(_DPS)
    b = Fm.diff(s).xreplace(sub).evalf(_DPS)
    with mpmath.workdps(_DPS):
        Am = mpmath.matrix([[mpmath.mpf(A[i, j]) for j in range(d)] for i in range(d)])
        U, S, V = mpmath.svd_r(Am)
        w = [U[i, d - 1] for i in range(d)]
        vv = [V[d - 1, i] for i in range(d)]
        if abs(sum(w[i] * mpmath.mpf(b[i]) for i in range(d))) > mpmath.mpf(10) ** -20:
            return "fold"
        second = 0
        for i in range(d):
            H = sp.hessian(F[i], state).xreplace(sub).evalf(_DPS)
            second += w[i] * sum(vv[j] * mpmath.mpf(H[j, k]) * vv[k] for j in range(d) for k in range(d))
    return "transcritical" if abs(second) > mpmath.mpf(10) ** -20 else "pitchfork"


def _multipliers(J, state, s, orbit_exact, x0, s_exact, s_num):
    d = len(state)
    sub = {**dict(zip(state, (sp.Float(v, _DPS) for v in x0))), s: sp.Float(s_num, _DPS)}
    Jn = J.xreplace(sub).evalf(_DPS)
    with mpmath.workdps(_DPS):
        num = mpmath.eig(mpmath.matrix([[mpmath.mpc(Jn[i, j]) for j in range(d)] for i in range(d)]))[0]
        num = [mpmath.mpf(mpmath.re(m)) if abs(mpmath.im(m)) < _TOL else m for m in num]
    exact = None
    if orbit_exact is not None:
        Je = J.xreplace({**dict(zip(state, orbit_exact[0])), s: s_exact})
        if d == 1:
            exact = [_nice(Je[0, 0])]
        elif d > 2:
            mu = sp.Symbol("mu")
            roots = sp.roots(sp.Poly(Je.applyfunc(_nice).charpoly(mu).as_expr(), mu))
            exact = [_nice(m) for m, k in roots.items() for _ in range(k)]
            exact = exact if len(exact) == d else None
        else:
            tr, det = _nice(Je.trace()), _nice(Je.det())
            mu = sp.Symbol("mu")
            exact = [_nice(m) for m in sp.solve(mu**2 - tr * mu + det, mu)]
            if len(exact) == 1:
                exact *= 2
        if exact is not None and not all(min(abs(_to_mp(e) - m) for m in num) < 1e-20 for e in exact):
            exact = None  # a closed form that does not match the numbers: keep the numbers
    return tuple(exact) if exact is not None else tuple(num), num


def _kind_holds(kind, num):
    if kind == "fold":
        return any(abs(m - 1) < 1e-20 for m in num)
    if kind == "period-doubling":
        return any(abs(m + 1) < 1e-20 for m in num)
    return any(abs(abs(m) - 1) < 1e-20 and abs(mpmath.im(m)) > 1e-20 for m in num)


def exact_bifurcations(map, parameter, *, period=1, kinds=KINDS, domain=None,
                       max_bezout=1000) -> tuple[ExactBifurcation, ...]:
    """The bifurcations of the period-p orbits of a polynomial map, at exact parameter values.

    Parameters
    ----------
    map : Map
        A map polynomial or rational in its state and in ``parameter``; every
        other parameter bound.
    parameter : str or SymPy symbol
        The parameter to vary: ``"eta"`` for a GD map, ``"r"`` for
        :func:`gdmaps.maps.logistic`, ``"a"`` or ``"b"`` for :func:`gdmaps.maps.henon`.
        A value bound to it in ``map`` is ignored.
    period : int, keyword-only
        The prime period p of the orbits.
    kinds : tuple of str, keyword-only
        Any of ``"fold"`` (which also reports the non-generic ``"transcritical"``
        and ``"pitchfork"`` points), ``"period-doubling"`` and ``"neimark-sacker"``
        (dimension >= 2 only).
    domain : (low, high), optional, keyword-only
        Report only parameter values in this closed interval.
    max_bezout : int, keyword-only
        Refuse eliminations whose Bezout bound (product of the total degrees of the
        equations) exceeds this.

    Returns
    -------
    tuple of ExactBifurcation
        Sorted by parameter value; one entry per orbit and kind.

    Raises
    ------
    NotPolynomialError
        The map is not polynomial or rational in the state and the parameter.
    EliminationTooLargeError
        The elimination exceeds ``max_bezout``.
    InvalidArgumentError
        An unknown parameter or kind, or a condition that holds on a continuum.

    Examples
    --------
    >>> from gdmaps.maps import logistic
    >>> exact_bifurcations(logistic(3), "r", period=2, kinds=("period-doubling",), domain=(0, 4))
    (<period-doubling of a period-2 orbit at r = 1 + sqrt(6)>,)
    >>> _[0].orbit[0][0]
    (-2*sqrt(3) + sqrt(2) + sqrt(6))/10 + 2/5

    Notes
    -----
    With F = f^p, the conditions are det(DF - I) = 0 (fold), det(DF + I) = 0
    (period doubling) and det(DF (.) DF - I) = 0, the second compound matrix whose
    eigenvalues are the products mu_i mu_j (Neimark-Sacker; for d = 2 it is
    det DF = 1), each with F(x) = x. Roots whose orbit is complex, of a lower
    period (a fixed point with multiplier -1 solves the period-2 fold condition)
    or whose multipliers do not fit the kind (a real pair mu, 1/mu: a neutral
    saddle) are dropped.
    """
    p = check_int("period", period, minimum=1)
    if not getattr(map, "symbolic", True):
        raise InvalidArgumentError("a network evaluated by backpropagation has no polynomial formula for"
                                   " exact bifurcations; the orbit diagram and continuation are numeric")
    s = _resolve_parameter(map, parameter)
    if isinstance(kinds, str):
        kinds = (kinds,)
    for k in kinds:
        if k not in KINDS:
            allowed = ", ".join(repr(k) for k in KINDS)
            raise InvalidArgumentError(f"kinds must contain only {allowed}; got {k!r}")
    if "neimark-sacker" in kinds and map.dim < 2:
        kinds = tuple(k for k in kinds if k != "neimark-sacker")
    dom = _check_domain(domain)
    state = tuple(map.state)
    exprs = _bound_system(map, s)
    fixed, J, F = _equations(exprs, state, p)
    step = sp.lambdify(state + (s,), exprs, modules="mpmath")
    denominators = [sp.fraction(e)[1] for e in exprs]
    out = []
    for kind in kinds:
        for basis, elim in _systems(kind, fixed, J, state, s, max_bezout):
            for factor, _ in sp.factor_list(elim, s)[1]:
                if sp.degree(factor, s) < 1:
                    continue
                for s_exact in sp.Poly(factor, s).real_roots():
                    if s.is_positive and not s_exact.is_positive:
                        continue
                    if dom is not None and not (dom[0] <= s_exact <= dom[1]):
                        continue
                    out += _orbits_at(kind, basis, state, s, s_exact, p, step, denominators, F, J)
    unique = []
    for b in sorted(out, key=lambda b: (float(b.value), KINDS.index(b.kind) if b.kind in KINDS else 0,
                                        b.numeric_orbit)):
        if not any(u.kind == b.kind and u.value == b.value and _same_orbit(u, b) for u in unique):
            unique.append(b)
    return tuple(unique)


def _same_orbit(u, b):
    a = [tuple(mpmath.mpf(c) for c in pt) for pt in u.numeric_orbit]
    return any(_close(a[0], tuple(mpmath.mpf(c) for c in pt)) for pt in b.numeric_orbit)


def _orbits_at(kind, basis, state, s, s_exact, p, step, denominators, F, J):
    with mpmath.workdps(_DPS):
        s_num = _to_mp(s_exact)
        sols = _backsolve(basis, list(reversed(state)), s, s_exact, s_num)
        found, out = [], []
        for _, nu in sols:
            x0 = tuple(nu[v] for v in state)
            if any(_close(x0, pt) for orb in found for pt in orb):
                continue
            sub = {**dict(zip(state, (sp.Float(v, _DPS) for v in x0))), s: sp.Float(s_num, _DPS)}
            if any(abs(sp.N(den.xreplace(sub), 30)) < 1e-20 for den in denominators):
                continue
            orbit = [x0]
            for _ in range(p - 1):
                orbit.append(tuple(mpmath.mpf(mpmath.re(c)) for c in step(*orbit[-1], s_num)))
            back = tuple(mpmath.mpf(mpmath.re(c)) for c in step(*orbit[-1], s_num))
            if not _close(back, x0, mpmath.mpf(10) ** -15):
                continue
            if any(_close(orbit[q], x0) for q in range(1, p) if p % q == 0):
                continue  # a lower period
            found.append(orbit)
            exact_pts = []
            for pt in orbit:
                match = [e for e, n in sols if e is not None and _close(tuple(n[v] for v in state), pt)]
                exact_pts.append(tuple(match[0][v] for v in state) if match else None)
            orbit_exact = None if any(e is None for e in exact_pts) else tuple(exact_pts)
            mults, num = _multipliers(J, state, s, orbit_exact, x0, s_exact, s_num)
            if not _kind_holds(kind, num):
                continue
            if len(state) == 1 and kind != "neimark-sacker":
                # one multiplier, and the resultant's root makes the condition hold exactly
                mults = (sp.Integer(1 if kind == "fold" else -1),)
            label = _classify_fold(F, state, s, x0, s_num) if kind == "fold" else kind
            out.append(ExactBifurcation(
                label, s, s_exact, orbit_exact, p, mults,
                tuple(tuple(float(c) for c in pt) for pt in orbit)))
    return out


# -- gradient descent --------------------------------------------------------------------------

def gd_period_doubling(gdmap, point) -> tuple[ExactBifurcation, ...]:
    """The step sizes where GD's fixed point ``point`` period-doubles: eta = 2 / lambda.

    Parameters
    ----------
    gdmap : GDMap
        A gradient-descent map; its step size may be bound or free.
    point : sequence of numbers
        A critical point of the loss, exact (SymPy numbers or rationals).

    Returns
    -------
    tuple of ExactBifurcation
        One per distinct positive Hessian eigenvalue lambda, at eta = 2/lambda,
        sorted by eta; the multipliers are 1 - eta * lambda_i over the spectrum.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps.core.gd import GDMap
    >>> x = sp.Symbol("x")
    >>> gd_period_doubling(GDMap((x**2 - 1)**2 / 4, [x]), [1])
    (<period-doubling of a fixed point at eta = 1>,)

    Notes
    -----
    DG = I - eta H has eigenvalues 1 - eta lambda_i, and 1 - eta lambda = -1
    exactly when eta = 2 / lambda. Eigenvalues lambda <= 0 give no period doubling
    for eta > 0.
    """
    from gdmaps.core.gd import ETA, GDMap

    if not isinstance(gdmap, GDMap):
        raise InvalidArgumentError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    pt = tuple(sp.nsimplify(v) if isinstance(v, float) else exact(v, name="point") for v in point)
    if len(pt) != gdmap.dim:
        raise InvalidArgumentError(f"point must have {gdmap.dim} coordinates, got {len(pt)}: {point!r}")
    sub = dict(zip(gdmap.state, pt))
    grad = [sp.simplify(g.xreplace(sub)) for g in gdmap.gradient()]
    if any(g != 0 for g in grad):
        raise InvalidArgumentError(
            f"point must be a critical point of the loss (a fixed point of GD), got {pt}"
            f" where the gradient is {tuple(grad)}")
    H = gdmap.hessian().xreplace(sub)
    spectrum = {sp.simplify(lam): m for lam, m in H.eigenvals().items()}
    out = []
    for lam in spectrum:
        if not (lam.is_real and lam.is_positive):
            continue
        eta = sp.radsimp(2 / lam)
        mults = tuple(sp.simplify(1 - eta * mu) for mu, m in spectrum.items() for _ in range(m))
        out.append(ExactBifurcation("period-doubling", ETA, eta, (pt,), 1, mults,
                                    (tuple(float(c) for c in pt),)))
    return tuple(sorted(out, key=float))
