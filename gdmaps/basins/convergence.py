"""How often gradient descent converges: Monte Carlo fractions with exact binomial intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import beta

from gdmaps.core.errors import InvalidArgumentError, check_int
from gdmaps.core.executor import executor, seeded_rows, spans
from gdmaps.core.gd import GDMap, at_step
from gdmaps.basins.iterate import Fate, _pick_engine, iterate
from gdmaps.core.progress import bar, wanted
from gdmaps.core.samplers import NETWORK_INITS, network_init, sample
from gdmaps.core.results import Result

__all__ = ["ConvergentFraction", "convergent_fraction", "clopper_pearson", "upper_bound"]


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval for a binomial proportion k/n.

    Examples
    --------
    >>> lo, hi = clopper_pearson(0, 1000)
    >>> lo, round(hi, 5)  # the rule of three: about 3/n
    (0.0, 0.00368)

    Notes
    -----
    lo = B^{-1}(alpha/2; k, n - k + 1), hi = B^{-1}(1 - alpha/2; k + 1, n - k), with B the
    Beta distribution function (Clopper & Pearson 1934).
    """
    if not 0 <= k <= n or n < 1:
        raise InvalidArgumentError(f"clopper_pearson needs 0 <= k <= n and n >= 1, got k={k}, n={n}")
    alpha = 1 - level
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def upper_bound(k: int, n: int, level: float = 0.95) -> float:
    """The exact one-sided upper confidence bound for k/n: P(X <= k | p) = 1 - level.

    Examples
    --------
    >>> round(upper_bound(0, 1000) * 1000, 3)  # the rule of three
    2.991
    """
    if not 0 <= k <= n or n < 1:
        raise InvalidArgumentError(f"upper_bound needs 0 <= k <= n and n >= 1, got k={k}, n={n}")
    return 1.0 if k == n else float(beta.ppf(level, k + 1, n - k))


@dataclass(frozen=True, repr=False, eq=False)
class ConvergentFraction(Result):
    """A Monte Carlo estimate of P(GD converges), with an exact 95% interval.

    Attributes
    ----------
    eta : float or None
    starts, steps, seed : the run
    init : str
    counts : dict of fate name -> count
        Every :class:`~gdmaps.basins.iterate.Fate` (moving, converged, diverged, unstable).
    fraction : float
        Share of converged orbits: stopped at a point that is not linearly unstable (orbits
        stalled at an unstable point count as not converged).
    interval : (float, float)
        Clopper-Pearson 95% interval of the convergent probability.
    upper : float
        One-sided 95% upper bound (at most 3/n when nothing converged).
    to_global_minimum : int or None
        Converged orbits whose loss is within ``loss_tol`` (default 1e-8, relative to
        ``max(1, |loss_min|)``) of ``loss_min``, when it was given.
    rule : str
        The stopping test of the run, in words (see :func:`gdmaps.basins.iterate`).
    grad_norm_quantiles : dict or None
        Quantiles (5, 25, 50, 75, 95 %) of the asymptotic gradient norm over the
        orbits that did not diverge (GD maps).
    """

    eta: float | None
    starts: int
    steps: int
    seed: int
    init: str
    counts: dict
    fraction: float
    interval: tuple
    grad_norm_quantiles: dict | None
    upper: float = 1.0
    to_global_minimum: int | None = None
    rule: str = ""

    def __post_init__(self):
        # every fate has a count; one missing (a row written before Fate.UNSTABLE existed, or
        # rebuilt from three counts) is what the others leave of n
        counts = {f.name.lower(): self.counts.get(f.name.lower()) for f in Fate}
        missing = [k for k, v in counts.items() if v is None]
        if missing:
            rest = self.starts - sum(v for v in counts.values() if v is not None)
            for k in missing:
                counts[k] = rest if k == missing[-1] else 0
            object.__setattr__(self, "counts", counts)

    def to_dict(self) -> dict:
        """JSON-ready: settings, a count per fate, the fraction and its bounds (not the rule)."""
        return {"eta": self.eta, "starts": self.starts, "steps": self.steps, "seed": self.seed,
                "init": self.init, **self.counts, "fraction": self.fraction,
                "ci_low": self.interval[0], "ci_high": self.interval[1], "upper95": self.upper,
                "to_global_minimum": self.to_global_minimum,
                "grad_norm_quantiles": self.grad_norm_quantiles}

    def __repr__(self) -> str:
        eta = "" if self.eta is None else f" at eta={self.eta:g}"
        unstable = self.counts.get("unstable", 0)
        unstable = f" ({unstable} stalled at unstable points)" if unstable else ""
        return (f"<ConvergentFraction{eta}: {self.counts['converged']}/{self.starts} converged{unstable},"
                f" 95% CI [{self.interval[0]:.3g}, {self.interval[1]:.3g}]>")


def convergent_fraction(map, *, eta=None, init="normal", starts=10_000, steps=1000, seed=0,
                        region=None, tol=None, backend="auto", loss_min=None,
                        loss_tol=None, grad_tol=None, disp_tol=None, stability=True,
                        stability_tol=1e-6, progress=None, workers=None, chunk=None) -> ConvergentFraction:
    """The probability that an initialization converges, estimated from ``starts`` samples.

    Parameters
    ----------
    map : Map or GDMap
    eta : float, keyword-only
        Step size for a GD map (else its own).
    init : {"normal", "uniform", "glorot", "he"}, keyword-only
        Gaussian around ``region`` or uniform in it (see :func:`gdmaps.core.samplers.sample`);
        or the Glorot / He initialization of a network model (``region`` unused).
    starts : int, keyword-only
        Number of initializations.
    region : box, number or None, keyword-only
        The search area: ``[[low, high], ...]``, r for ``[-r, r]^d``, None for ``[-1, 1]^d``.
    steps, seed, backend, progress : keyword-only
    workers : None, int, str or dask.distributed.Client, keyword-only
        Where the orbits run: this process (None), a LocalCluster of N workers, or a Dask
        cluster by scheduler address or Client (see :func:`gdmaps.core.executor.executor`).
        The result is the same either way.
    chunk : int, keyword-only
        Starts per task (default: all of them in this process; on a cluster
        :data:`CHUNK` or fewer, so that every worker gets work). The result does not
        depend on it.
    tol, grad_tol, disp_tol, stability, stability_tol : keyword-only
        The convergence rule, as in :func:`gdmaps.basins.iterate`: by default the gradient fallen
        to ``tol`` (1e-9; 1e-3 for network models) times its size at the start, at a point
        that is not linearly unstable.
    loss_min : float, keyword-only
        The global minimum value of the loss, if known (e.g. 0 for a model that can
        interpolate): converged orbits with loss within 1e-8 of it are counted.
    loss_tol : float, keyword-only
        With ``loss_min``: also stop orbits where ``L(x) - loss_min <= loss_tol`` (and count
        those within ``loss_tol`` as reaching the global minimum).

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> g = GDMap((a*b - 1)**2 / 2, [a, b])
    >>> convergent_fraction(g, eta=1.2, starts=2000)
    <ConvergentFraction at eta=1.2: 0/2000 converged, 95% CI [0, 0.00184]>

    A network: the default tolerance of network models, or a loss gap to the known minimum

    >>> from gdmaps.models import mlp
    >>> xor = mlp([[0, 0, 1, 1], [0, 1, 0, 1]], [0, 1, 1, 0], [4], "tanh", reduction="mean",
    ...           bias=True)
    >>> convergent_fraction(xor, eta=0.5, init="glorot", starts=500, steps=2000)
    <ConvergentFraction at eta=0.5: 492/500 converged (5 stalled at unstable points), 95% CI [0.969, 0.993]>
    >>> r = convergent_fraction(xor, eta=0.5, init="glorot", starts=500, steps=2000, loss_min=0,
    ...                         grad_tol=1e-9, loss_tol=1e-6)
    >>> r.rule
    '||grad L(x)|| <= 1e-09 or L(x) - 0 <= 1e-06'
    >>> r.counts["converged"], r.to_global_minimum  # at L <= 1e-6, or at a critical point
    (489, 489)
    """
    map = at_step(map, eta)
    n = check_int("starts", starts, minimum=1)
    job = dict(init=init, n=n, seed=seed, region=region, steps=steps, tol=tol, grad_tol=grad_tol,
               disp_tol=disp_tol, loss_tol=loss_tol, loss_min=loss_min, stability=stability,
               stability_tol=stability_tol, backend=backend, eta=None)
    with executor(workers, progress=wanted(progress)) as ex:
        return fraction_of(map, job, fraction_parts(ex, map, job, chunk=chunk, progress=progress))


#: Starts per task on a cluster: 0.1-1 s of work for a small map and 1000 steps, so the
#: scheduler's ~1 ms per task is lost in it (see benchmarks/README.md).
CHUNK = 16384


def resolve_backend(map, job) -> str:
    """The engine "auto" means for the whole job, decided once here (not per chunk, nor per worker)."""
    if job["backend"] != "auto":
        return job["backend"]
    if job["loss_tol"] is not None:
        return "numpy"  # the fused engine cannot test the loss
    engine = _pick_engine(at_step(map, job["eta"]), "auto", False, work=job["n"] * job["steps"])
    return "numba" if getattr(engine, "__name__", "") != "run_numpy" else "numpy"


def chunk_spans(ex, n, chunk, *, jobs=1) -> list:
    """The (lo, hi) ranges of starts per task: all in one here, else about 4 tasks per worker."""
    if chunk is None:
        if not ex.distributed:
            return [(0, n)]
        chunk = min(CHUNK, max(1024, -(-n * jobs // (4 * ex.workers))))
    return spans(n, check_int("chunk", chunk, minimum=1))


def fraction_parts(ex, map, job, *, chunk=None, progress=None):
    """The parts of one convergent fraction, run on ``ex``: a list of part dicts in start order."""
    job = dict(job, backend=resolve_backend(map, job))
    pieces = chunk_spans(ex, job["n"], chunk)
    if len(pieces) == 1 and not ex.distributed:
        return [fraction_part(map, (dict(job, progress=progress), 0, job["n"]))]
    parts = [None] * len(pieces)
    with bar(progress, total=job["n"], desc="convergent fraction", unit="start") as shown:
        for i, part in ex.run(fraction_part, [(job, lo, hi) for lo, hi in pieces], shared=map,
                              name="fraction"):
            parts[i] = part
            shown.update(pieces[i][1] - pieces[i][0])
    return parts


def fraction_part(map, item) -> dict:
    """One task: the starts ``lo:hi`` of ``job`` (seeded per block), iterated and counted."""
    job, lo, hi = item
    map = at_step(map, job["eta"])
    init, region = job["init"], job["region"]
    if init in NETWORK_INITS:
        def draw(s, m):
            return network_init(map, init, m, seed=s)
    else:
        def draw(s, m):
            return sample(init, m, map.dim, region=region, seed=s)
    x0 = seeded_rows(draw, lo, hi, seed=job["seed"])
    loss_tol, loss_min = job["loss_tol"], job["loss_min"]
    run = iterate(map, x0, job["steps"], tol=job["tol"], grad_tol=job["grad_tol"], disp_tol=job["disp_tol"],
                  loss_tol=loss_tol, loss_min=None if loss_tol is None else loss_min,
                  stability=job["stability"], stability_tol=job["stability_tol"], backend=job["backend"],
                  progress=job.get("progress", False))
    grad = None if run.eta is None else run.asymptotic_grad_norm[run.fate != Fate.DIVERGED]
    to_min = None
    if loss_min is not None and isinstance(map, GDMap):
        conv = run.fate == Fate.CONVERGED
        vals = map.numeric.loss(run.final[conv]) if conv.any() else np.array([])
        gap = 1e-8 * max(1.0, abs(float(loss_min))) if loss_tol is None else loss_tol
        to_min = int(np.sum(vals <= float(loss_min) + gap))
    return dict(counts=run.counts, grad=grad, to_min=to_min, eta=run.eta, rule=run.rule)


def fraction_of(map, job, parts) -> ConvergentFraction:
    """Combine the parts of one job (in start order) into its ConvergentFraction."""
    n, first = job["n"], parts[0]
    counts = {k: sum(p["counts"][k] for p in parts) for k in first["counts"]}
    k = counts["converged"]
    quant = None
    if first["eta"] is not None:
        g = np.concatenate([p["grad"] for p in parts])
        if g.size:
            quant = {str(q): float(v) for q, v in zip((5, 25, 50, 75, 95),
                                                      np.percentile(g, [5, 25, 50, 75, 95]))}
    to_min = None if first["to_min"] is None else sum(p["to_min"] for p in parts)
    return ConvergentFraction(first["eta"], n, job["steps"], job["seed"], job["init"], counts, k / n,
                              clopper_pearson(k, n), quant, upper_bound(k, n), to_min, first["rule"])
