"""Continuation of fixed points and periodic orbits in a parameter, with their bifurcations.

:func:`continuation` follows an orbit of a map as one parameter moves across a span
(pseudo-arclength predictor-corrector, so it turns around folds), watches the
multipliers, locates every fold, period doubling and Neimark-Sacker point on the way,
and can switch onto the period-doubled branch born at each period doubling.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from gdmaps.bifurcations._continuation_core import (System, bifurcation_tests, evaluate_tests, locate,
                                                    minimal_period, multipliers, refine_period_doubling,
                                                    switch_start)
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_int, check_positive_finite
from gdmaps.core.family import Family
from gdmaps.core.progress import bar
from gdmaps.core.results import Result

__all__ = ["BifurcationPoint", "Branch", "Continuation", "Stop", "continuation"]


class Stop(enum.Enum):
    """Why a branch ended; the value says what to do about it."""

    END_OF_SPAN = "reached the end of the span"
    LEFT_SPAN = "left the span (the branch turned back out of it): nothing to do"
    MAX_STEPS = "took max_steps steps: raise max_steps to follow it further"
    BLEW_UP = "an orbit point passed bound: raise bound if the orbits are really that large"
    CORRECTOR_FAILED = ("the corrector failed with steps below min_step (a fold or a singular"
                        " point): lower min_step, or start on the other side")

_KINDS = ("fold", "period-doubling", "neimark-sacker")


def _g(v) -> str:
    return f"{v:.12g}"


@dataclass(frozen=True, repr=False, eq=False)
class BifurcationPoint(Result):
    """A point of a branch where a multiplier crosses the unit circle.

    Attributes
    ----------
    kind : str
        ``"fold"`` (a multiplier +1), ``"period-doubling"`` (-1) or
        ``"neimark-sacker"`` (a complex pair on the unit circle).
    value : float
        The parameter value.
    orbit : ndarray (period, d)
        The orbit there.
    period : int
    multipliers : ndarray (d,) complex
        Eigenvalues of the period-map Jacobian there, largest modulus first.
    """

    kind: str
    value: float
    orbit: np.ndarray
    period: int
    multipliers: np.ndarray

    def to_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value, "period": self.period,
                "orbit": self.orbit.tolist(),
                "multipliers": [[float(m.real), float(m.imag)] for m in self.multipliers]}

    def __repr__(self) -> str:
        what = "fixed point" if self.period == 1 else f"period-{self.period} orbit"
        return f"<BifurcationPoint: {self.kind} of a {what} at {_g(self.value)}>"


@dataclass(frozen=True, repr=False, eq=False)
class Branch(Result):
    """One branch of orbits of a fixed period, in the order it was followed.

    Attributes
    ----------
    period : int
    values : ndarray (K,)
        The parameter along the branch (located bifurcation points included).
    orbits : ndarray (K, period, d)
    multipliers : ndarray (K, d) complex
        Largest modulus first.
    stable : ndarray (K,) bool
        Every multiplier of modulus < 1.
    bifurcations : tuple of BifurcationPoint
        In the order met along the branch.
    parent : int or None
        Index (in :attr:`Continuation.branches`) of the branch it was switched from.
    stopped : str
        Why the continuation ended: "end of span", "left the span", "max_steps",
        "blew up" or "corrector failed", with the parameter value.
    stop : Stop or None
        The same as an enum, whose value says what to do about it.
    """

    period: int
    values: np.ndarray
    orbits: np.ndarray
    multipliers: np.ndarray
    stable: np.ndarray
    bifurcations: tuple
    parent: int | None
    stopped: str = field(default="")
    stop: Stop | None = None

    def to_dict(self) -> dict:
        return {"period": self.period, "values": self.values.tolist(),
                "orbits": self.orbits.tolist(),
                "multipliers_real": self.multipliers.real.tolist(),
                "multipliers_imag": self.multipliers.imag.tolist(),
                "stable": self.stable.tolist(),
                "bifurcations": [b.to_dict() for b in self.bifurcations],
                "parent": self.parent, "stopped": self.stopped,
                "stop": None if self.stop is None else self.stop.name.lower()}

    def __repr__(self) -> str:
        what = "fixed points" if self.period == 1 else f"period-{self.period} orbits"
        return (f"<Branch: {what} from {_g(self.values[0])} to {_g(self.values[-1])} in"
                f" {len(self.values)} points, {len(self.bifurcations)} bifurcation(s); {self.stopped}>")


@dataclass(frozen=True, repr=False, eq=False)
class Continuation(Result):
    """Every branch followed by :func:`continuation`.

    Attributes
    ----------
    parameter : str
    branches : tuple of Branch
        The first one from ``start``, then the switched ones (see ``Branch.parent``).
    """

    parameter: str
    branches: tuple

    @property
    def bifurcations(self) -> tuple:
        """Every :class:`BifurcationPoint` of every branch, sorted by value."""
        return tuple(sorted((b for br in self.branches for b in br.bifurcations), key=lambda b: b.value))

    def to_dict(self) -> dict:
        return {"parameter": self.parameter, "branches": [b.to_dict() for b in self.branches],
                "bifurcations": [b.to_dict() for b in self.bifurcations]}

    def __repr__(self) -> str:
        bifs = self.bifurcations
        shown = ", ".join(f"{b.kind} at {b.value:.6g}" for b in bifs[:4]) + (", ..." if len(bifs) > 4 else "")
        return (f"<Continuation in {self.parameter}: {len(self.branches)} branch(es),"
                f" {len(bifs)} bifurcation(s){': ' + shown if bifs else ''}>")


# -- the driver ------------------------------------------------------------------------


def continuation(map, start, parameter, span, *, period=1, step=1e-2, max_step=None, min_step=1e-11,
                 max_steps=2000, switch=0, switch_size=1e-4, bound=1e6, tol=1e-12,
                 progress=None) -> Continuation:
    """Follow an orbit of ``map`` as ``parameter`` runs across ``span``; find its bifurcations.

    Parameters
    ----------
    map : Map or GDMap
        Every parameter other than ``parameter`` bound.
    start : array (d,), array (period, d) or Orbit
        A point of the orbit at ``span[0]`` (corrected by Newton first).
    parameter : str or SymPy symbol
        The parameter to move (``"eta"`` for the step size of a GD map).
    span : (p0, p1)
        From ``p0`` towards ``p1``; ``p0 > p1`` continues downwards.
    period : int, keyword-only
        Period of the orbit (taken from ``start`` when it is an Orbit).
    step, max_step, min_step : float, keyword-only
        First, largest and smallest pseudo-arclength step. The largest is relative to
        ``1 + max |x|`` (so a branch running off to infinity is followed geometrically)
        and defaults to 1/25 of the span.
    max_steps : int, keyword-only
        Steps per branch.
    switch : int, keyword-only
        Levels of period doubling to follow: at each period doubling of a branch of
        level < ``switch``, the branch of twice the period is followed too.
    switch_size : float, keyword-only
        Distance from the old orbit at which the new branch is started.
    bound : float, keyword-only
        A branch stops when an orbit point exceeds this in modulus.
    tol : float, keyword-only
        Newton tolerance (relative residual of the orbit equations).
    progress : bool or None, keyword-only
        A progress bar over the branches on stderr (None: when stderr is a terminal).

    Returns
    -------
    Continuation

    Raises
    ------
    InvalidArgumentError
        For a parameter the map does not have, a bad span or period, or a start that
        Newton cannot bring onto an orbit.

    Notes
    -----
    A branch is a curve of zeros of the multiple-shooting equations
    F_k(x, lam) = f(x_k; lam) - x_{k+1 mod p}, k = 0..p-1. From a point u with unit
    tangent t (dF t = 0) the predictor is u + s t; the corrector is Newton on
    F = 0, t . (u - u_pred) = 0. The step s grows by 1.5 after a quick corrector and
    halves after a failed one. Multipliers are the eigenvalues of
    M = Df(x_{p-1}) ... Df(x_0). A sign change of

        prod(mu_i - 1) = det(M - I)            fold,
        prod(mu_i + 1) = det(M + I)            period doubling,
        prod_{i<j}(mu_i mu_j - 1) = det(M (.) M - I)    Neimark-Sacker (d >= 2),

    between two points brackets a bifurcation; it is located by Brent's method on the
    test function along the secant between them (each trial point corrected back onto
    the branch), to the tolerance of the orbit itself. A zero of the last test with
    real multipliers (a neutral saddle, mu_1 mu_2 = 1) is not a bifurcation and is
    dropped. At a period doubling with eigenvector M v = -v, the branch of period
    2p starts from (x + h w, x - h w), w = (v, Df(x_0) v, ...) the eigenvector carried
    along the orbit, corrected with its amplitude along w held at h, and is followed
    away from the old orbit.

    Examples
    --------
    >>> from gdmaps.maps import logistic
    >>> res = continuation(logistic(2.8), [0.64], "r", (2.8, 3.3), switch=1)
    >>> res
    <Continuation in r: 2 branch(es), 1 bifurcation(s): period-doubling at 3>
    >>> res.branches[1]
    <Branch: period-2 orbits from 3.000000045 to 3.3 in 15 points, 0 bifurcation(s); end of span at r = 3.3>
    """
    if isinstance(map, Family):
        fam = map
    else:
        fam = Family(map, parameter)
    name = fam.parameter.name
    p0, p1 = _check_span(span, name)
    if hasattr(start, "points") and hasattr(start, "stability"):
        pts = np.asarray(start.points, dtype=float)
        period = len(pts) if period == 1 else period
    else:
        pts = start
    period = check_int("period", period, minimum=1)
    switch = check_int("switch", switch, minimum=0)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    step = check_positive_finite("step", step)
    min_step = check_positive_finite("min_step", min_step)
    max_step = abs(p1 - p0) / 25 if max_step is None else check_positive_finite("max_step", max_step)
    switch_size = check_positive_finite("switch_size", switch_size)
    bound = check_positive_finite("bound", bound)
    tol = check_positive_finite("tol", tol)
    X = _start_orbit(fam, pts, period, p0)
    knobs = dict(step=step, max_step=max_step, min_step=min_step, max_steps=max_steps, bound=bound)

    system = System(fam, period, tol=tol)
    u = system.correct(np.append(X.ravel(), p0), fixed_lam=True)
    if u is None:
        raise InvalidArgumentError(
            f"start {np.array2string(np.asarray(pts, dtype=float).ravel(), precision=6)} is not near a"
            f" period-{period} orbit at {name} = {_g(p0)}: Newton did not converge; give a point"
            " closer to an orbit (or check the period)")
    u = u[0]
    _check_minimal_period(u, system, name, p0)
    lo, hi = min(p0, p1), max(p0, p1)
    sign = 1.0 if p1 > p0 else -1.0
    t = system.tangent(u)
    if t[-1] * sign < 0:
        t = -t
    queue = [(system, u, t, None, 0)]
    branches = []
    with bar(progress, total=None, desc="continuation", unit="branch") as shown:
        while queue:
            sys_, u, t, parent, level = queue.pop(0)
            branch, children = _follow(sys_, u, t, lo, hi, (p0, p1), name, knobs, level < switch,
                                       switch_size, tol)
            index = len(branches)
            branches.append(Branch(**branch, parent=parent))
            queue.extend((s, uc, tc, index, level + 1) for s, uc, tc in children)
            shown.update(1)
    return Continuation(name, tuple(branches))


def _check_span(span, name):
    try:
        p0, p1 = (float(v) for v in span)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"span must be two numbers (p0, p1) for {name}, got {span!r}") from None
    if not (np.isfinite(p0) and np.isfinite(p1)) or p0 == p1:
        raise InvalidArgumentError(f"span must be two different finite values of {name}, got {span!r}")
    return p0, p1


def _start_orbit(fam, pts, period, p0):
    try:
        arr = np.asarray(pts, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"start must be a point, an array of points or an Orbit, got {pts!r}") from None
    d = fam.dim
    if arr.shape == (d,):
        rows = [arr]
        for _ in range(period - 1):
            rows.append(fam.step(rows[-1][None], p0)[0])
        arr = np.array(rows)
    if arr.shape != (period, d) or not np.isfinite(arr).all():
        raise InvalidArgumentError(
            f"start must be a finite point of shape ({d},) or an orbit of shape ({period}, {d}),"
            f" got {np.asarray(pts).shape}" + ("" if np.isfinite(arr).all() else " with non-finite entries"))
    return arr


def _check_minimal_period(u, system, name, p0):
    X, _ = system.split(u)
    q = minimal_period(X)
    if q < system.p:
        raise InvalidArgumentError(
            f"start converged to an orbit of period {q}, not {system.p}, at {name} = {_g(p0)};"
            f" give a point of a period-{system.p} orbit or period={q}")


def _record(system, u):
    X, lam = system.split(u)
    mus = multipliers(system.jacobians(u))
    return lam, X.copy(), mus


def _follow(system, u, t, lo, hi, span, name, knobs, may_switch, switch_size, tol):
    ds = min(knobs["step"], knobs["max_step"] * (1 + np.max(np.abs(u[:-1]))))
    pts = [u]
    mus_prev = multipliers(system.jacobians(u))
    tst_prev = bifurcation_tests(mus_prev)
    bifs = []                      # (index in pts after which it lies, point, kind)
    children = []
    stopped, stop = None, None
    steps = 0
    while True:
        if steps >= knobs["max_steps"]:
            stopped = f"max_steps ({knobs['max_steps']}) reached at {name} = {_g(u[-1])}: raise max_steps"
            stop = Stop.MAX_STEPS
            break
        steps += 1
        pred = u + ds * t
        out = system.correct(pred, direction=t, anchor=pred)
        new, ok = None, False
        if out is not None:
            new, its = out
            ok = np.linalg.norm(new - pred) <= max(ds, 10 * knobs["min_step"])
        if ok:
            t_new = system.tangent(new, t)
            ok = t_new @ t > 0.8
        if not ok:
            if out is not None and not np.all(np.abs(new[:-1]) < knobs["bound"]):
                stopped = f"blew up (an orbit point beyond {knobs['bound']:g}) near {name} = {_g(u[-1])}"
                stop = Stop.BLEW_UP
                break
            ds /= 2
            if ds < knobs["min_step"]:
                stopped = f"corrector failed near {name} = {_g(u[-1])} (step below min_step)"
                stop = Stop.CORRECTOR_FAILED
                break
            continue
        if not np.all(np.abs(new[:-1]) < knobs["bound"]):
            stopped = f"blew up (an orbit point beyond {knobs['bound']:g}) near {name} = {_g(new[-1])}"
            stop = Stop.BLEW_UP
            break
        end = None
        if new[-1] > hi or new[-1] < lo:
            edge = hi if new[-1] > hi else lo
            end = locate(system, u, new, lambda v, e=edge: v[-1] - e)
            if end is not None:
                end[-1] = edge
            new = end if end is not None else new
            t_new = system.tangent(new, t)
        mus = multipliers(system.jacobians(new))
        tst = bifurcation_tests(mus)
        found = []
        for k, kind in enumerate(_KINDS):
            a, b = tst_prev[k], tst[k]
            if np.isfinite(a) and np.isfinite(b) and a * b < 0:
                pt = locate(system, u, new, lambda v, k=k: evaluate_tests(system, v)[k])
                if pt is None:
                    continue
                m = multipliers(system.jacobians(pt))
                if kind == "neimark-sacker" and not np.any(
                        (np.abs(m.imag) > 1e-8) & (np.abs(np.abs(m) - 1) < 1e-6)):
                    continue  # a neutral saddle: mu_1 mu_2 = 1 with real multipliers
                found.append((float(np.dot(pt - u, new - u)), pt, kind, m))
        if t[-1] * t_new[-1] < 0 and not any(f[2] == "fold" for f in found):
            # a turn in the parameter with no multiplier crossing +1: where a period-p orbit
            # meets the doubled orbit of period p/2 (its period doubling), or a degenerate fold
            pt = locate(system, u, new, lambda v, t=t: system.tangent(v, t)[-1])
            if pt is not None:
                found.append((float(np.dot(pt - u, new - u)), pt, "turn", None))
        for _, pt, kind, m in sorted(found, key=lambda f: f[0]):
            pts.append(pt)
            X, lam = system.split(pt)
            q = system.p
            if kind == "turn":
                q = minimal_period(X, atol=1e-5)
                kind = "fold" if q == system.p else "period-doubling"
                if q < system.p:
                    X, lam = refine_period_doubling(system.family, X[:q], lam, tol)
                m = multipliers(system.family.jacobian(X, lam))
            bifs.append(BifurcationPoint(kind, float(lam), X.copy(), q, m))
            if q != system.p:
                continue
            if kind == "period-doubling" and may_switch:
                child = switch_start(system, pt, m, switch_size, tol)
                if child is not None:
                    children.append(child)
        pts.append(new)
        u, t, tst_prev = new, t_new, tst
        if end is not None:
            where = "end of span" if np.isclose(end[-1], span[1]) else "left the span"
            stopped = f"{where} at {name} = {_g(end[-1])}"
            stop = Stop.END_OF_SPAN if where == "end of span" else Stop.LEFT_SPAN
            break
        if its <= 3:
            ds = min(ds * 1.5, knobs["max_step"] * (1 + np.max(np.abs(u[:-1]))))
        elif its >= 7:
            ds /= 2
    recs = [_record(system, v) for v in pts]
    mus = np.array([r[2] for r in recs])
    branch = dict(period=system.p, values=np.array([r[0] for r in recs]),
                  orbits=np.array([r[1] for r in recs]), multipliers=mus,
                  stable=np.all(np.abs(mus) < 1, axis=1), bifurcations=tuple(bifs), stopped=stopped,
                  stop=stop)
    return branch, children
