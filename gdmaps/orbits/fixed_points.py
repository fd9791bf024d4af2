"""Fixed points of a map: exact components, numeric points, certified boxes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from gdmaps.core.map import require_bound
from gdmaps.core.errors import InvalidArgumentError, check_choice, check_int
from gdmaps.core.gd import GDMap, at_step
from gdmaps.orbits.orbit import Orbit
from gdmaps.core.regions import as_region
from gdmaps.core.stability import stability
from gdmaps.exact.varieties import NotPolynomialError, decompose
from gdmaps.core.results import Result

__all__ = ["FixedPoints", "fixed_points", "METHODS", "fixed_point_orbit"]

#: How fixed points can be found.
METHODS = ("symbolic", "numeric", "certified")


@dataclass(frozen=True, repr=False, eq=False)
class FixedPoints(Result):
    """The fixed points of a map, as :func:`fixed_points` found them.

    Attributes
    ----------
    method : str
    components : tuple of Component
        (symbolic) Every component of the fixed-point set, with its equations
        and complex dimension; 0-dimensional ones list their real points.
    degenerate : tuple of Component
        (symbolic) Where Df - I vanishes entirely (for GD maps: H = 0), the
        points where linear stability decides nothing.
    points : tuple of Orbit
        Fixed points as period-1 orbits with their stability (numeric and
        certified methods; for symbolic, the real isolated points).
    region : ndarray (d, 2) or None
    notes : str
    """

    method: str
    components: tuple
    degenerate: tuple
    points: tuple
    region: np.ndarray | None
    notes: str = ""

    @property
    def isolated(self) -> tuple:
        """The points that are isolated fixed points (local dimension 0)."""
        return tuple(p for p in self.points if p.local_dimension == 0)

    def to_dict(self) -> dict:
        return {"method": self.method, "notes": self.notes,
                "components": [{"equations": [str(e) for e in c.equations],
                                "dimension": c.dimension,
                                "points": None if c.points is None else
                                [[str(v) for v in pt] for pt in c.points]} for c in self.components],
                "degenerate": [[str(e) for e in c.equations] for c in self.degenerate],
                "points": [p.to_dict() for p in self.points]}

    def latex(self) -> str | None:
        """The fixed-point set as the union of its exact components (symbolic method)."""
        if not self.components:
            return None
        return r" \;\cup\; ".join(c.latex().split(r", \quad")[0] for c in self.components)

    def __repr__(self) -> str:
        parts = []
        if self.components:
            dims = ", ".join(str(c.dimension) for c in self.components)
            parts.append(f"{len(self.components)} component(s) of dimension {dims}")
        if self.points:
            parts.append(f"{len(self.points)} point(s)")
        if self.degenerate:
            parts.append(f"{len(self.degenerate)} degenerate set(s)")
        if self.method == "certified":
            parts.append(f"{sum(p.certified for p in self.points)} certified")
        return f"<FixedPoints ({self.method}): {', '.join(parts) or 'none found'}>"


def fixed_point_orbit(map, x, *, residual=None, tol=1e-8) -> Orbit:
    """A fixed point as an :class:`Orbit`, with its tangent/normal split when not isolated."""
    x = np.asarray(x, dtype=float)
    st = stability(map, x)
    D = map.numeric.jacobian(x)
    A = D - np.eye(map.dim)
    _, s, Vt = np.linalg.svd(A)
    k = int(np.sum(s <= tol * max(1.0, np.abs(D).max())))
    tangent = normal = None
    if k:
        tangent = Vt[map.dim - k:].T
        N = Vt[:map.dim - k].T
        normal = np.linalg.eigvals(N.T @ D @ N) if map.dim > k else np.array([])
    if residual is None:
        residual = float(np.linalg.norm(map.numeric.step(x) - x))
    return Orbit(x[None, :], st, float(residual), tangent=tangent, normal_multipliers=normal)


def _equations(map):
    """Polynomial equations of the fixed points: grad L for GD maps, numerators of f(x) - x."""
    exprs = map.gradient() if isinstance(map, GDMap) else [
        e - s for e, s in zip(map.exprs, map.state)]
    out, poles = [], []
    for e in exprs:
        num, den = sp.fraction(sp.together(e))
        out.append(num)
        if not den.is_number:
            poles.append(den)
    return out, poles


def _symbolic(map, tol):
    eqs, poles = _equations(map)
    params = tuple(p for p in map.free_parameters if p.name != "eta")
    try:
        comps = decompose(eqs, map.state, parameters=params)
        if isinstance(map, GDMap):
            H = map.hessian()
        else:
            H = map.jacobian() - sp.eye(map.dim)
        degenerate = decompose(list(eqs) + [sp.fraction(sp.together(h))[0] for h in H],
                               map.state, parameters=params)
    except NotPolynomialError as exc:
        raise InvalidArgumentError(
            f"method='symbolic' needs a polynomial or rational map: {exc};"
            " use method='numeric' with a region") from None
    except (sp.polys.polyerrors.CoercionFailed, sp.polys.polyerrors.DomainError) as exc:
        # coefficients outside the exact fields of the Groebner basis, e.g. exp(2)
        raise InvalidArgumentError(
            f"method='symbolic' needs rational or algebraic coefficients ({exc});"
            " use method='numeric' with a region") from None
    notes = "dimensions over the complex numbers"
    if params:
        notes += f"; for generic values of {', '.join(str(p) for p in params)}"
    if poles:
        comps, dropped = _off_poles(comps, poles, map.state, params)
        degenerate, _ = _off_poles(degenerate, poles, map.state, params)
        notes += "; points where a denominator vanishes are not fixed points"
        if dropped:
            notes += f" ({dropped} such component(s) or point(s) removed)"
    points = ()
    if not map.free_parameters:  # stability needs every value, eta included
        points = tuple(fixed_point_orbit(map, [float(v) for v in pt], tol=tol)
                       for c in comps if c.points for pt in c.points)
    return FixedPoints("symbolic", comps, degenerate, points, None, notes)


def _off_poles(comps, poles, gens, params):
    """``comps`` without the components on which a denominator vanishes (the poles of a
    rational map solve the numerators too: ``z - (z^3 - 1)/(3 z^2)`` has one at 0) and
    without such points of 0-dimensional ones; and how many were removed."""
    from dataclasses import replace

    domain = sp.QQ.frac_field(*params) if params else sp.QQ
    out, dropped = [], 0
    for c in comps:
        try:
            inside = any(sp.reduced(sp.expand(d), list(c.equations), *gens, domain=domain)[1] == 0
                         for d in poles)
        except (sp.polys.polyerrors.PolynomialError, sp.polys.polyerrors.CoercionFailed,
                sp.polys.polyerrors.DomainError):
            inside = False  # undecided: keep the component, its points are still checked
        if inside:
            dropped += 1
            continue
        if c.points:
            keep = tuple(pt for pt in c.points
                         if all(sp.simplify(d.subs(dict(zip(gens, pt)))) != 0 for d in poles))
            dropped += len(c.points) - len(keep)
            if not keep:
                continue
            c = replace(c, points=keep)
        out.append(c)
    return tuple(out), dropped


def _newton(map, X, roots, *, iters, power=2.0, shift=1.0):
    """Batched Newton (pseudo-inverse steps) with Farrell deflation of known roots."""
    # not gdmaps.core.newton.backtrack: deflation rescales every step, and no line search runs
    gd = isinstance(map, GDMap)
    num = map.numeric
    with np.errstate(all="ignore"):
        for _ in range(iters):
            if gd:
                F, J = num.gradient(X), num.hessian(X)
            else:
                F, J = num.step(X) - X, num.jacobian(X) - np.eye(map.dim)
            ok = np.isfinite(F).all(1) & np.isfinite(J).all((1, 2))
            delta = np.zeros_like(X)
            delta[ok] = -np.einsum("nij,nj->ni", np.linalg.pinv(J[ok]), F[ok])
            if len(roots):
                diff = X[:, None, :] - roots[None, :, :]
                r2 = np.einsum("nkd,nkd->nk", diff, diff)
                inv = r2 ** (-power / 2)
                # grad log m = sum_k grad(r^-p) / (r^-p + shift)
                g = np.einsum("nk,nkd->nd", -power * r2 ** (-power / 2 - 1) / (inv + shift), diff)
                denom = 1 + np.einsum("nd,nd->n", g, delta)
                delta = delta / np.where(np.abs(denom) > 1e-12, denom, np.nan)[:, None]
            X = X + delta
        F = num.gradient(X) if gd else num.step(X) - X
    res = np.linalg.norm(F, axis=1)
    return X, np.where(np.isfinite(res), res, np.inf)


def _dedupe(X, tol):
    out = []
    for x in X[np.lexsort(X.T[::-1])]:
        if not out or np.min(np.linalg.norm(np.array(out) - x, axis=1)) > tol * max(1.0, np.linalg.norm(x)):
            out.append(x)
    return np.array(out).reshape(-1, X.shape[1])


def _numeric(map, region, *, starts, seed, deflations, tol, iters):
    require_bound(map, "fixed_points(method='numeric')")
    rng = np.random.default_rng(seed)
    lo, hi = region[:, 0], region[:, 1]
    X0 = lo + (hi - lo) * rng.random((starts, map.dim))
    roots = np.empty((0, map.dim))
    pad = 1e-9 * np.maximum(1.0, np.abs(region).max(1))
    for round_ in range(deflations + 1):
        X, res = _newton(map, X0, roots, iters=iters)
        good = (res <= tol) & np.all((X >= lo - pad) & (X <= hi + pad), axis=1)
        new = _dedupe(X[good], 1e-7) if good.any() else np.empty((0, map.dim))
        if len(roots) and len(new):
            d = np.linalg.norm(new[:, None] - roots[None], axis=2).min(1)
            new = new[d > 1e-7 * np.maximum(1.0, np.linalg.norm(new, axis=1))]
        if not len(new) and round_:
            break
        roots = np.vstack([roots, new])
    pts = tuple(fixed_point_orbit(map, x) for x in roots)
    return pts


def fixed_points(map, region=None, *, eta=None, method="symbolic", starts=200, seed=0, deflations=2,
                 tol=1e-10, iters=40) -> FixedPoints:
    """The fixed points of ``map``: exactly, numerically in a box, or certified.

    Parameters
    ----------
    map : Map or GDMap
        For GD maps the fixed points are the critical points of the loss, for
        every eta, so eta may stay free with ``method="symbolic"``.
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
    region : array (d, 2), optional
        A box ``[low, high]`` per coordinate; needed by the numeric methods.
    method : {"symbolic", "numeric", "certified"}, keyword-only
        "symbolic": every component of the fixed-point set of a polynomial or
        rational map (Groebner bases), with its equations and dimension.
        "numeric": multistart Newton from ``starts`` uniform points with
        ``deflations`` rounds of deflation, deduplicated, with residuals.
        "certified": the numeric points, each then put through the Krawczyk
        test; a point on a set of fixed points, or a double root, is reported
        "not certified" with the reason.
    starts, seed, deflations, tol, iters : keyword-only
        Numeric settings: starting points, their seed, deflation rounds, the
        residual accepted, and Newton iterations per round.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> fp = fixed_points(GDMap((a*b - 1)**2 / 2, [a, b]))
    >>> fp.components
    (<Component of dimension 1: a*b - 1 = 0>, <Component of dimension 0: a = 0, b = 0>)

    Notes
    -----
    Fixed points of ``G(x) = x - eta grad L(x)`` solve ``grad L(x) = 0``; for other
    maps the equations are the numerators of ``f(x) - x``. Deflation (Farrell,
    Birkisson & Funke 2015) divides the residual by ``prod_r (||x - r||^-2 + 1)`` so
    Newton cannot return to a known root r.
    """
    map = at_step(map, eta)
    check_choice("method", method, METHODS)
    if method == "symbolic":
        if not getattr(map, "symbolic", True):
            raise InvalidArgumentError(
                f"a network evaluated by backpropagation has no symbolic fixed-point set ({map.dim}"
                " parameters, no formula built); use method='numeric' with a region")
        return _symbolic(map, tol=1e-8)
    if region is None:
        raise InvalidArgumentError(
            f"method={method!r} needs a region: an array of shape ({map.dim}, 2) of [low, high]"
            " per coordinate")
    region = as_region(region, map.dim)
    starts = check_int("starts", starts, minimum=1)
    deflations = check_int("deflations", deflations, minimum=0)
    # Newton from starts far out (a region of size 1e300) overflows: those starts end
    # non-finite and are dropped, an outcome of the search, not a warning
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        pts = _numeric(map, region, starts=starts, seed=seed, deflations=deflations, tol=tol,
                       iters=check_int("iters", iters, minimum=1))
    notes = f"{starts} Newton starts in the region, {deflations} deflation round(s)"
    if method == "certified":
        from gdmaps.orbits.krawczyk import certify_orbit

        pts = tuple(_certified(map, p, certify_orbit) for p in pts)
        notes += "; Krawczyk test on each point"
    return FixedPoints(method, (), (), pts, region, notes)


def _certified(map, orbit, certify_orbit):
    from dataclasses import replace

    if orbit.local_dimension:
        from gdmaps.orbits.orbit import Enclosure

        enc = Enclosure(False, None, None, "not certified: the point is not isolated (it lies on a"
                        f" {orbit.local_dimension}-dimensional set of fixed points, Df - I is singular)")
    else:
        enc = certify_orbit(map, orbit.points).for_points(orbit.points)
    return replace(orbit, enclosure=enc)
