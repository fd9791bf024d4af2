"""Unstable manifolds of saddle fixed points and periodic orbits, grown by forward iteration.

The unstable manifold W^u(p) of a saddle p is the set of points whose backward orbit
converges to p. It is tangent at p to the unstable eigenspace of Df(p) and invariant,
so W^u(p) is the union of the forward images f^k of a fundamental domain of the local
manifold. :func:`unstable_manifold` seeds that domain on the linear approximation and
globalizes it with f itself (no inverse is needed, so non-invertible maps are fine),
inserting points wherever consecutive points drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.core.gd import at_step
from gdmaps.core.errors import check_int, check_positive_finite
from gdmaps.core.results import jsonable
from gdmaps.orbits.stable_manifold import _describe, _Manifold, _orbit_of, _power, _sphere, saddle_multipliers

__all__ = ["UnstableManifold", "unstable_manifold"]


@dataclass(frozen=True, repr=False, eq=False)
class UnstableManifold(_Manifold):
    """The computed unstable manifold of a saddle fixed point or periodic orbit.

    Attributes
    ----------
    point : ndarray (d,)
        The saddle p (the first point of the orbit, for a periodic saddle).
    multipliers : ndarray (d,)
        Eigenvalues of D(f^period)(p), sorted by modulus.
    dimension : int
        Dimension of W^u(p): the number of multipliers with ``|mu| > 1``.
    branches : tuple of ndarray (M, d)
        For ``dimension == 1``: two branches per orbit point (one per side), each an
        ordered curve leaving it (the point itself not included), consecutive points at
        most ``max_gap`` apart unless ``notes`` says otherwise. For ``dimension >= 2``:
        one array per forward iteration of the seed sphere at ``point``.
    levels : tuple of ndarray (M,) of int
        For each point q of each branch, the number k of forward steps of f that produced
        it: ``f^-k(q)`` is a seed, at distance ``delta`` to ``delta |mu_u|^m`` from the
        saddle (m = 1, or 2 when mu_u < 0).
    delta : float
        Distance of the first seeds from the saddle.
    dropped : int
        Points cut because their orbit left the reals or overflowed (the branch stops there).
    notes : str
        The method, and why each branch stopped.
    period, orbit, anchors
        As for :class:`~gdmaps.orbits.stable_manifold.StableManifold`.
    max_gap : float
        The largest distance between consecutive points over all 1-D branches.
    """

    max_gap: float = float("nan")

    kind = "unstable"

    def to_dict(self) -> dict:
        """JSON-ready: the saddle, its multipliers, every branch as a list of points."""
        return {**super().to_dict(), "max_gap": jsonable(self.max_gap)}

    def __repr__(self) -> str:
        return _describe(self, f"largest gap {self.max_gap:.3g}")


def unstable_manifold(map, point, *, eta=None, period=1, length=5.0, samples=100, steps=30, delta=1e-5,
                      max_gap=0.01, max_points=100_000) -> UnstableManifold:
    """Compute the unstable manifold of a saddle fixed point or periodic orbit by forward iteration.

    Parameters
    ----------
    map : Map
        A map with every parameter bound.
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
    point : array (d,) or Orbit
        The saddle fixed point, a point of a saddle periodic orbit (with ``period``), or an
        :class:`~gdmaps.orbits.orbit.Orbit`.
    period : int, keyword-only
        The period of the orbit through ``point`` (taken from an Orbit); the manifolds
        are those of the fixed points of f^period, two branches per orbit point.
    length : float or None, keyword-only
        For 1-D manifolds, stop each branch at this arc length from its saddle (None:
        stop after ``steps`` fundamental domains).
    samples : int, keyword-only
        Points of the first fundamental domain (1-D), or directions on the seed sphere.
    steps : int, keyword-only
        Fundamental domains grown at most (1-D: forward images of f^period, or of
        f^(2 period) when the unstable multiplier is negative), or forward images of
        the seed sphere (dimension >= 2).
    delta : float, keyword-only
        Distance of the first seeds from the saddle; the linear approximation is
        accurate to O(delta^2), an error that forward iteration contracts.
    max_gap : float, keyword-only
        1-D: points are inserted until consecutive points are at most this far apart.
    max_points : int, keyword-only
        Points per branch at most; a branch that needs more stops there (``notes``).

    Returns
    -------
    UnstableManifold

    Raises
    ------
    InvalidArgumentError
        If ``point`` is not a fixed (periodic) point, or not a saddle.

    Examples
    --------
    >>> import numpy as np
    >>> from gdmaps.maps.classic import henon
    >>> a, b = 1.4, 0.3
    >>> x = (-(1 - b) + np.sqrt((1 - b)**2 + 4*a)) / (2*a)
    >>> W = unstable_manifold(henon(a, b), [x, b*x], length=3.0, max_gap=0.05)
    >>> W.dimension, len(W.branches), bool(W.max_gap <= 0.05)
    (1, 2, True)
    >>> W
    <UnstableManifold: 1-D of the saddle [0.631354, 0.189406] (multipliers 0.155946, -1.92374);
     2 branches, 1990 points, largest gap 0.0496>

    Notes
    -----
    Let g = f^m (m = period, or 2 period when the unstable multiplier mu is negative, so
    that g maps each side of the saddle to itself) with multiplier mu_g = mu^(m/period) > 1
    and unstable eigenvector v. A point of a branch is labelled by t >= 0 and is

        X(t) = g^floor(t) (p + s(t) v),    s(t) = delta mu_g^(t - floor(t)),

    so t in [k, k + 1) covers the k-th image of the fundamental domain
    ``{p + s v: delta <= s < delta mu_g}``. Branches grow one domain at a time; where two
    consecutive points are more than ``max_gap`` apart the midpoint in t is computed
    afresh from its seed (never interpolated), until the gaps close, the resolution of
    t (1e-12) is reached, or ``max_points`` is. The seeds lie O(delta^2) off W^u; that
    error contracts by the stable multiplier at each step. For dimension >= 2 the seeds
    are ``samples`` directions on the sphere of radius delta in the unstable eigenspace
    and ``branches[j]`` is its j-th image: the spheres do not tile a fundamental domain,
    so the gaps between them are not filled.
    """
    map = at_step(map, eta)
    orbit, period = _orbit_of(map, point, period)
    samples = check_int("samples", samples, minimum=2)
    steps = check_int("steps", steps, minimum=1)
    delta = check_positive_finite("delta", delta)
    max_gap = check_positive_finite("max_gap", max_gap)
    max_points = check_int("max_points", max_points, minimum=samples)
    if length is not None:
        length = check_positive_finite("length", length)
    f = _power(map, period)
    J, mus, n_up, n_down = saddle_multipliers(f, orbit[0], period, "unstable_manifold")
    knobs = dict(samples=samples, steps=steps, delta=delta, max_gap=max_gap,
                 max_points=max_points, length=length)
    if n_up >= 2:
        return _higher_dimensional(map, f, orbit, period, mus, n_up, **knobs)
    branches, levels, anchors, reasons, dropped, gaps = [], [], [], [], 0, [0.0]
    for j, x in enumerate(orbit):
        Jx = f.numeric.jacobian(x[None])[0]
        w, V = np.linalg.eig(Jx)
        i = int(np.argmax(np.abs(w)))
        mu = float(w[i].real)
        v = V[:, i].real / np.linalg.norm(V[:, i].real)
        v = v * (1 if v[np.argmax(np.abs(v))] > 0 else -1)  # deterministic orientation
        m = period if mu > 0 else 2 * period
        g = _power(map, m)
        for sign in (1, -1):
            P, T, why, lost = _branch(g, x, sign * v, mu * mu if mu < 0 else mu, **knobs)
            branches.append(P)
            levels.append(np.floor(T).astype(int) * m)
            anchors.append(j)
            reasons.append(why)
            dropped += lost
            if len(P) > 1:
                gaps.append(float(np.linalg.norm(np.diff(np.vstack([x, P]), axis=0), axis=1).max()))
    mu0 = float(mus[-1].real)
    how = f"f^{2 * period}" if mu0 < 0 else ("f" if period == 1 else f"f^{period}")
    notes = (f"1-D unstable manifold (mu_u = {mu0:.6g}) grown by {how} from {samples} seeds on the"
             f" fundamental domain at distance {delta:.3g} along the unstable eigenvector, points"
             f" inserted until gaps <= {max_gap:g}; branches stop: " + "; ".join(
                 f"{'+' if k % 2 == 0 else '-'}{'' if period == 1 else f' at orbit point {anchors[k]}'}"
                 f" {r}" for k, r in enumerate(reasons)))
    if period > 1:
        notes = f"period-{period} saddle orbit, its {period} points as fixed points of f^{period}; " + notes
    return UnstableManifold(orbit[0], mus, 1, tuple(branches), tuple(levels), delta, dropped, notes,
                            period, None if period == 1 else orbit, tuple(anchors), max(gaps))


def _images(g, p, v, mu_g, delta, T):
    """X(t) for each t of T: the seed p + delta mu_g^frac(t) v, then floor(t) steps of g."""
    k = np.floor(T).astype(int)
    X = p + (delta * mu_g ** (T - k))[:, None] * v
    with np.errstate(all="ignore"):
        for n in range(int(k.max(initial=0))):
            todo = k > n
            X[todo] = g.numeric.step(X[todo])
    return X


def _branch(g, p, v, mu_g, *, samples, steps, delta, max_gap, max_points, length):
    """One branch: points (M, d), their labels t (M,), why it stopped, points lost."""
    T, P, arc = np.empty(0), np.empty((0, len(p))), 0.0
    for k in range(steps):
        Tk = k + np.arange(samples) / samples
        # the window: the last point so far (p itself, labelled -1, at first), then domain k
        Tw = np.concatenate([T[-1:] if len(T) else [-1.0], Tk])
        Xw = np.vstack([P[-1:] if len(P) else p[None], _images(g, p, v, mu_g, delta, Tk)])
        while True:
            with np.errstate(all="ignore"):
                gap = np.linalg.norm(np.diff(Xw, axis=0), axis=1)
            too_far = np.isfinite(gap) & (gap > max_gap)
            if not len(T):
                too_far[0] = False  # p to the first seed: delta apart by construction
            idx = np.flatnonzero(too_far & (np.diff(Tw) > 1e-12 * max(1, k)))
            if idx.size == 0:
                break
            if len(P) + len(Tw) + idx.size > max_points:
                P, T, arc, why, lost = _extend(P, T, Xw, Tw, arc, length, p)
                return P, T, why or f"at the point budget max_points={max_points} (raise it or max_gap)", lost
            Tm = (Tw[idx] + Tw[idx + 1]) / 2
            Tw = np.insert(Tw, idx + 1, Tm)
            Xw = np.insert(Xw, idx + 1, _images(g, p, v, mu_g, delta, Tm), axis=0)
        P, T, arc, why, lost = _extend(P, T, Xw, Tw, arc, length, p)
        if why is not None:
            return P, T, why, lost
        if too_far.any():
            return P, T, (f"after {k + 1} fundamental domains: gaps > {max_gap:g} remain at the"
                          " resolution of the parameterization (the map stretches too much)"), 0
    return P, T, f"after steps={steps} fundamental domains (arc length {arc:.4g})", 0


def _extend(P, T, Xw, Tw, arc, length, p):
    """The branch with the window appended (but its first row, already in it), cut at the first
    non-finite point and at arc length ``length``: (P, T, arc, why stopped or None, points lost)."""
    Xn, Tn = Xw[1:], Tw[1:]
    why, lost = None, 0
    bad = ~np.isfinite(Xn).all(axis=1)
    if bad.any():
        first = int(np.argmax(bad))
        lost = len(Xn) - first
        Xn, Tn = Xn[:first], Tn[:first]
        why = "where the orbits of its seeds overflowed or left the reals"
    cum = arc + np.cumsum(np.linalg.norm(np.diff(np.vstack([Xw[:1], Xn]), axis=0), axis=1))
    if length is not None and len(cum) and cum[-1] > length:
        keep = cum <= length
        Xn, Tn, cum = Xn[keep], Tn[keep], cum[keep]
        why = f"at arc length {length:g}"
    arc = float(cum[-1]) if len(cum) else arc
    return np.vstack([P, Xn]), np.concatenate([T, Tn]), arc, why, lost


def _higher_dimensional(map, f, orbit, period, mus, k, *, samples, steps, delta, max_gap, max_points,
                        length):
    from gdmaps.orbits.stable_manifold import _stable_basis

    p = orbit[0]
    J = f.numeric.jacobian(p[None])[0]
    B = _stable_basis(J, np.abs(np.linalg.eigvals(J)) > 1)  # the unstable eigenspace
    X = p + delta * _sphere(k, samples) @ B.T
    branches, levels, dropped = [], [], 0
    for j in range(steps + 1):
        good = np.isfinite(X).all(axis=1)
        dropped += int((~good).sum())
        X = X[good]
        branches.append(X)
        levels.append(np.full(len(X), j * period))
        with np.errstate(all="ignore"):
            X = f.numeric.step(X) if len(X) else X
    notes = (f"{k}-D unstable manifold: {samples} directions on the sphere of radius {delta:.3g} in the"
             f" unstable eigenspace, {steps} forward images; limitation: the spheres do not tile a"
             " fundamental domain, the gaps between them are not filled")
    return UnstableManifold(p, mus, k, tuple(branches), tuple(levels), delta, dropped, notes, period,
                            None if period == 1 else orbit, tuple(0 for _ in branches), float("nan"))
