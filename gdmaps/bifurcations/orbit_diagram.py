"""Orbit diagrams: where the orbits of a one-parameter family settle, value by value.

Every parameter value and every start are stepped together: one transposed batch of
``P * starts`` orbits with a parameter value per orbit (:class:`gdmaps.core.family.Family`),
so a diagram of thousands of values costs one numpy loop over the steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.core.batch import Batch
from gdmaps.core.errors import InvalidArgumentError, check_finite_array, check_int, check_positive_finite
from gdmaps.core.family import Family
from gdmaps.core.samplers import search_box
from gdmaps.core.executor import executor, spans
from gdmaps.core.progress import bar, wanted
from gdmaps.core.results import Result

__all__ = ["OrbitDiagram", "orbit_diagram"]

#: Steps between divergence checks; diverged orbits leave the batch at a check.
_CHECK_EVERY = 100
#: Orbits stepped together: their rows stay in cache across steps, and the batch-sized
#: temporaries a large batch would allocate and page-fault in at every step are avoided
#: (3-4x faster on GD maps whose step SymPy prints as ``-eta*x*(...) + x``).
_CHUNK = 65536


@dataclass(frozen=True, eq=False)
class OrbitDiagram(Result):
    """The last ``keep`` iterates of every start at every parameter value.

    Attributes
    ----------
    parameter : str
        The name of the parameter varied.
    values : ndarray (P,)
        The parameter values.
    points : ndarray (P, M, d)
        ``M = starts * keep`` points per value: ``points[i, j * keep + k]`` is iterate
        ``transient + 1 + k`` of start ``j`` at ``values[i]``; NaN where the orbit diverged.
    diverged : ndarray (P, starts) of bool
        Orbits that left ``|x_k| <= blowup`` or stopped being finite.
    transient, keep, seed : int
    state_names : tuple of str
        Names of the map's state variables (for axis labels).
    """

    parameter: str
    values: np.ndarray
    points: np.ndarray
    diverged: np.ndarray
    transient: int
    keep: int
    seed: int
    state_names: tuple = ()

    @property
    def starts(self) -> int:
        return self.diverged.shape[1]

    def to_dict(self) -> dict:
        """Plain lists for JSON; diverged points are ``None``."""
        pts = self.points.astype(object)
        pts[np.isnan(self.points)] = None
        return {"parameter": self.parameter, "values": self.values.tolist(), "points": pts.tolist(),
                "diverged": self.diverged.tolist(), "transient": self.transient, "keep": self.keep,
                "seed": self.seed}

    def __repr__(self) -> str:
        P, n = self.diverged.shape
        lo, hi = (self.values.min(), self.values.max()) if P else (np.nan, np.nan)
        return (f"<OrbitDiagram: {n} starts at each of {P} values of {self.parameter} in [{lo:g}, {hi:g}],"
                f" the last {self.keep} of {self.transient + self.keep} iterates kept;"
                f" {int(self.diverged.sum())} of {P * n} diverged>")


def _starts(x0, starts, region, seed, d):
    if x0 is None:
        n = 100 if starts is None else check_int("starts", starts, minimum=1)
        R = search_box(region, d)
        rng = np.random.default_rng(seed)
        return R[:, 0] + (R[:, 1] - R[:, 0]) * rng.random((n, d))
    if region is not None:
        raise InvalidArgumentError("region is used only for random starts; got both x0 and region")
    X = check_finite_array("x0", x0)
    if X.ndim == 1 and X.shape == (d,):
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != d:
        raise InvalidArgumentError(f"x0 must have shape ({d},) or (starts, {d}), got {X.shape}")
    if starts is not None and check_int("starts", starts, minimum=1) != X.shape[0]:
        raise InvalidArgumentError(
            f"starts={starts} does not match the {X.shape[0]} starts in x0; leave starts out")
    return X


def _run(fam, S, p, transient, keep, blowup, out, diverged):
    """Step the orbits of ``S`` (d, n) at ``p``; fill ``out`` (n, keep, d) and ``diverged`` (n,)."""
    d = S.shape[0]
    batch = Batch(list(S), lambda rows, k, p: fam.advance_rows(rows, p, k), carry=(p,))
    done = 0
    while done < transient and batch.size:
        k = min(_CHECK_EVERY, transient - done)
        batch.advance(k)
        done += k
        diverged[batch.drop_escaped(blowup, norm="max")] = True
    for k in range(keep):
        if not batch.size:
            break
        batch.advance(1)
        diverged[batch.drop_escaped(blowup, norm="max")] = True
        for c in range(d):
            out[batch.ids, k, c] = batch.rows[c]


def orbit_diagram(map, parameter, values, *, x0=None, starts=None, transient=1000, keep=1,
                  region=None, seed=0, blowup=1e8, progress=None, workers=None, chunk=None) -> OrbitDiagram:
    """The orbit (bifurcation) diagram of ``map`` as ``parameter`` runs over ``values``.

    Parameters
    ----------
    map : Map or GDMap
        Every parameter other than ``parameter`` bound.
    parameter : str or SymPy symbol
        The parameter varied: ``"eta"`` for the step size of a GD map.
    values : array (P,)
        Finite parameter values.
    x0 : array (d,) or (starts, d), keyword-only
        The starts, the same at every value. Default: ``starts`` uniform random starts
        in ``region`` (seeded by ``seed``, the same starts at every value).
    starts : int, keyword-only
        The number of random starts (default 100); with ``x0`` given it is ``len(x0)``.
    transient : int, keyword-only
        Steps discarded before recording.
    keep : int, keyword-only
        Iterates recorded per start after the transient.
    region : array (d, 2), keyword-only
        The box of the random starts. Default: ``[-1, 1]^d`` around the origin, where GD
        initializations live; for the logistic map pass ``region=[0, 1]``.
    seed : int, keyword-only
    blowup : float, keyword-only
        An orbit with a coordinate beyond ``blowup`` in modulus (checked every 100 steps
        and at every recorded iterate), or not finite, has diverged.
    progress : bool or None, keyword-only
        A progress bar on stderr (None: when stderr is a terminal and the call lasts over 2 s).
    workers : None, int, str or dask.distributed.Client, keyword-only
        Where the orbits run: this process (None), a LocalCluster of N workers, or a Dask
        cluster by scheduler address or Client (see :func:`gdmaps.core.executor.executor`).
        The values are cut into tasks, all with the same starts; the diagram is the same.
    chunk : int, keyword-only
        Parameter values per task (default: all here; about 4 tasks per worker on a cluster).

    Returns
    -------
    OrbitDiagram

    Notes
    -----
    Records ``x_{T+1}, ..., x_{T+keep}`` of ``x_{k+1} = f(x_k; p)`` with ``T = transient``
    for every start ``x_0`` and every ``p`` in ``values``. Diverged orbits leave the batch
    at the next check and their points are NaN; no warnings are raised.

    Examples
    --------
    >>> import numpy as np
    >>> from gdmaps.maps import logistic
    >>> d = orbit_diagram(logistic(3.0), "r", [2.8, 3.2], starts=5, region=[0, 1])
    >>> d
    <OrbitDiagram: 5 starts at each of 2 values of r in [2.8, 3.2], the last 1 of 1001 iterates kept;
    0 of 10 diverged>
    >>> np.round(np.unique(d.points[0].round(9)), 6)  # the fixed point 1 - 1/r
    array([0.642857])
    >>> np.round(np.unique(d.points[1].round(9)), 6)  # the period-2 orbit
    array([0.513045, 0.799455])
    """
    fam = Family(map, parameter)
    d = fam.dim
    vals = check_finite_array("values", values)
    if vals.ndim == 0:
        vals = vals[None]
    if vals.ndim != 1 or vals.size == 0:
        raise InvalidArgumentError(f"values must be a non-empty 1-D array, got shape {vals.shape}")
    transient = check_int("transient", transient, minimum=0)
    keep = check_int("keep", keep, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    blowup = check_positive_finite("blowup", blowup)
    X = _starts(x0, starts, region, seed, d)
    if workers is not None or chunk is not None:
        out, diverged = _on_executor(fam, X, vals, (transient, keep, blowup), workers, chunk, progress)
    else:
        out, diverged = _points(fam, X, vals, transient, keep, blowup, progress)
    name = fam.parameter.name
    return OrbitDiagram(name, vals, out, diverged, transient, keep, seed, tuple(str(v) for v in map.state))


def _points(fam, X, vals, transient, keep, blowup, progress):
    """points (P, n * keep, d) and diverged (P, n) of the starts ``X`` at every value of ``vals``."""
    d, n, P = fam.dim, X.shape[0], vals.size
    N = P * n
    # one batch: orbit i * n + j is start j at values[i], run in cache-sized chunks
    p = np.repeat(vals, n)
    S = np.stack([np.tile(X[:, c], P) for c in range(d)])
    out = np.full((N, keep, d), np.nan)
    diverged = np.zeros(N, dtype=bool)
    with bar(progress, total=N, desc="orbit diagram", unit="orbit") as shown:
        for lo in range(0, N, _CHUNK):
            hi = min(lo + _CHUNK, N)
            _run(fam, S[:, lo:hi], p[lo:hi], transient, keep, blowup, out[lo:hi], diverged[lo:hi])
            shown.update(hi - lo)
    out[diverged] = np.nan
    return out.reshape(P, n * keep, d), diverged.reshape(P, n)


def _on_executor(fam, X, vals, knobs, workers, chunk, progress):
    """The values cut into chunks, each one task of :func:`_points`, joined in order."""
    P = vals.size
    with executor(workers, progress=wanted(progress)) as ex:
        if chunk is None:
            chunk = P if not ex.distributed else -(-P // (4 * ex.workers))
        pieces = spans(P, check_int("chunk", chunk, minimum=1))
        parts = [None] * len(pieces)
        with bar(progress, total=P, desc="orbit diagram", unit="value") as shown:
            for i, part in ex.run(_chunk, [(X, vals[lo:hi], knobs) for lo, hi in pieces], shared=fam,
                                  name="orbit-diagram"):
                parts[i] = part
                shown.update(pieces[i][1] - pieces[i][0])
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _chunk(fam, item):
    X, vals, (transient, keep, blowup) = item
    return _points(fam, X, vals, transient, keep, blowup, False)
