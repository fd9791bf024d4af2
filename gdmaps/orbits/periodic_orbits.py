"""Every periodic orbit of a given prime period in a box: multiple shooting and stabilising transformations.

This module holds the public functions and the result object. The search (rounds
of seeds, validation) is :mod:`gdmaps.orbits._periodic_search`; the numerics are
:mod:`gdmaps.orbits._shooting` (Newton, Davidchack-Lai), :mod:`gdmaps.orbits._cycle_seeds` and
:mod:`gdmaps.orbits._cycle_sets` (prime period, merging copies).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from gdmaps.orbits._periodic_search import OPTIONS, find, guesses_for, prepare, refill
from gdmaps.orbits._shooting import Domain, newton
from gdmaps.core.gd import at_step
from gdmaps.core.executor import executor
from gdmaps.core.progress import bar, wanted
from gdmaps.core.errors import (CertificationUnavailableError, InvalidArgumentError, InvalidTypeError,
                                check_int)
from gdmaps.orbits.orbit import Enclosure, Orbit
from gdmaps.core.stability import Kind, stability
from gdmaps.core.results import Result

__all__ = ["PeriodicOrbits", "SearchStatus", "periodic_orbits",
           "periodic_orbits_up_to", "periodic_point"]


class SearchStatus(enum.Enum):
    """How far to trust that a :class:`PeriodicOrbits` holds every orbit."""

    SATURATED = "saturated"        #: a whole round of fresh seeds found no new orbit
    SEED_LIMITED = "seed-limited"  #: the last round still found new orbits: raise max_rounds or starts




@dataclass(frozen=True, repr=False, eq=False)
class PeriodicOrbits(Result):
    """The orbits of prime period ``period`` found in ``region``; see :func:`periodic_orbits`.

    Attributes
    ----------
    orbits : tuple of Orbit
        Sorted by their first (lexicographically smallest) point.
    period : int
        The prime period p: every orbit has exactly p distinct points.
    region : ndarray (d, 2)
        The box ``[low, high]`` per coordinate that holds every point of every orbit.
    seeds_tried : int
        Starting points tried: Newton seeds plus Davidchack-Lai starts times matrices.
    rounds : int
        Rounds of fresh seeds that were run.
    status : SearchStatus
        SATURATED when the last round found nothing new; SEED_LIMITED otherwise.
    modulo : tuple or None
        The period of each angle coordinate (None for a plain one), or None.
    notes : tuple of str
        What else the search has to say.
    """

    orbits: tuple
    period: int
    region: np.ndarray
    seeds_tried: int
    rounds: int
    status: SearchStatus
    modulo: tuple | None = None
    notes: tuple = ()

    def __len__(self) -> int:
        return len(self.orbits)

    def __iter__(self):
        return iter(self.orbits)

    def __getitem__(self, i):
        return self.orbits[i]

    @property
    def count(self) -> int:
        """The number of orbits found."""
        return len(self.orbits)

    @property
    def points(self) -> np.ndarray:
        """Every orbit's points, an array ``(count, period, d)``."""
        d = self.region.shape[0]
        if not self.orbits:
            return np.zeros((0, self.period, d))
        return np.stack([o.points for o in self.orbits])

    @property
    def kinds(self) -> dict:
        """How many orbits of each stability class, e.g. ``{'saddle': 44}``."""
        out = {}
        for o in self.orbits:
            out[o.stability.kind.value] = out.get(o.stability.kind.value, 0) + 1
        return out

    def to_dict(self) -> dict:
        """JSON-ready: the search settings, the status and every orbit's :meth:`Orbit.to_dict`."""
        return {"period": self.period, "region": self.region.tolist(), "count": self.count,
                "status": self.status.value, "rounds": self.rounds, "seeds_tried": self.seeds_tried,
                "modulo": None if self.modulo is None else list(self.modulo),
                "kinds": self.kinds, "notes": list(self.notes),
                "orbits": [o.to_dict() for o in self.orbits]}

    def __repr__(self) -> str:
        box = " x ".join(f"[{lo:g}, {hi:g}]" for lo, hi in self.region)
        n, s = self.count, "" if self.count == 1 else "s"
        head = f"{n} fixed point{s}" if self.period == 1 else f"{n} orbit{s} of prime period {self.period}"
        kinds = ", ".join(f"{v} {k}{'s' if k == 'saddle' and v != 1 else ''}"
                          for k, v in sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        rounds = f"{self.rounds} round{'s' if self.rounds != 1 else ''}"
        return (f"<PeriodicOrbits: {head} in {box}{' (' + kinds + ')' if kinds else ''};"
                f" {self.status.value} after {rounds}, {self.seeds_tried:,} seeds>")


def periodic_orbits(map, period, region, *, eta=None, starts=2048, iterates=65536, neighbors=(), guesses=None,
                    transforms="auto", max_rounds=4, tol=1e-10, distinct_tol=1e-8, modulo=None,
                    certify=False, seed=0, progress=None, workers=None, chunk=None) -> PeriodicOrbits:
    """Find every orbit of prime period ``period`` of a map whose points lie in a box.

    Parameters
    ----------
    map : Map
        A :class:`gdmaps.Map` (or GD map) with every parameter bound.
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
    period : int
        The prime period p >= 1 (p = 1: fixed points).
    region : array (d, 2)
        ``[low, high]`` per coordinate, low < high. Only orbits whose every point
        lies in this closed box are kept; seeds are drawn from it.
    starts : int, keyword-only
        Seeds per round: close returns of trajectories, plus a quarter as many
        random points of the box, plus a sixteenth as Davidchack-Lai starts.
    iterates : int, keyword-only
        Trajectory points per round from which close returns are taken.
    neighbors : iterable of PeriodicOrbits or Orbit, keyword-only
        Orbits of other periods (typically p - 1 and p + 1, and shorter ones):
        they seed the search as in Davidchack & Lai (see Notes).
    guesses : array (n, d) or (n, p, d), keyword-only
        Extra starting points, or whole pseudo-orbits.
    transforms : {"auto", "all", "signs", "identity"} or array (m, d, d), keyword-only
        The matrices C of the stabilising transformations: all signed permutation
        matrices, the diagonal sign matrices, or C = I alone. "auto" takes all of
        them for d <= 3, the signs for d <= 8, and I beyond.
    max_rounds : int, keyword-only
        The search stops after the first round (from the second on) that finds
        no new orbit, or after this many rounds.
    tol : float, keyword-only
        Largest residual max_k ||f(x_k) - x_{k+1}|| of an orbit after the final
        Newton polish.
    distinct_tol : float, keyword-only
        Two points are the same when every coordinate differs by less than this
        fraction of the region's width; used to merge cyclic shifts and copies and
        to drop cycles of a smaller period.
    modulo : sequence of d (float or None), keyword-only
        Coordinates that are angles: their period (e.g. 2 pi), None for the
        others. Orbits are then periodic modulo these periods (on a torus) rather
        than on the lift, and their points are reported in
        ``[low, low + period)``.
    certify : bool, keyword-only
        Prove each orbit with :func:`gdmaps.orbits.krawczyk.certify_orbit` (interval
        Krawczyk test) and store the proof in ``Orbit.enclosure``.
    seed : int, keyword-only
        Seed of the random numbers: results are reproducible.
    progress : bool or None, keyword-only
        A progress bar over the rounds on stderr (None: when stderr is a terminal).
    workers : None, int, str or dask.distributed.Client, keyword-only
        Where the batched Newton and Davidchack-Lai runs of each round go: this process
        (None), a LocalCluster of N workers, or a Dask cluster by scheduler address or Client
        (see :func:`gdmaps.core.executor.executor`). The seeds are drawn here as without it;
        each batch is cut into chunks of seeds solved on the workers (the map sent once per
        call) and joined in order, so the orbits and counts are the same, bit for bit.
    chunk : int, keyword-only
        Seeds (Newton pseudo-orbits, or Davidchack-Lai runs: starts x matrices) per task
        (default: about 4 tasks per worker, at least 1024 seeds; a batch that makes one task
        is solved here).

    Returns
    -------
    PeriodicOrbits

    Raises
    ------
    InvalidArgumentError, InvalidTypeError
        For a bad period, region or option; FreeParameterError for a map with
        unbound parameters.
    CertificationUnavailableError
        For ``certify=True`` without :mod:`gdmaps.orbits.krawczyk`.

    See Also
    --------
    periodic_orbits_up_to : every period up to a maximum, each feeding the next.

    Notes
    -----
    A p-cycle x_0 -> ... -> x_{p-1} -> x_0 solves the p d equations

        F_k = f(x_k) - x_{k+1 mod p} = 0,   k = 0, ..., p - 1,

    solved by multiple-shooting Newton, batched over all seeds. The block-cyclic
    Jacobian (J_k = Df(x_k) on the diagonal, -I beside it) is reduced to one
    d x d system per step: (I - J_{p-1} ... J_0) dx_0 = b_p, then
    dx_{k+1} = J_k dx_k + F_k. Steps are capped at half the box and halved
    until the residual drops.

    Seeds, none of them tuned to the expected answer:

    * windows x_t, ..., x_{t+p-1} of trajectories started in the box that nearly
      close, ||x_{t+p} - x_t|| small (the attractor's close returns);
    * random points of the box and their p - 1 iterates (orbits off the attractor);
    * orbits of neighbouring periods: a (p - 1)- or (p + 1)-cycle read p points
      at a time, and pairs of shorter orbits of periods a + b = p spliced where
      they pass closest;
    * the Davidchack-Lai iteration on g = f^p - id (Phys. Rev. E 60, 6172, 1999)

          x <- x + [beta ||g(x)|| C^T - Dg(x)]^{-1} g(x),   beta = 10 * 1.2^p,

      in box units, from points of the neighbouring orbits and of the
      trajectories, for every stabilising matrix C (Schmelcher & Diakonos,
      Phys. Rev. Lett. 78, 4733, 1997). Near a solution it is Newton's method;
      far from one it takes steps of length 1/beta along C g, which makes every
      hyperbolic solution attracting for a suitable signed permutation C.

    Every solution is polished by Newton, kept when its residual is below
    ``tol``, its points lie in the box and x_q != x_0 for every proper divisor q
    of p, rotated to start at its lexicographically smallest point and merged
    with its copies. Rounds of fresh seeds repeat until one finds nothing new:
    the status then says SATURATED, which is evidence, not proof, of
    completeness; ``certify`` proves each orbit exists, not that none is missing.

    Examples
    --------
    >>> from gdmaps.maps import henon, logistic
    >>> found = periodic_orbits(henon(), 2, [[-2, 2], [-2, 2]])
    >>> found
    <PeriodicOrbits: 1 orbit of prime period 2 in [-2, 2] x [-2, 2] (1 saddle);
                     saturated after 2 rounds, 7,168 seeds>
    >>> found[0]
    <Orbit: saddle period-2 orbit through [-0.4758 ,  0.29274]>
    >>> periodic_orbits(logistic(4), 3, [[0, 1]]).count  # (2^3 - 2) / 3
    2
    """
    map = at_step(map, eta)
    search = prepare(map, region, starts=starts, iterates=iterates, transforms=transforms,
                     max_rounds=max_rounds, tol=tol, distinct_tol=distinct_tol, modulo=modulo, seed=seed)
    period = check_int("period", period, minimum=1)
    certifier = _certifier() if certify else None
    neighbors, guesses = _neighbor_orbits(neighbors, search), guesses_for(guesses, period, search)
    # shooting from seeds far out overflows: those seeds end non-finite and are dropped
    with executor(workers, progress=wanted(progress)) as ex, \
            np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        search.use(ex, chunk)
        X, res, stats = find(search, period, neighbors, guesses, progress=progress)
    return _result(search, period, X, stats, certifier)


def periodic_orbits_up_to(map, max_period, region, *, eta=None, min_period=1, progress=None, certify=False,
                          workers=None, chunk=None, **options) -> dict:
    """Every orbit of each prime period ``min_period, ..., max_period``, periods feeding each other.

    Parameters
    ----------
    map, region
        As in :func:`periodic_orbits`.
    max_period : int
        The largest period searched.
    min_period : int, keyword-only
        The smallest period searched (default 1).
    progress : bool or None, keyword-only
        A progress bar over the periods on stderr (None: when stderr is a terminal).
    certify : bool, keyword-only
        As in :func:`periodic_orbits`.
    workers, chunk : keyword-only
        As in :func:`periodic_orbits`: the periods run one after the other (each seeds the
        next), and inside a period the seed batches of each round run on the cluster; the
        orbits and counts are the same as without it.
    **options
        The other keyword options of :func:`periodic_orbits` (``starts``,
        ``iterates``, ``transforms``, ``max_rounds``, ``tol``, ``distinct_tol``,
        ``modulo``, ``seed``).

    Returns
    -------
    dict
        ``{p: PeriodicOrbits}`` for every period in order.

    Notes
    -----
    Period p is seeded, besides its own trajectories and random points, by the
    orbits of period p - 1 and by splicing pairs of orbits whose periods add up
    to p. Once p is done, its orbits seed p - 1 once more (the Davidchack-Lai
    scheme runs both ways); orbits found that way are added to p - 1 with a note.

    Examples
    --------
    >>> from gdmaps.maps import henon
    >>> found = periodic_orbits_up_to(henon(), 8, [[-2, 2], [-2, 2]])
    >>> {p: r.count for p, r in found.items()}
    {1: 2, 2: 1, 3: 0, 4: 1, 5: 0, 6: 2, 7: 4, 8: 7}
    """
    map = at_step(map, eta)
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise InvalidArgumentError(
            f"periodic_orbits_up_to got unknown options {', '.join(sorted(unknown))};"
            f" it takes {', '.join(OPTIONS)}")
    search = prepare(map, region, **options)
    max_period = check_int("max_period", max_period, minimum=1)
    min_period = check_int("min_period", min_period, minimum=1)
    if min_period > max_period:
        raise InvalidArgumentError(f"min_period must be <= max_period, got {min_period} > {max_period}")
    certifier = _certifier() if certify else None
    found, stats = {}, {}
    with executor(workers, progress=wanted(progress)) as ex, \
            bar(progress, total=max_period - min_period + 1, desc="periodic orbits", unit="period") as shown:
        search.use(ex, chunk)
        for p in range(min_period, max_period + 1):
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                X, res, st = find(search, p, found, None)
                found[p], stats[p] = (X, res), st
                if p - 1 in found:
                    refill(search, p - 1, found, stats, X)
            shown.set_postfix_str(f"period {p}: {len(X)} orbits ({_status(st).value})")
            shown.update(1)
    return {p: _result(search, p, found[p][0], stats[p], certifier) for p in found}


def _status(stats) -> SearchStatus:
    return SearchStatus.SATURATED if stats.saturated else SearchStatus.SEED_LIMITED


def _result(search, p, X, stats, certifier) -> PeriodicOrbits:
    orbits = []
    for pts in X:
        st = stability(search.map, pts)
        enclosure = _certify(search, certifier, pts) if certifier is not None else None
        orbits.append(Orbit(pts, st, _residual(search, pts), enclosure))
    notes = list(stats.notes)
    nonhyp = sum(o.stability.kind is Kind.NON_HYPERBOLIC for o in orbits)
    if nonhyp:
        notes.append(f"{nonhyp} non-hyperbolic orbit(s) (a multiplier on the unit circle):"
                     " an orbit with multiplier 1 may belong to a continuum, counted by sample")
    if not stats.saturated:
        notes.append(f"the last of {stats.rounds} rounds still found new orbits:"
                     " raise max_rounds or starts")
    return PeriodicOrbits(tuple(orbits), p, search.region.copy(), stats.n_seeds, stats.rounds,
                          _status(stats), search.modulo, tuple(notes))


def _certify(search, certifier, pts):
    """The certificate of one orbit, on the lift, and only if it is this orbit."""
    dom = search.dom
    lift = pts.copy()
    if dom.period.any():
        # unwrap: each point the representative nearest to the image of the one before
        for k in range(1, len(lift)):
            lift[k] = search.num.step(lift[k - 1]) + dom.wrap(pts[k] - search.num.step(lift[k - 1]))
        winding = np.round((search.num.step(lift[-1]) - lift[0]) / np.where(dom.period > 0, dom.period, 1))
        if np.any(winding[dom.period > 0] != 0):
            return Enclosure(False, None, None, "not certified: the orbit winds around the periodic"
                             f" coordinates ({winding.astype(int).tolist()} turns), and the Krawczyk"
                             " test proves orbits of the lift only")
    return certifier(search.map, lift).for_points(lift)


def _residual(search, pts) -> float:
    F = search.dom.wrap(search.num.step(pts) - np.roll(pts, -1, axis=0))
    return float(np.sqrt((F * F).sum(axis=1)).max())


def _neighbor_orbits(neighbors, search) -> dict:
    """``{period: (X, res)}`` from PeriodicOrbits results or single orbits."""
    out = {}
    if isinstance(neighbors, (PeriodicOrbits, Orbit)):
        neighbors = [neighbors]
    for item in neighbors:
        orbits = item.orbits if isinstance(item, PeriodicOrbits) else [item]
        for o in orbits:
            if not isinstance(o, Orbit):
                raise InvalidTypeError(
                    f"neighbors must hold PeriodicOrbits or Orbit objects, got {type(o).__name__}")
            if o.points.shape[1] != search.dom.low.size:
                raise InvalidArgumentError(
                    f"neighbors must be orbits of this {search.dom.low.size}-D map,"
                    f" got points of shape {o.points.shape}")
            X, r = out.get(o.period, (np.zeros((0, o.period, o.points.shape[1])), np.zeros(0)))
            out[o.period] = (np.concatenate([X, o.points[None]]), np.append(r, o.residual))
    return out


def _certifier():
    """The interval certificate of :mod:`gdmaps.orbits.krawczyk`, imported only when asked for."""
    try:
        from gdmaps.orbits.krawczyk import certify_orbit
    except ImportError as exc:
        raise CertificationUnavailableError(
            "certify=True needs gdmaps.orbits.krawczyk.certify_orbit(map, points), which this installation"
            f" does not have ({exc}); call without certify, or install a gdmaps that has it") from exc
    return certify_orbit


def periodic_point(map, point, period=1, *, within=0.05, tol=1e-12) -> np.ndarray:
    """The orbit of period ``period`` through a point near ``point``, by multiple-shooting Newton.

    Returns the orbit as an array ``(period, d)`` starting at the periodic point found.
    Raises :class:`~gdmaps.InvalidArgumentError` when Newton finds none
    within ``within`` times the point's size (``1 + |point|``).

    Examples
    --------
    >>> from gdmaps.maps import henon
    >>> periodic_point(henon(1.4, 0.3), [0.6, 0.2]).round(6)
    array([[0.631354, 0.189406]])
    """
    d = map.dim
    x = np.asarray(point, dtype=float)
    if x.shape != (d,) or not np.isfinite(x).all():
        raise InvalidArgumentError(f"point must be {d} finite numbers, got {point!r}")
    period = check_int("period", period, minimum=1)
    reach = within * (1 + np.linalg.norm(x))
    seed = [x]
    with np.errstate(all="ignore"):
        for _ in range(period - 1):
            seed.append(np.asarray(map.numeric.step(seed[-1][None]), dtype=float)[0])
    seed = np.array(seed)
    if not np.isfinite(seed).all():
        seed = np.repeat(x[None], period, axis=0)
    dom = Domain(seed.min(axis=0) - reach, seed.max(axis=0) + reach, np.zeros(d))
    X, res = newton(map.numeric, seed[None], dom, tol=tol, max_iter=50)
    if not res[0] <= tol * (1 + np.abs(X).max()) or np.linalg.norm(X[0, 0] - x) > reach:
        what = "fixed point" if period == 1 else f"point of period {period}"
        raise InvalidArgumentError(
            f"point {','.join(f'{v:g}' for v in x)}: Newton finds no {what} of the map within"
            f" {within:g} of its size; give a point closer to an orbit (see fixed_points or"
            " periodic_orbits)")
    return X[0]
