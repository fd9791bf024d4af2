"""The search behind :func:`gdmaps.orbits.periodic_orbits`: validated settings, rounds of seeds, refills.

Orbits travel between the functions here as arrays: ``{period: (X, res)}`` with
``X`` the cycles ``(n, p, d)`` in canonical rotation and ``res`` their residuals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gdmaps.orbits import _cycle_seeds as seeds
from gdmaps.orbits._cycle_sets import merge, prime_mask
from gdmaps.orbits._shooting import Domain, davidchack_lai_ordered, newton, newton_error, stabilizing_matrices
from gdmaps.core.executor import Executor, in_order, row_spans
from gdmaps.core.numeric import check_map
from gdmaps.core.progress import bar
from gdmaps.core.errors import (FreeParameterError, InvalidArgumentError, InvalidTypeError, check_choice,
                                check_finite_array, check_int, check_positive_finite)

__all__ = ["Search", "prepare", "find", "refill", "guesses_for", "TRANSFORMS", "OPTIONS"]

#: Named sets of stabilising matrices.
TRANSFORMS = ("auto", "all", "signs", "identity")
#: The keyword options shared by periodic_orbits and periodic_orbits_up_to.
OPTIONS = ("starts", "iterates", "transforms", "max_rounds", "tol", "distinct_tol", "modulo", "seed")
#: Error estimates (box widths) above which a solution counts as ill-conditioned: see keep().
ILL = 1e-4


@dataclass
class Search:
    """Everything a period's search needs, validated once."""

    map: object
    num: object
    dom: Domain
    region: np.ndarray
    modulo: tuple | None
    mats: np.ndarray
    n_seeds: int
    iterates: int
    max_rounds: int
    tol: float
    distinct_tol: float
    rng: np.random.Generator
    #: the trajectories of each round, shared by the periods searched with this Search
    clouds: dict = field(default_factory=dict, repr=False)
    #: where the batched Newton and Davidchack-Lai runs go (see :meth:`use`)
    ex: Executor = field(default_factory=Executor, repr=False)
    #: seeds per task on a cluster (None: about 4 tasks per worker)
    chunk: int | None = None
    _held: object = field(default=None, repr=False)
    _workers: int = field(default=0, repr=False)

    def use(self, ex, chunk=None):
        """Run the seed batches on the executor ``ex`` (see :func:`gdmaps.core.executor.executor`)."""
        self.ex, self.chunk = ex, None if chunk is None else check_int("chunk", chunk, minimum=1)
        self._held, self._workers = None, ex.workers if ex.distributed else 1

    def newton(self, X):
        """:func:`newton` on the pseudo-orbits X, in chunks of rows on the executor."""
        return self._spread(_newton_task, X, (self.dom, self.tol), 1)

    def davidchack_lai(self, x0, p, **knobs):
        """The points :func:`davidchack_lai` converges to from x0, in chunks of starts on the
        executor, put in the order of one batch: by iteration, then by start and matrix."""
        m = len(self.mats)
        parts = self._spread(_dl_task, x0, (p, self.mats, self.dom, knobs), m, join=False)
        if len(parts) == 1:
            return parts[0][0]
        pts, when, runs = (np.concatenate(a) for a in zip(*parts))
        return pts[np.lexsort((runs, when))]

    def _spread(self, task, X, knobs, per, *, join=True):
        """``task(num, (X[lo:hi], lo * per, knobs))`` for chunks of rows, here when one chunk will
        do; each row's answer depends on that row alone, so the chunks give the serial rows."""
        chunk = None if self.chunk is None else max(1, -(-self.chunk // per))
        pieces = row_spans(len(X), chunk, workers=self._workers, least=max(1, 1024 // per))
        if len(pieces) <= 1:
            parts = [task(self.num, (X, 0, knobs))]
        else:
            if self._held is None:
                self._held = self.ex.share(self.num, name="periodic-orbits")
            parts = in_order(self.ex, task, [(X[lo:hi], lo * per, knobs) for lo, hi in pieces],
                             shared=self._held, name="periodic-orbits")
        if not join:
            return parts
        return tuple(np.concatenate(a) for a in zip(*parts))

    def cloud(self, r):
        """The trajectories of round r: drawn once, then reused by every period."""
        if r not in self.clouds:
            self.clouds[r] = seeds.trajectories(self.num, self.dom, self.rng, self.iterates)
        return self.clouds[r]


@dataclass
class Stats:
    """What a period's search did; ``saturated`` when its last round found nothing new."""

    n_seeds: int = 0
    rounds: int = 0
    saturated: bool = False
    notes: list = field(default_factory=list)


def _newton_task(num, item):
    X, _, (dom, tol) = item
    return newton(num, X, dom, tol=tol)


def _dl_task(num, item):
    x0, offset, (p, mats, dom, knobs) = item
    pts, when, runs = davidchack_lai_ordered(num, x0, p, mats, dom, **knobs)
    return pts, when, runs + offset


def find(search, p, neighbors, guesses, *, progress=False):
    with bar(progress, total=search.max_rounds, desc=f"period {p}", unit="round") as shown:
        return _find(search, p, neighbors, guesses, shown)


def _find(search, p, neighbors, guesses, shown):
    """Rounds of fresh seeds for period p until one finds nothing new: ``(X, res, Stats)``.

    Round 1 also uses the orbits of other periods in ``neighbors`` and the user's
    ``guesses``; every round draws new trajectories and random points.
    """
    s, dom, d = search, search.dom, search.dom.low.size
    X, res, st = np.zeros((0, p, d)), np.zeros(0), Stats()
    beta = 10 * 1.2**p                      # Davidchack & Lai's choice, in box units
    dl_iter = int(np.clip(beta, 50, 100))   # converging starts mostly do so in ~20 iterations
    for st.rounds in range(1, s.max_rounds + 1):
        traj = s.cloud(st.rounds) if s.iterates else None
        batches = [seeds.region_seeds(s.num, dom, s.rng, max(1, s.n_seeds // 4), p)]
        if traj is not None:
            batches.append(seeds.close_returns(traj, p, s.n_seeds, dom))
        starts = [seeds.sample_points(traj, s.rng, s.n_seeds // 16, dom)]
        if st.rounds == 1:
            batches += _neighbor_seeds(neighbors, p, dom)
            starts += [neighbors[q][0].reshape(-1, d) for q in (p - 1, p + 1) if q in neighbors]
            if guesses is not None:
                batches.append(guesses[0])
                starts.append(guesses[1])
        batch = np.concatenate([b for b in batches if b is not None and len(b)])
        cand, cres = s.newton(batch)
        x0 = np.concatenate(starts)
        if x0.size:
            pts = s.davidchack_lai(x0, p, beta=beta, max_iter=dl_iter, tol=1e-9 * float(np.max(dom.width)))
            if len(pts):
                pts = merge(pts[:, None, :], np.zeros(len(pts)), dom, s.distinct_tol)[1][:, 0]
                Y, yres = s.newton(seeds.iterate_points(s.num, pts, p, dom))
                cand, cres = np.concatenate([cand, Y]), np.concatenate([cres, yres])
        st.n_seeds += len(batch) + len(x0) * len(s.mats)
        before = len(X)
        X, res = keep(search, np.concatenate([X, cand]), np.concatenate([res, cres]))
        new = len(X) - before
        shown.set_postfix_str(f"{new} new, {len(X)} orbits from {len(batch):,} Newton seeds and"
                              f" {len(x0):,} x {len(s.mats)} Davidchack-Lai starts")
        shown.update(1)
        if st.rounds >= 2 and new == 0:
            st.saturated = True
            break
    return X, res, st


def keep(search, X, res):
    """The candidates that are orbits: converged, in the box, of prime period, one copy each.

    Near a degenerate solution (a period-doubling point, say) Newton leaves a
    cloud of points with tiny residuals that are not orbits; there the next
    Newton step, the error estimate, is large. Points within 10 error estimates
    count as the same, so such a cloud collapses onto its true solution.
    Solutions worse than ``ILL`` (a continuum of orbits) keep the plain tolerance.
    """
    dom = search.dom
    ok = np.isfinite(res) & (res < search.tol)
    X, res = dom.reduce(X[ok]), res[ok]
    ok = dom.inside(X)
    X, res = X[ok], res[ok]
    err = newton_error(search.num, X, dom)
    radius = np.where(err <= ILL, 10 * err, 0.0)
    ok = prime_mask(X, dom, np.maximum(search.distinct_tol, radius))
    idx, X = merge(X[ok], res[ok], dom, search.distinct_tol, radius[ok])
    return X, res[ok][idx]


def refill(search, q, found, stats, Xp):
    """Seed period q again with the orbits ``Xp`` of period q + 1; returns how many were added."""
    if len(Xp) == 0:
        return 0
    batch = seeds.shift_seeds(Xp, q)
    cand, cres = search.newton(batch)
    X, res = found[q]
    X2, res2 = keep(search, np.concatenate([X, cand]), np.concatenate([res, cres]))
    added = len(X2) - len(X)
    stats[q].n_seeds += len(batch)
    if added:
        found[q] = (X2, res2)
        stats[q].notes.append(f"{added} orbit(s) found from the orbits of period {q + 1}")
    return added


def _neighbor_seeds(neighbors, p, dom):
    """Shifted neighbour cycles (periods p - 1, p + 1) and spliced pairs (a + b = p)."""
    out = [seeds.shift_seeds(neighbors[q][0], p) for q in (p - 1, p + 1)
           if q in neighbors and len(neighbors[q][0])]
    for a in range(1, p // 2 + 1):
        if a in neighbors and p - a in neighbors:
            out.append(seeds.splice_seeds(neighbors[a][0], neighbors[p - a][0], p, dom))
    return out


# -- input ------------------------------------------------------------------------------


def prepare(map, region, *, starts=2048, iterates=65536, transforms="auto", max_rounds=4,
            tol=1e-10, distinct_tol=1e-8, modulo=None, seed=0) -> Search:
    """Check the map and every option; errors name the argument and what is allowed."""
    check_map(map)
    free = tuple(map.free_parameters)
    if free:
        raise FreeParameterError(
            f"periodic_orbits needs values for the free parameters {', '.join(str(f) for f in free)}"
            f" of the map; bind them first, e.g. map.subs({free[0]}=...)")
    d = map.dim
    low, high = _region(region, d)
    period = _modulo(modulo, d)
    if isinstance(transforms, str):
        mats = stabilizing_matrices(d, check_choice("transforms", transforms, TRANSFORMS))
    else:
        mats = check_finite_array("transforms", transforms, ndim=3)
        if mats.shape[1:] != (d, d) or len(mats) == 0:
            raise InvalidArgumentError(
                f"transforms must be a name or an array (m, {d}, {d}), got shape {mats.shape}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InvalidTypeError(f"seed must be an integer, got {seed!r}")
    return Search(map, map.numeric, Domain(low, high, period), np.stack([low, high], axis=1),
                  None if modulo is None else tuple(None if L == 0 else float(L) for L in period),
                  mats, check_int("starts", starts, minimum=1), check_int("iterates", iterates),
                  check_int("max_rounds", max_rounds, minimum=1), check_positive_finite("tol", tol),
                  check_positive_finite("distinct_tol", distinct_tol), np.random.default_rng(seed))


def _region(region, d):
    try:
        R = np.asarray(region, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"region must be an array (d, 2) of [low, high] rows, got {region!r}") from None
    if d == 1 and R.shape == (2,):
        R = R[None]
    if R.shape != (d, 2):
        raise InvalidArgumentError(
            f"region must have shape ({d}, 2), one [low, high] row per coordinate of this {d}-D map,"
            f" got shape {R.shape}")
    if not np.isfinite(R).all():
        raise InvalidArgumentError(f"region must be finite, got {R.tolist()}")
    bad = np.flatnonzero(R[:, 0] >= R[:, 1])
    if bad.size:
        i = int(bad[0])
        raise InvalidArgumentError(
            f"region rows must have low < high, got [{R[i, 0]:g}, {R[i, 1]:g}] for coordinate {i}")
    return R[:, 0].copy(), R[:, 1].copy()


def _modulo(modulo, d):
    if modulo is None:
        return np.zeros(d)
    items = list(modulo) if np.ndim(modulo) else None
    if items is None or len(items) != d:
        raise InvalidArgumentError(
            f"modulo must be a sequence of {d} periods (None for a plain coordinate), got {modulo!r}")
    out = np.zeros(d)
    for i, L in enumerate(items):
        if L is not None:
            out[i] = check_positive_finite(f"modulo[{i}]", L)
    return out


def guesses_for(guesses, p, search):
    """User guesses as (pseudo-orbits for Newton, points for Davidchack-Lai), or None."""
    if guesses is None:
        return None
    d = search.dom.low.size
    G = check_finite_array("guesses", guesses)
    if G.ndim == 2 and G.shape[1] == d:
        return seeds.iterate_points(search.num, G, p, search.dom), G
    if G.ndim == 3 and G.shape[1:] == (p, d):
        return G, G[:, 0]
    raise InvalidArgumentError(
        f"guesses must be points (n, {d}) or pseudo-orbits (n, {p}, {d}), got shape {G.shape}")
