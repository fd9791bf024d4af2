"""What the explorer's views show, computed with numpy: no web library is imported here.

Each function takes a :class:`~gdmaps.explore.state.Target` and a parameter value (or range)
and returns a frozen result; ``token`` (a :class:`~gdmaps.explore.jobs.Token`) is checked
between chunks so that new input stops a computation it replaces.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from gdmaps.basins.convergence import convergent_fraction
from gdmaps.basins.iterate import Fate, iterate
from gdmaps.bifurcations.lyapunov import lyapunov_spectrum
from gdmaps.bifurcations.orbit_diagram import orbit_diagram
from gdmaps.core.compile import lambdify_rows
from gdmaps.core.errors import GdmapsError, InvalidArgumentError
from gdmaps.core.regions import slice_of
from gdmaps.core.results import Result
from gdmaps.explore.state import check_request

__all__ = ["OrbitImage", "orbit_image", "rasterize", "FateGrid", "fate_grid", "Path", "trajectory",
           "PhaseCurve", "phase_curve", "Cobweb", "cobweb", "OrbitMarks", "orbits_at",
           "certificate_at", "bifurcation_marks"]


def _check(token, fraction=None):
    if token is not None:
        token.check() if fraction is None else token.progress(fraction)


def rasterize(values, points, lo, hi, ylo, yhi, *, columns, rows):
    """Count points per pixel: ``points[i]`` (any number of y's) sits at ``values[i]``.

    Returns an array ``(rows, columns)`` of counts; row 0 is ``ylo``.

    Examples
    --------
    >>> rasterize([0.0, 1.0], [[0.0, 0.0], [1.0, np.nan]], 0, 1, 0, 1, columns=2, rows=2)
    array([[2, 0],
           [0, 1]])
    """
    values = np.asarray(values, dtype=float)
    Y = np.asarray(points, dtype=float).reshape(len(values), -1)
    col = np.floor((values - lo) / (hi - lo) * columns).astype(int)
    col = np.clip(col, 0, columns - 1)
    C = np.broadcast_to(col[:, None], Y.shape)
    with np.errstate(invalid="ignore"):
        r = np.floor((Y - ylo) / (yhi - ylo) * rows)
    ok = np.isfinite(r) & (r >= 0) & (r <= rows)
    r = np.minimum(r[ok].astype(int), rows - 1)
    return np.bincount(r * columns + C[ok], minlength=rows * columns).reshape(rows, columns)


@dataclass(frozen=True, eq=False)
class OrbitImage(Result):
    """An orbit diagram rasterized: ``counts[row, column]`` points per pixel.

    ``values`` are the parameter values computed (one per column), ``ylim`` the vertical
    range, ``lyapunov`` the largest exponent per value (nan where not computed).
    """

    parameter: str
    values: np.ndarray
    xlim: tuple
    ylim: tuple
    counts: np.ndarray
    lyapunov: np.ndarray
    points: int
    coord: int = 0

    def __repr__(self) -> str:
        return (f"<OrbitImage: {self.points:,} points at {len(self.values)} values of {self.parameter}"
                f" in [{self.xlim[0]:g}, {self.xlim[1]:g}], {self.counts.shape[0]} x"
                f" {self.counts.shape[1]} pixels>")


def orbit_image(target, lo, hi, *, columns=300, rows=300, starts=60, keep=60, transient=300, coord=0,
                ylim=None, lyapunov=True, token=None, chunk=50) -> OrbitImage:
    """The orbit diagram over ``[lo, hi]``, one parameter value per pixel column, rasterized.

    Zooming in asks again with the new range: the values are always ``columns`` many, so the
    picture gains resolution instead of magnifying pixels.

    Examples
    --------
    >>> from gdmaps.explore.state import target_from
    >>> im = orbit_image(target_from(map="logistic"), 2.5, 4.0, columns=100, rows=50, starts=4,
    ...                  keep=10, transient=200, ylim=(0, 1))
    >>> im.counts.shape, im.points, int(im.counts[:, 0].astype(bool).sum())  # r = 2.5: a fixed point
    ((50, 100), 4000, 1)
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InvalidArgumentError(f"the parameter range must be finite with lo < hi, got [{lo}, {hi}]")
    n = columns * starts * keep
    check_request("diagram_points", n, f"an orbit diagram of {columns} values x {starts} starts x"
                  f" {keep} kept")
    check_request("evaluations", columns * starts * (transient + keep),
                  f"an orbit diagram of {columns} values x {starts} starts x {transient + keep} steps")
    values = lo + (np.arange(columns) + 0.5) * (hi - lo) / columns
    if target.is_gd and lo <= 0:
        values = values[values > 0]
    pieces, lyap = [], np.full(len(values), np.nan)
    x_lyap = target.box.mean(axis=1) + 0.1 * np.diff(target.box, axis=1)[:, 0]
    for k in range(0, len(values), chunk):
        _check(token, k / max(len(values), 1))
        part = values[k:k + chunk]
        d = orbit_diagram(target.map, target.parameter, part, starts=starts, keep=keep,
                          transient=transient, region=target.box, seed=0)
        pieces.append(d.points[:, :, coord])
        if lyapunov:
            with np.errstate(all="ignore"):
                spec = lyapunov_spectrum(target.map, x_lyap[None, :], 200, transient=transient,
                                         parameter=target.parameter, values=part, blocks=4)
            lyap[k:k + chunk] = np.asarray(spec.exponents, dtype=float).reshape(len(part), -1)[:, 0]
    Y = np.concatenate(pieces) if pieces else np.zeros((0, starts * keep))
    if ylim is None:
        finite = Y[np.isfinite(Y)]
        if finite.size:
            a, b = np.percentile(finite, [0.5, 99.5])
            pad = 0.05 * (b - a) + 1e-9
            ylim = (float(a - pad), float(b + pad))
        else:
            ylim = (-1.0, 1.0)
    counts = rasterize(values, Y, lo, hi, ylim[0], ylim[1], columns=columns, rows=rows)
    _check(token, 1.0)
    return OrbitImage(target.parameter, values, (float(lo), float(hi)), tuple(map(float, ylim)), counts,
                      lyap, int(np.isfinite(Y).sum()), coord)


@dataclass(frozen=True, eq=False)
class FateGrid(Result):
    """The fate (a :class:`~gdmaps.Fate` code) from each start of a grid on a 2-D slice.

    ``fates[i, j]`` is the fate from ``x[dims[0]] = xs[j]``, ``x[dims[1]] = ys[i]``; for a map
    of dimension 1 there is one row (``ys`` is ``[0]``).
    """

    value: float
    dims: tuple
    at: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    fates: np.ndarray
    steps: int

    @property
    def shares(self) -> dict:
        return {f.name.lower(): float(np.mean(self.fates == f)) for f in Fate}

    def start(self, x, y=None) -> np.ndarray:
        """The start of the grid point nearest to ``(x, y)`` on the slice."""
        p = np.array(self.at, dtype=float)
        p[self.dims[0]] = self.xs[np.abs(self.xs - x).argmin()]
        if len(self.dims) > 1 and y is not None:
            p[self.dims[1]] = self.ys[np.abs(self.ys - y).argmin()]
        return p

    def __repr__(self) -> str:
        s = self.shares
        return (f"<FateGrid at {self.value:g}: {self.fates.size:,} starts, {s['converged']:.1%} converged,"
                f" {s['diverged']:.1%} diverged>")


def fate_grid(target, value, *, dims=(0, 1), at=None, resolution=317, steps=300, box=None,
              token=None, chunk=25_000) -> FateGrid:
    """Run the map at ``value`` from every point of a grid on a 2-D slice; record each fate.

    Examples
    --------
    >>> from gdmaps.explore.state import target_from
    >>> t = target_from(loss="(a*b - 1)^2/2")
    >>> below = fate_grid(t, 0.5, resolution=41, steps=300)
    >>> above = fate_grid(t, 1.2, resolution=41, steps=300)
    >>> below.shares["converged"] > 0.9, above.shares["converged"]  # eta* = 1
    (True, 0.0)
    """
    check_request("fate_points", resolution ** 2, f"a fate map of resolution {resolution}")
    check_request("evaluations", resolution ** 2 * steps,
                  f"a fate map of {resolution}^2 starts x {steps} steps")
    R = np.asarray(target.box if box is None else box, dtype=float)
    d = target.dim
    if d == 1:
        dims, point = (0,), R.mean(axis=1)
        xs, ys = np.linspace(*R[0], resolution), np.zeros(1)
        starts = xs[:, None]
    else:
        dims, point = slice_of(R, dims, at)
        dims = tuple(int(i) for i in dims)
        point = np.asarray(point, dtype=float)
        xs, ys = np.linspace(*R[dims[0]], resolution), np.linspace(*R[dims[1]], resolution)
        X, Y = np.meshgrid(xs, ys)
        starts = np.tile(point, (X.size, 1))
        starts[:, dims[0]], starts[:, dims[1]] = X.ravel(), Y.ravel()
    bound = target.at(value)
    fate = np.empty(len(starts), dtype=np.int8)
    for k in range(0, len(starts), chunk):
        _check(token, k / len(starts))
        fate[k:k + chunk] = iterate(bound, starts[k:k + chunk], steps).fate
    _check(token, 1.0)
    return FateGrid(float(value), dims, point, xs, ys, fate.reshape(len(ys), len(xs)), int(steps))


@functools.lru_cache(maxsize=32)
def _gd_numerics(gdmap):
    """Compiled loss, gradient and Hessian of a GD map (state only; eta not needed)."""
    g = list(gdmap.gradient())
    return (lambdify_rows(gdmap.state, [gdmap.loss]), lambdify_rows(gdmap.state, g),
            lambdify_rows(gdmap.state, list(gdmap.hessian())))


def _rows(f, X):
    """Evaluate a compiled ``lambdify_rows`` function on points ``(T, d)``: array ``(T, k)``."""
    out = f(*X.T)
    return np.stack([np.broadcast_to(np.asarray(r, dtype=float), X.shape[:1]) for r in out], axis=-1)


@dataclass(frozen=True, eq=False)
class Path(Result):
    """One orbit from a start, with what the explorer plots along it.

    ``loss``, ``grad_norm`` and ``sharpness`` (lambda_max(H)) are None for a map that is not
    GD; ``radius`` is the spectral radius of the Jacobian along the way; ``limit`` is the
    stability line the sharpness is compared with (2/eta for GD).
    """

    value: float
    start: np.ndarray
    points: np.ndarray
    fate: str
    loss: np.ndarray | None
    grad_norm: np.ndarray | None
    sharpness: np.ndarray | None
    radius: np.ndarray
    limit: float

    def __repr__(self) -> str:
        return (f"<Path from {np.round(self.start, 4).tolist()} at {self.value:g}: {self.fate} after"
                f" {len(self.points) - 1} steps>")


def trajectory(target, value, x0, *, steps=200) -> Path:
    """The orbit of one start at ``value`` with its loss, gradient norm and sharpness.

    Examples
    --------
    >>> from gdmaps.explore.state import target_from
    >>> p = trajectory(target_from(loss="(a*b - 1)^2/2"), 0.5, [1.2, 1.2], steps=100)
    >>> p.fate, round(float(p.loss[-1]), 12), round(float(p.sharpness[-1]), 3), p.limit
    ('converged', 0.0, 2.0, 4.0)
    """
    bound = target.at(value)
    x0 = np.asarray(x0, dtype=float).reshape(1, -1)
    run = iterate(bound, x0, steps, keep_trajectory=True)
    pts = run.trajectory[:, 0, :]
    pts = pts[np.isfinite(pts).all(axis=1)]
    fate = Fate(int(run.fate[0])).name.lower()
    if run.fate[0] in (Fate.CONVERGED, Fate.UNSTABLE) and run.decided_at[0] >= 0:
        pts = pts[: int(run.decided_at[0]) + 1]
    from gdmaps.core.stability import spectral_radii

    with np.errstate(all="ignore"):
        radius = np.asarray(spectral_radii(bound, pts), dtype=float) if len(pts) else np.zeros(0)
        if not target.is_gd:
            return Path(float(value), x0[0], pts, fate, None, None, None, radius, 1.0)
        f_loss, f_grad, f_hess = _gd_numerics(target.map)
        loss = _rows(f_loss, pts)[:, 0]
        grad = np.linalg.norm(_rows(f_grad, pts), axis=1)
        H = _rows(f_hess, pts).reshape(len(pts), target.dim, target.dim)
        ok = np.isfinite(H).all(axis=(1, 2))
        sharp = np.full(len(pts), np.nan)
        if ok.any():
            sharp[ok] = np.linalg.eigvalsh(H[ok])[:, -1]
    return Path(float(value), x0[0], pts, fate, loss, grad, sharp, radius, 2.0 / float(value))


@dataclass(frozen=True, eq=False)
class PhaseCurve(Result):
    """Convergent fraction (with its 95% interval) and asymptotic gradient norm per value."""

    values: np.ndarray
    fraction: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    grad_norm: np.ndarray
    starts: int

    def __repr__(self) -> str:
        return f"<PhaseCurve: {len(self.values)} values, {self.starts} starts each>"


def phase_curve(target, values, *, starts=1000, steps=300, token=None) -> PhaseCurve:
    """The convergent fraction of ``starts`` random starts in the box at each value.

    Examples
    --------
    >>> from gdmaps.explore.state import target_from
    >>> c = phase_curve(target_from(loss="(a*b - 1)^2/2"), [0.5, 1.2], starts=200, steps=300)
    >>> bool(c.fraction[0] > 0.9), float(c.fraction[1])
    (True, 0.0)
    """
    values = np.asarray(values, dtype=float)
    check_request("evaluations", len(values) * starts * steps,
                  f"a phase transition of {len(values)} values x {starts} starts x {steps} steps")
    out = np.full((4, len(values)), np.nan)
    for i, v in enumerate(values):
        _check(token, i / len(values))
        r = convergent_fraction(target.at(v), starts=starts, steps=steps, init="uniform",
                                region=target.box, seed=0)
        q = r.grad_norm_quantiles or {}
        out[:, i] = (r.fraction, r.interval[0], r.interval[1], q.get("50", np.nan))
    return PhaseCurve(values, *out, starts)


@dataclass(frozen=True, eq=False)
class Cobweb(Result):
    """The graph of a 1-D map over ``x`` and the staircase of one orbit (``path_x``, ``path_y``)."""

    value: float
    x: np.ndarray
    fx: np.ndarray
    path_x: np.ndarray
    path_y: np.ndarray

    def __repr__(self) -> str:
        return f"<Cobweb at {self.value:g}: {len(self.path_x) // 2} steps>"


def cobweb(target, value, x0, *, steps=50, samples=400) -> Cobweb:
    """A cobweb diagram: the graph of ``f`` and the staircase ``(x_k, x_k) -> (x_k, x_{k+1})``.

    Examples
    --------
    >>> from gdmaps.explore.state import target_from
    >>> c = cobweb(target_from(map="logistic"), 2.0, 0.2, steps=3)
    >>> c.path_y[:4].tolist()  # 0.2 -> 2*0.2*0.8 = 0.32
    [0.0, 0.32, 0.32, 0.4352]
    """
    if target.dim != 1:
        raise InvalidArgumentError(f"a cobweb diagram needs a map of dimension 1; this one has {target.dim}")
    bound = target.at(value)
    xs = np.linspace(*target.box[0], samples)
    with np.errstate(all="ignore"):
        step = bound.numeric.step
        fx = step(xs[:, None])[:, 0]
        orbit = [float(x0)]
        for _ in range(steps):
            nxt = float(step(np.array([[orbit[-1]]]))[0, 0])
            if not math.isfinite(nxt) or abs(nxt) > 1e8:
                break
            orbit.append(nxt)
    px = np.repeat(orbit, 2)[:-1]
    py = np.concatenate([[0.0], np.repeat(orbit[1:], 2)])[: len(px)]
    return Cobweb(float(value), xs, np.asarray(fx, dtype=float), px, py)


@dataclass(frozen=True, eq=False)
class OrbitMarks(Result):
    """Fixed points and periodic orbits at one value: ``points[i]`` of ``period[i]``, with
    ``stable[i]`` and ``certified[i]`` (a Krawczyk proof of an orbit nearby)."""

    value: float
    points: np.ndarray
    period: np.ndarray
    stable: np.ndarray
    certified: np.ndarray
    kinds: tuple

    def __repr__(self) -> str:
        return (f"<OrbitMarks at {self.value:g}: {len(self.points)} points, {int(self.stable.sum())}"
                f" stable, {int(self.certified.sum())} certified>")


def orbits_at(target, value, *, periods=(1, 2), starts=256, token=None) -> OrbitMarks:
    """Fixed points and periodic orbits of the map at ``value`` in the box, certified where
    Krawczyk's test proves them (isolated points only; a curve of minima is sampled).

    Examples
    --------
    >>> from gdmaps.explore.state import target_from
    >>> m = orbits_at(target_from(map="logistic"), 2.8, periods=(1,))
    >>> sorted(np.round(m.points[:, 0], 4).tolist()), m.stable.tolist()
    ([0.0, 0.6429], [False, True])
    """
    from gdmaps.orbits.periodic_orbits import periodic_orbits

    bound = target.at(value)
    rows = []
    for p in periods:
        _check(token)
        try:
            found = periodic_orbits(bound, p, target.box, certify=True, starts=starts).orbits
        except GdmapsError:
            try:
                found = periodic_orbits(bound, p, target.box, starts=starts).orbits
            except GdmapsError:
                continue
        for o in found:
            stable = bool(o.stability.spectral_radius <= 1) if hasattr(o.stability, "spectral_radius") \
                else o.stability.kind.name.lower() in ("attracting", "sink", "stable")
            cert = bool(o.enclosure is not None and o.enclosure.certified)
            for pt in np.atleast_2d(o.points):
                rows.append((pt, p, stable, cert, o.stability.kind.name.lower()))
    if not rows:
        z = np.zeros(0)
        return OrbitMarks(float(value), np.zeros((0, target.dim)), z.astype(int), z.astype(bool),
                          z.astype(bool), ())
    pts, per, st, ce, kinds = zip(*rows)
    return OrbitMarks(float(value), np.array(pts, dtype=float), np.array(per), np.array(st),
                      np.array(ce), tuple(kinds))


def certificate_at(target, value):
    """The measure-zero certificate at step size ``value`` (GD maps only), or None."""
    if not target.is_gd:
        return None
    from gdmaps.certify.certificate import certify_measure_zero

    return certify_measure_zero(target.map, eta=value)


def bifurcation_marks(target, *, switch=2, token=None) -> list:
    """(kind, value) of the bifurcations continuation finds in the target's span, from the
    isolated fixed points at its lower end; an empty list where none can be followed."""
    from gdmaps.bifurcations.continuation import continuation
    from gdmaps.orbits.fixed_points import fixed_points

    lo, hi = target.span
    try:
        found = fixed_points(target.at(lo), target.box, method="numeric").points
    except GdmapsError:
        return []
    marks = []
    for o in [o for o in found if o.tangent is None][:4]:
        _check(token)
        try:
            c = continuation(target.map, np.asarray(o.points, float).ravel(), target.parameter, (lo, hi),
                             switch=switch)
        except (GdmapsError, ValueError, np.linalg.LinAlgError):
            continue
        marks += [(b.kind, float(b.value)) for b in c.bifurcations]
    seen, out = set(), []
    for kind, v in sorted(marks, key=lambda m: m[1]):
        if (kind, round(v, 8)) not in seen:
            seen.add((kind, round(v, 8)))
            out.append((kind, v))
    return out
