"""How thin the convergent set is: its dimension from the volumes of its neighbourhoods.

Past the critical step size every fixed point of a GD map repels, so the starts that
converge form a set S of measure zero (stable manifolds of saddles, the curve of minima
itself, and their preimages). S cannot be hit by sampling, but its neighbourhoods can be
measured: a start at distance w from S shadows S and stays near a fixed point until the
unstable directions have stretched w up to the size delta of the neighbourhood, a stretch
of about delta / w. Sprinkling starts and measuring each one's stretch during its stay
(the sprinkler method of Kantz & Grassberger 1985 and Hsu, Ott & Grebogi 1988) measures
the volume V(w) of the w-neighbourhood of S, which scales as ``w**(d - D)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.basins.convergence import upper_bound
from gdmaps.core.batch import Batch, advance, sum_squares
from gdmaps.core.errors import InvalidArgumentError, check_int
from gdmaps.core.numeric import check_map
from gdmaps.core.gd import at_step
from gdmaps.core.regions import as_region
from gdmaps.core.progress import bar
from gdmaps.core.results import Result

__all__ = ["SetDimension", "convergent_set_dimension"]


@dataclass(frozen=True, repr=False, eq=False)
class SetDimension(Result):
    """The result of :func:`convergent_set_dimension`.

    Attributes
    ----------
    dim : int
        Dimension of the state space.
    dimension : float
        ``dim`` minus the slope of log V(w) against log w: the box dimension of the
        convergent set (exact with one unstable direction, an upper bound with several).
    dimension_stderr : float
        Its standard error from the fit.
    box_dimension : float or None
        Box-counting dimension of the starts closest to the set (an independent
        estimate), None when they fill too few box sizes.
    lyapunov : float
        Mean stretching rate per step over the stays of the closest starts: the
        unstable exponent of the fixed points they shadow.
    widths : ndarray
        Neighbourhood widths w, from delta down by a factor 10**(1/8) each.
    converged : ndarray of int
        Starts within each width of the set: V(w) is ``converged / starts`` of the region.
    fit : (int, int)
        Index range ``[i, j)`` of ``widths`` used in the fit: from where a tenth of the
        starts remain to where 30 do.
    box_sizes, box_counts : ndarray
        Box sides (relative to the region) and occupied-box counts of the box count.
    starts, steps, delta, seed : the run.
    eta : float or None
    """

    dim: int
    dimension: float
    dimension_stderr: float
    box_dimension: float | None
    lyapunov: float
    widths: np.ndarray
    converged: np.ndarray
    fit: tuple
    box_sizes: np.ndarray
    box_counts: np.ndarray
    starts: int
    steps: int
    delta: float
    seed: int
    eta: float | None

    @property
    def codimension(self) -> float:
        return self.dim - self.dimension

    @property
    def finest(self) -> tuple[float, float]:
        """``(width, upper)``: the finest width fitted, and a one-sided 95% upper bound (on
        the sampling) of the share of starts found within about that width of S. The width
        is known up to a constant factor, so this bounds an estimate, not the measure of S."""
        j = self.fit[1] - 1
        return float(self.widths[j]), upper_bound(int(self.converged[j]), self.starts)

    def to_dict(self) -> dict:
        width, upper = self.finest
        return {"dim": self.dim, "dimension": self.dimension,
                "dimension_stderr": self.dimension_stderr, "box_dimension": self.box_dimension,
                "lyapunov": self.lyapunov, "widths": self.widths.tolist(),
                "converged": self.converged.tolist(), "fit": list(self.fit),
                "box_sizes": self.box_sizes.tolist(), "box_counts": self.box_counts.tolist(),
                "finest_width": width, "finest_share_upper95": upper,
                "starts": self.starts, "steps": self.steps, "delta": self.delta, "seed": self.seed,
                "eta": self.eta}

    def __repr__(self) -> str:
        width, upper = self.finest
        return (f"<SetDimension: the convergent set has dimension {self.dimension:.2f}"
                f" +- {self.dimension_stderr:.2f} in {self.dim}-D; at most {upper:.2g} of the region"
                f" lies within about {width:.1e} of it (95%)>")


def convergent_set_dimension(map, region, *, eta=None, starts=100_000, steps=300, delta=None,
                             seed=0, blowup=1e8, progress=None) -> SetDimension:
    """The dimension of the set of starts that converge to a fixed point, past eta*.

    Parameters
    ----------
    map : Map or GDMap
        A map whose fixed points all repel (a GD map past its critical step size).
    region : array (d, 2)
        The box the starts are sprinkled in (uniformly, seeded).
    eta : float, keyword-only
        Step size for a GD map (else its own).
    starts : int, keyword-only
        Number of starts: the finest width resolved shrinks as their number grows.
    steps : int, keyword-only
        Steps per start.
    delta : float, keyword-only
        A point stays near a fixed point while one step moves it by at most delta (for a
        GD map: the gradient norm is at most delta / eta). It must be below the step
        length of any attracting cycle. Default: 3% of the region's longest side.
    seed : int, keyword-only
    blowup : float, keyword-only
        Orbits beyond this norm have diverged.
    progress : bool or None, keyword-only
        A progress bar on stderr (None: when stderr is a terminal and the call lasts over 2 s).

    Returns
    -------
    SetDimension

    Raises
    ------
    InvalidArgumentError
        When too few starts come close to the set to fit (raise starts); when more than 1% of
        the starts settle on a fixed point (the set has positive measure, or the run is
        too short to see the escape); or when more than 1% keep moving by up to delta per
        step without settling (lower delta).

    Examples
    --------
    GD on the saddle (x^2 - y^2)/2 converges exactly from the line y = 0:

    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x, y = sp.symbols("x y")
    >>> res = convergent_set_dimension(GDMap((x**2 - y**2) / 2, [x, y]), [[-1, 1], [-1, 1]],
    ...                                eta=0.5, starts=20_000, steps=60)
    >>> round(res.dimension, 1), round(res.lyapunov, 1)  # lambda_1 = log(1 + eta) = 0.405
    (1.0, 0.4)

    Notes
    -----
    Per start, a tangent vector v is carried along each stay (``v <- J v / |J v|``, J the
    Jacobian) and its log-stretch s summed; the best stay's s puts the start within about
    ``w = delta exp(-s)`` of S. V(w), the share of starts with ``s >= log(delta / w)``, is
    the volume of the w-neighbourhood of S up to a constant factor, and for a set of box
    dimension D, ``log V(w) = const + (d - D) log w``. The slope is fitted by least
    squares on log counts (weights the counts, as var(log k) ~ 1/k) from where a tenth of
    the starts remain down to where 30 do. Attracting cycles within delta do not count:
    their tangent vectors shrink. With k unstable directions the stretch sees only the
    fastest, the volume all k: the slope is ``(lambda_1 + ... + lambda_k) / lambda_1 <= k``,
    so D is an upper bound of the true dimension d - k.
    """
    check_map(map, what="a Map or GDMap")
    map = at_step(map, eta)
    d = map.dim
    R = as_region(region, d)
    n = check_int("starts", starts, minimum=100)
    steps = check_int("steps", steps, minimum=20)
    seed = check_int("seed", seed)
    if delta is None:
        delta = 0.03 * float(np.max(R[:, 1] - R[:, 0]))
    if not (np.isfinite(delta) and delta > 0):
        raise InvalidArgumentError(f"delta must be a positive number, got {delta!r}")
    rng = np.random.default_rng(seed)
    x0 = R[:, 0] + (R[:, 1] - R[:, 0]) * rng.random((n, d))
    stretch, length, stuck, settled = _stays(map.numeric, x0, steps, delta, blowup, progress)
    if settled.sum() > n / 100:
        raise InvalidArgumentError(
            f"{int(settled.sum())} of {n} starts settle on a fixed point within {steps} steps:"
            " the convergent set has positive measure here (is eta below eta*?), or the escape"
            " is too slow to see in this many steps (raise steps)")
    if stuck.sum() > n / 100:
        raise InvalidArgumentError(
            f"{int(stuck.sum())} of {n} starts still move by up to delta = {delta:g} per step at"
            " the end without settling: an attracting cycle or chaotic set moves less than"
            " delta per step. Lower delta below its step length")
    # w_k = delta * 10**(-k/8): a start whose best stay stretched by exp(s) is within
    # about delta * exp(-s) of the convergent set
    k = np.arange(8 * 16 + 1)
    widths = delta * 10.0 ** (-k / 8)
    counts = (stretch[None, :] >= np.log(delta / widths)[:, None]).sum(axis=1)
    i, j = _fit_window(counts, n)
    if j - i < 3:
        raise InvalidArgumentError(
            f"too few starts come close to the convergent set to fit its dimension ({int(counts[1])}"
            f" of {n} within {widths[1]:.2g}, at least 30 needed over 3 widths): raise starts or steps,"
            " or check that the region meets the convergent set")
    codim, codim_se = _slope(np.log(widths[i:j]), counts[i:j])
    close = stretch >= np.log(delta / widths[j - 1]) - 1e-12
    lam = float(stretch[close].sum() / max(1, length[close].sum()))
    # box count of the starts within the widest width that has at most 2000 of them,
    # over boxes wider than that width, where the starts trace S rather than fill a band
    b = max(i, int(np.argmax(counts <= 2000)))
    near_set = x0[stretch >= np.log(delta / widths[b]) - 1e-12]
    box_sizes, box_counts, box_dim = _box_count(near_set, R, 2 * widths[b])
    return SetDimension(d, d - codim, codim_se, box_dim, lam, widths, counts, (int(i), int(j)),
                        box_sizes, box_counts, n, steps, float(delta), seed,
                        map.numeric.eta)


def _stays(numeric, x0, steps, delta, blowup, progress):
    """Per start: the largest log-stretch of a tangent vector over one stay (a run of
    steps that each move the point by at most delta), that stay's length, and whether the
    start was still staying at the end, moving by more than delta / 100 (stuck on a
    cycle) or by at most delta / 10**4 (settled on a fixed point)."""
    n, d = x0.shape
    batch = Batch([np.ascontiguousarray(c) for c in x0.T],
                  lambda rows, k: advance(numeric.step_rows, rows, k))
    run = np.zeros(n, dtype=np.int64)
    acc = np.zeros(n)
    V = np.zeros((n, d))
    best = np.zeros(n)
    best_len = np.zeros(n, dtype=np.int64)
    stuck = np.zeros(n, dtype=bool)
    settled = np.zeros(n, dtype=bool)
    d2 = delta * delta
    with np.errstate(all="ignore"):
        with bar(progress, total=steps, desc="dimension", unit="step") as shown:
            for t in range(steps):
                shown.update(1)
                S, alive = batch.rows, batch.ids
                batch.advance(1)
                move2 = sum_squares([a - b for a, b in zip(batch.broadcast(), S)])
                near = move2 <= d2
                idx = alive[near]
                fresh = idx[run[idx] == 0]  # a stay starts: a new tangent vector
                V[fresh] = 1 / np.sqrt(d)
                acc[fresh] = 0.0
                if idx.size:  # the Jacobian only where points stay: few, after the transient
                    X = np.stack([r[near] for r in S], axis=1)
                    w = np.einsum("nij,nj->ni", numeric.jacobian(X), V[idx])
                    g = np.linalg.norm(w, axis=1)
                    g = np.where(np.isfinite(g) & (g > 0), g, 1.0)
                    V[idx] = w / g[:, None]
                    acc[idx] += np.log(g)
                    run[idx] += 1
                    better = acc[idx] > best[idx]
                    best[idx[better]] = acc[idx[better]]
                    best_len[idx[better]] = run[idx[better]]
                run[alive[~near]] = 0
                if t == steps - 1:
                    stuck[idx] = move2[near] > d2 * 1e-4
                    settled[idx] = move2[near] <= d2 * 1e-8
                batch.drop_escaped(blowup)
                if not batch.size:
                    break
    return best, best_len, stuck, settled


def _fit_window(surv, n):
    """``[i, j)``: past the first stays (transients), while enough starts remain."""
    hi = surv <= n / 10
    i = int(np.argmax(hi)) if hi.any() else len(surv)
    ok = surv >= 30
    j = int(len(surv) - np.argmax(ok[::-1])) if ok.any() else 0
    return i, max(i, j)


def _slope(m, counts):
    """Weighted least-squares slope of log(counts) against m, and its standard error."""
    y = np.log(counts)
    w = counts.astype(float)  # var(log k) ~ 1/k
    A = np.stack([np.ones_like(m, dtype=float), m.astype(float)], axis=1)
    Aw = A * w[:, None]
    cov = np.linalg.inv(A.T @ Aw)
    coef = cov @ (Aw.T @ y)
    resid = y - A @ coef
    dof = max(1, len(m) - 2)
    s2 = float((w * resid**2).sum() / dof)
    return float(coef[1]), float(np.sqrt(max(s2, 1.0) * cov[1, 1]))


def _box_count(P, R, finest):
    """Occupied boxes of side s (relative to the region) for s from 1/2 down to where a
    box is ``finest`` wide or holds 4 points on average; the slope over the smaller ones."""
    side = R[:, 1] - R[:, 0]
    U = (P - R[:, 0]) / side
    sizes, counts = [], []
    for k in range(1, 16):
        s = 2.0**-k
        if s * side.min() < finest:
            break
        c = len(np.unique(np.minimum(np.floor(U / s), 2**k - 1).astype(np.int64), axis=0))
        if c > len(P) / 4:
            break
        sizes.append(s)
        counts.append(c)
    sizes, counts = np.array(sizes), np.array(counts)
    if len(sizes) < 4:
        return sizes, counts, None
    slope = np.polyfit(np.log(1 / sizes[1:]), np.log(counts[1:]), 1)[0]
    return sizes, counts, float(slope)
