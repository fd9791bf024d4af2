"""Stable manifolds of saddle fixed points, grown by iterating the inverse map.

The stable manifold W^s(p) of a saddle p is the set of points whose forward
orbit converges to p. It is tangent at p to the stable eigenspace of Df(p), and
it is invariant, so W^s(p) is the union of the backward images f^-k of any
small piece of the local manifold. :func:`stable_manifold` seeds such a piece
on the linear approximation and globalizes it with f^-1, computed by batched
Newton on ``f(y) = x`` (or by an explicit inverse map when one is given).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.core.gd import at_step
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_int, check_positive_finite
from gdmaps.core.numeric import Numeric, check_map
from gdmaps.core.newton import backtrack
from gdmaps.core.results import Result, jsonable
from gdmaps.core.stability import Kind, classify

__all__ = ["StableManifold", "stable_manifold", "preimages"]


def _plain(a):
    """An array as JSON-safe lists (complex with a zero imaginary part as real; NaN as None)."""
    a = np.asarray(a)
    if np.iscomplexobj(a) and np.all(a.imag == 0):
        a = a.real
    return jsonable(a)


@dataclass(frozen=True, repr=False, eq=False)
class _Manifold(Result):
    """Fields and methods shared by :class:`StableManifold` and ``UnstableManifold``."""

    point: np.ndarray
    multipliers: np.ndarray
    dimension: int
    branches: tuple
    levels: tuple
    delta: float
    dropped: int
    notes: str
    period: int = 1
    orbit: np.ndarray | None = None
    anchors: tuple = ()

    kind = "stable"

    @property
    def size(self) -> int:
        """Total number of computed points over all branches."""
        return int(sum(len(b) for b in self.branches))

    def to_dict(self) -> dict:
        """JSON-ready: the saddle, its multipliers, every branch as a list of points."""
        return {"kind": self.kind, "point": _plain(self.point), "period": self.period,
                "orbit": None if self.orbit is None else _plain(self.orbit),
                "multipliers": _plain(self.multipliers), "dimension": self.dimension,
                "branches": [_plain(b) for b in self.branches],
                "levels": [np.asarray(v).tolist() for v in self.levels],
                "anchors": list(self.anchors) or [0] * len(self.branches),
                "delta": jsonable(self.delta), "dropped": self.dropped, "size": self.size,
                "notes": self.notes}

    def _repr_markdown_(self) -> str:
        return f"**{type(self).__name__}**: {repr(self)[1:-1].split(': ', 1)[1]}\n\n{self.notes}"

    def _repr_html_(self) -> str:
        import html

        return (f"<p><b>{type(self).__name__}</b>: {html.escape(repr(self)[1:-1].split(': ', 1)[1])}</p>"
                f"<p>{html.escape(self.notes)}</p>")


@dataclass(frozen=True, repr=False, eq=False)
class StableManifold(_Manifold):
    """The computed stable manifold of a saddle fixed point or periodic orbit.

    Attributes
    ----------
    point : ndarray (d,)
        The saddle fixed point p.
    multipliers : ndarray (d,)
        Eigenvalues of Df(p), sorted by modulus.
    dimension : int
        Dimension of W^s(p): the number of multipliers with ``|mu| < 1``.
    branches : tuple of ndarray (M, d)
        For ``dimension == 1``: the two branches (one per side of p), each an
        ordered curve leaving p (p itself not included). For ``dimension >= 2``:
        one array per backward iteration, the k-th holding f^-k of the seed
        sphere (so ``branches[0]`` is the local manifold).
    levels : tuple of ndarray (M,) of int
        For each point of each branch, the number k of backward steps of f that
        produced it: ``f^k(q)`` is a seed, at distance ``~delta`` from its saddle.
    delta : float
        Distance of the seeds from p.
    dropped : int
        Points lost because Newton failed (or the inverse left the reals).
    notes : str
        The method, and what was dropped or truncated.
    period : int
        1 for a fixed point; p for a saddle periodic orbit, whose manifolds are those of
        the fixed points of f^p (and ``multipliers`` are those of D(f^p)).
    orbit : ndarray (period, d) or None
        The periodic orbit, ``orbit[0] == point``; None for a fixed point.
    anchors : tuple of int
        For each branch, the index in the orbit of the point it leaves (all 0 for a
        fixed point).
    """

    def __repr__(self) -> str:
        return _describe(self, f"{self.dropped} dropped")


def _describe(res, tail):
    """The one-line repr shared by the stable and unstable manifold results."""
    at = np.array2string(res.point, precision=6, separator=", ")
    mus = ", ".join(f"{complex(m).real:.6g}" if complex(m).imag == 0 else f"{complex(m):.6g}"
                    for m in res.multipliers)
    what = (f"the saddle {at}" if res.period == 1
            else f"the period-{res.period} saddle orbit through {at}")
    return (f"<{type(res).__name__}: {res.dimension}-D of {what} (multipliers {mus});"
            f" {len(res.branches)} branches, {res.size} points, {tail}>")


class _Power(Numeric):
    """The p-th iterate f^p of a map as a numeric map: batched step and chain-rule Jacobian.

    It stands in for the map too (``.numeric`` is itself), where the code asks a map for it.
    """

    def __init__(self, map, p):
        self.map, self.p, self.dim = map, p, map.dim
        self.numeric = self

    def step(self, X):
        X = np.asarray(X, dtype=float)
        Y = np.atleast_2d(X)
        for _ in range(self.p):
            Y = self.map.numeric.step(Y)
        return Y.reshape(X.shape)

    def jacobian(self, X):
        Y = np.asarray(X, dtype=float)
        J = np.broadcast_to(np.eye(self.dim), (len(Y), self.dim, self.dim)).copy()
        for _ in range(self.p):
            J = self.map.numeric.jacobian(Y) @ J
            Y = self.map.numeric.step(Y)
        return J


def _power(map, p):
    """``map`` itself for p = 1, else its p-th iterate (numeric)."""
    return map if p == 1 else _Power(map, p)


def _orbit_of(map, point, period):
    """The saddle orbit (period, d) from a point (with ``period``) or an Orbit, checked to be periodic."""
    check_map(map)
    period = check_int("period", period, minimum=1)
    if hasattr(point, "points") and hasattr(point, "stability"):  # an Orbit
        pts = np.asarray(point.points, dtype=float)
        if period != 1 and period != len(pts):
            raise InvalidArgumentError(f"period must be the length of the Orbit given ({len(pts)}),"
                                       f" got {period}; leave period out for an Orbit")
        point, period = pts[0], len(pts)
    try:
        p = np.asarray(point, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"point must be an array of {map.dim} real numbers, got {point!r}") from None
    if p.shape != (map.dim,) or not np.isfinite(p).all():
        raise InvalidArgumentError(f"point must be finite with shape ({map.dim},), got {point!r}")
    orbit = [p]
    with np.errstate(all="ignore"):
        for _ in range(period - 1):
            orbit.append(np.asarray(map.numeric.step(orbit[-1][None]), dtype=float)[0])
        back = np.asarray(map.numeric.step(orbit[-1][None]), dtype=float)[0]
    res = float(np.linalg.norm(back - p))
    if not res <= 1e-8 * (1 + np.linalg.norm(p)):
        what = "a fixed point" if period == 1 else f"a point of a period-{period} orbit"
        f = "f(p)" if period == 1 else f"f^{period}(p)"
        raise InvalidArgumentError(f"point {p.tolist()} is not {what} of the map: ||{f} - p|| = {res:.3g}")
    return np.array(orbit), period


def preimages(map, X, guess, *, tol=1e-12, maxiter=50):
    """Solve ``f(y) = x`` for a batch of points by damped Newton.

    Parameters
    ----------
    map : Map
        A map with every parameter bound, locally invertible near the solutions.
    X : array (N, d)
        The points whose preimages are wanted.
    guess : array (N, d)
        Starting points for Newton.
    tol : float, keyword-only
        Accept y when ``||f(y) - x|| <= tol * (1 + ||x||)``.
    maxiter : int, keyword-only
        Newton steps at most.

    Returns
    -------
    Y : ndarray (N, d)
        The preimages, NaN where Newton failed.
    ok : ndarray (N,) of bool
        Where Newton converged.

    Examples
    --------
    >>> import numpy as np
    >>> from gdmaps.maps.classic import henon
    >>> Y, ok = preimages(henon(), np.array([[1.0, 0.0]]), np.array([[0.1, 0.1]]))
    >>> Y.round(12) + 0.0, ok
    (array([[0., 0.]]), array([ True]))
    """
    X = np.asarray(X, dtype=float)
    Y = np.array(guess, dtype=float, copy=True)
    scale = tol * (1 + np.linalg.norm(X, axis=1))
    step, jac = map.numeric.step, map.numeric.jacobian
    with np.errstate(all="ignore"):
        R = step(Y) - X if len(Y) else Y
        r = np.linalg.norm(R, axis=1)
        ok = np.isfinite(r) & (r <= scale)
        active = np.isfinite(r) & ~ok
        for _ in range(maxiter):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            J = jac(Y[idx])
            solvable = np.isfinite(J).all(axis=(1, 2)) & (np.abs(np.linalg.det(J)) > 0)
            active[idx[~solvable]] = False
            idx, J = idx[solvable], J[solvable]
            if idx.size == 0:
                break
            dY = np.linalg.solve(J, -R[idx][..., None])[..., 0]
            r_old, Y0, X0 = r[idx], Y[idx], X[idx]

            def trial(sel, t, Y0=Y0, X0=X0, dY=dY):
                Yt = Y0[sel] + t[:, None] * dY[sel]
                Rt = step(Yt) - X0[sel]
                return Yt, Rt, np.linalg.norm(Rt, axis=1)

            # halve the step until the residual decreases (down to a factor 2^-20)
            Yt, Rt, rt = backtrack(trial, r_old, np.ones(idx.size), halvings=30, floor=1e-6)
            better = np.isfinite(rt) & (rt < r_old)
            upd = idx[better]
            Y[upd], R[upd], r[upd] = Yt[better], Rt[better], rt[better]
            active[idx[~better]] = False
            ok[upd] = r[upd] <= scale[upd]
            active[upd] &= ~ok[upd]
    Y[~ok] = np.nan
    return Y, ok


def _saddle(map, point):
    """The point as a (d,) array, checked to be a saddle fixed point of ``map``."""
    orbit, _ = _orbit_of(map, point, 1)
    return orbit[0]


def _stable_basis(J, stable):
    """A real orthonormal basis (d, k) of the stable eigenspace of J."""
    mus, vecs = np.linalg.eig(J)
    cols = []
    for i in np.flatnonzero(stable):
        cols += [vecs[:, i].real, vecs[:, i].imag]
    B = np.array(cols).T
    U, s, _ = np.linalg.svd(B, full_matrices=False)
    k = int(stable.sum())
    return U[:, :k]


def stable_manifold(map, point, *, eta=None, period=1, length=5.0, samples=200, steps=20, delta=1e-5,
                    inverse=None, tol=1e-12, maxiter=50) -> StableManifold:
    """Compute the stable manifold of a saddle fixed point or periodic orbit by backward iteration.

    Parameters
    ----------
    map : Map
        A map with every parameter bound, locally invertible (``det Df != 0``)
        along the manifold.
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
    point : array (d,) or Orbit
        The saddle fixed point, a point of a saddle periodic orbit (with ``period``), or an
        :class:`~gdmaps.orbits.orbit.Orbit`.
    period : int, keyword-only
        The period of the orbit through ``point`` (taken from an Orbit). For p > 1 the
        manifolds are those of the fixed points of f^p, one set of branches per orbit point.
    length : float or None, keyword-only
        For 1-D manifolds, cut each branch at this arc length from the saddle
        (None: keep every computed point).
    samples : int, keyword-only
        Seeds per side (1-D: points of the fundamental domain) or, for
        higher-dimensional manifolds, directions on the seed sphere.
    steps : int, keyword-only
        Number of backward iterations.
    delta : float, keyword-only
        Distance of the seeds from the saddle; the linear approximation is
        accurate to O(delta^2).
    inverse : Map, optional, keyword-only
        An explicit inverse of ``map``; used instead of Newton.
    tol, maxiter : keyword-only
        Newton acceptance (relative residual) and iteration cap, see :func:`preimages`.

    Returns
    -------
    StableManifold

    Raises
    ------
    InvalidArgumentError
        If ``point`` is not a fixed point (periodic point), or not a saddle (no multiplier inside
        the unit circle, none outside, or one on it), or if a stable multiplier
        is 0 (Df not invertible at p).

    Examples
    --------
    >>> import numpy as np
    >>> from gdmaps.maps.classic import henon
    >>> a, b = 1.4, 0.3
    >>> x = (-(1 - b) + np.sqrt((1 - b)**2 + 4*a)) / (2*a)
    >>> W = stable_manifold(henon(a, b), [x, b*x], samples=100, steps=4, length=None)
    >>> W
    <StableManifold: 1-D of the saddle [0.631354, 0.189406] (multipliers 0.155946, -1.92374);
     2 branches, 1000 points, 0 dropped>
    >>> W.dimension, [len(br) for br in W.branches]
    (1, [500, 500])

    Notes
    -----
    For a 1-D manifold with stable multiplier mu, the seeds are
    ``p + s v`` for s log-spaced on the fundamental domain
    ``[delta, delta / |mu|)`` on both sides of p (v the stable eigenvector);
    f^-1 maps each such piece onto the next one out, so the union of the
    backward images is an ordered curve. When mu < 0 the sides alternate, and
    the branches are assembled accordingly. Points are not inserted where the
    curve stretches: the resolution of far parts is that of the seeds, pulled
    back. Points where Newton fails are dropped (their later preimages too)
    and counted in ``dropped``.

    For a stable manifold of dimension k >= 2 the seeds are ``samples``
    directions on the sphere of radius delta in the stable eigenspace, and
    ``branches[j]`` is its j-th preimage. This is only the local manifold and a
    few backward images: the spheres do not tile a fundamental domain (the
    contraction rates differ between directions, and complex multipliers
    rotate), so the annuli between them are not filled in.
    """
    map = at_step(map, eta)
    orbit, period = _orbit_of(map, point, period)
    samples = check_int("samples", samples, minimum=2)
    steps = check_int("steps", steps, minimum=0)
    delta = check_positive_finite("delta", delta)
    if length is not None:
        length = check_positive_finite("length", length)
    if inverse is not None:
        check_map(inverse, name="inverse")
        if inverse.dim != map.dim:
            raise InvalidArgumentError(
                f"inverse must have the dimension of map ({map.dim}), got {inverse.dim}")
    f = _power(map, period)
    inv = None if inverse is None else _power(inverse, period)
    parts = [_at_point(f, inv, x, tol, maxiter, samples, steps, delta, length, period)
             for x in orbit]
    if period == 1:
        return parts[0]
    first = parts[0]
    branches = tuple(b for r in parts for b in r.branches)
    levels = tuple(v * period for r in parts for v in r.levels)  # steps of f, not of f^p
    anchors = tuple(j for j, r in enumerate(parts) for _ in r.branches)
    dropped = sum(r.dropped for r in parts)
    notes = (f"period-{period} saddle orbit: the manifolds of its {period} points as fixed points of"
             f" f^{period}; at the first point: {first.notes}")
    return StableManifold(first.point, first.multipliers, first.dimension, branches, levels, delta,
                          dropped, notes, period, orbit, anchors)


def saddle_multipliers(f, p, period, who):
    """``(Df(p), its multipliers by modulus, how many lie outside and inside the unit circle)``.

    Raises InvalidArgumentError (naming ``who``) unless ``p`` is a saddle of ``f``.
    """
    J = f.numeric.jacobian(np.asarray(p)[None])[0]
    mus = np.linalg.eigvals(J)
    mus = mus[np.argsort(np.abs(mus), kind="stable")]
    if np.all(mus.imag == 0):
        mus = mus.real
    kind, n_up, n_center, n_down = classify(mus)
    if kind is not Kind.SADDLE:
        what = "fixed point" if period == 1 else f"periodic orbit (period {period})"
        raise InvalidArgumentError(
            f"{who} needs a saddle {what}, but {np.asarray(p).tolist()} is {kind.value}"
            f" (multipliers {', '.join(f'{complex(m):.6g}' for m in mus)}; {n_down} inside the unit"
            f" circle, {n_up} outside, {n_center} on it)")
    return J, mus, n_up, n_down


def _at_point(map, inverse, p, tol, maxiter, samples, steps, delta, length, period):
    """The stable manifold of the saddle fixed point p of ``map`` (f^period)."""
    J, mus, n_up, n_down = saddle_multipliers(map, p, period, "stable_manifold")
    if np.min(np.abs(mus)) < 1e-12:
        raise InvalidArgumentError(
            f"Df is singular at {p.tolist()} (a multiplier is 0): the map is not locally invertible,"
            " so the stable manifold cannot be grown by backward iteration")

    if inverse is not None:
        how = "explicit inverse map" if period == 1 else f"the explicit inverse map, {period} times"

        def back(X, _guess):
            with np.errstate(all="ignore"):
                Y = inverse.numeric.step(X) if len(X) else X.copy()
            ok = np.isfinite(Y).all(axis=1)
            Y[~ok] = np.nan
            return Y, ok
    else:
        how = "batched Newton on f(y) = x" if period == 1 else f"batched Newton on f^{period}(y) = x"

        def back(X, guess):
            Y, ok = preimages(map, X, guess, tol=tol, maxiter=maxiter)
            retry = ~ok & np.isfinite(X).all(axis=1)
            if retry.any():  # second start: the linear inverse at the saddle
                lin = p + np.linalg.solve(J, (X[retry] - p).T).T
                Y2, ok2 = preimages(map, X[retry], lin, tol=tol, maxiter=maxiter)
                Y[retry], ok[retry] = Y2, ok2
            return Y, ok

    if n_down == 1:
        return _one_dimensional(p, J, mus, back, how, samples, steps, delta, length)
    return _higher_dimensional(p, J, mus, n_down, back, how, samples, steps, delta)


def _iterate_back(back, seeds, guess, steps, p=None, radius=None):
    """Levels 0..steps of backward images; NaN rows where a preimage was lost.

    Points farther than ``radius`` from ``p`` are not pulled back further (their
    preimages lie beyond them on the branch, so past any arc-length cut); they
    are marked +inf instead of NaN so they are not counted as Newton failures.
    """
    out = [seeds]
    X, G = seeds, guess
    for _ in range(steps):
        alive = np.isfinite(X).all(axis=1)
        if radius is not None:
            far = alive & (np.linalg.norm(X - p, axis=1) > radius)
            alive &= ~far
            out_far = np.isinf(X).any(axis=1) | far
        else:
            out_far = np.isinf(X).any(axis=1)
        Y = np.full_like(X, np.nan)
        if alive.any():
            Ya, _ = back(X[alive], G[alive])
            Y[alive] = Ya
        Y[out_far] = np.inf
        out.append(Y)
        X, G = Y, Y
    return out


def _one_dimensional(p, J, mus, back, how, samples, steps, delta, length):
    w, V = np.linalg.eig(J)
    i = int(np.argmin(np.abs(w)))
    mu = float(w[i].real)
    v = V[:, i].real
    v = v / np.linalg.norm(v)
    v = v * (1 if v[np.argmax(np.abs(v))] > 0 else -1)  # deterministic orientation
    s = np.geomspace(delta, delta / abs(mu), samples, endpoint=False)
    sides = {}
    for sign in (1, -1):
        seeds = p + sign * s[:, None] * v
        guess = p + sign * (s / mu)[:, None] * v  # the linear preimage
        sides[sign] = _iterate_back(back, seeds, guess, steps, p, length)
    branches, levels, dropped, cut = [], [], 0, 0
    for sign in (1, -1):
        pts, lev = [], []
        for k in range(steps + 1):
            side = sign if mu > 0 or k % 2 == 0 else -sign  # mu < 0: preimages flip sides
            Xk = sides[side][k]
            good = np.isfinite(Xk).all(axis=1)
            beyond = np.isinf(Xk).any(axis=1)
            dropped += int((~good & ~beyond).sum())
            cut += int(beyond.sum())
            pts.append(Xk[good])
            lev.append(np.full(int(good.sum()), k))
        P, L = np.concatenate(pts), np.concatenate(lev)
        if length is not None and len(P):
            arc = np.concatenate([[np.linalg.norm(P[0] - p)],
                                  np.linalg.norm(np.diff(P, axis=0), axis=1)]).cumsum()
            keep = arc <= length
            cut += int((~keep).sum())
            P, L = P[keep], L[keep]
        branches.append(P)
        levels.append(L)
    notes = (f"1-D stable manifold (mu_s = {mu:.6g}) from {samples} log-spaced seeds per side on the"
             f" fundamental domain [{delta:.3g}, {delta / abs(mu):.3g}) along the stable eigenvector,"
             f" {steps} backward steps by {how}")
    if dropped:
        notes += f"; {dropped} points dropped (no preimage found)"
    if cut:
        notes += f"; {cut} points beyond arc length {length:g} cut or not computed"
    return StableManifold(p, mus, 1, tuple(branches), tuple(levels), delta, dropped, notes)


def _sphere(k, n):
    """n deterministic unit vectors in R^k (a circle for k = 2, a Fibonacci-like set otherwise)."""
    if k == 2:
        t = 2 * np.pi * np.arange(n) / n
        return np.column_stack([np.cos(t), np.sin(t)])
    U = np.random.default_rng(0).standard_normal((n, k))
    return U / np.linalg.norm(U, axis=1, keepdims=True)


def _higher_dimensional(p, J, mus, k, back, how, samples, steps, delta):
    B = _stable_basis(J, np.abs(np.linalg.eigvals(J)) < 1)
    dirs = _sphere(k, samples) @ B.T
    seeds = p + delta * dirs
    # the linear preimage within the stable eigenspace: J restricted to it is invertible
    guess = p + np.linalg.solve(J, (seeds - p).T).T
    lv = _iterate_back(back, seeds, guess, steps)
    branches, levels, dropped = [], [], 0
    for j, X in enumerate(lv):
        good = np.isfinite(X).all(axis=1)
        dropped += int((~good).sum())
        branches.append(X[good])
        levels.append(np.full(int(good.sum()), j))
    notes = (f"{k}-D stable manifold: local manifold seeded as {samples} directions on the sphere of"
             f" radius {delta:.3g} in the stable eigenspace, {steps} backward images by {how};"
             " limitation: the spheres do not tile a fundamental domain, the gaps between them"
             " are not filled")
    if dropped:
        notes += f"; {dropped} points dropped (no preimage found)"
    return StableManifold(p, mus, k, tuple(branches), tuple(levels), delta, dropped, notes)

