"""Lyapunov spectra: every exponent of many orbits at once, by repeated QR.

The tangent dynamics of ``N`` orbits are stepped together: one batch of points, one
``(N, d, d)`` stack of Jacobians and one batched QR factorization per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.core.gd import at_step
from gdmaps.core.batch import advance, escaped
from gdmaps.core.map import require_bound
from gdmaps.core.errors import InvalidArgumentError, check_finite_array, check_int, check_positive_finite
from gdmaps.core.family import BackpropRows, Family
from gdmaps.core.executor import executor, spans
from gdmaps.core.progress import bar, wanted
from gdmaps.core.results import Result

__all__ = ["LyapunovSpectrum", "lyapunov_spectrum"]

#: Steps between divergence checks.
_CHECK_EVERY = 100
#: The last steps of the transient also turn the tangent frame (d > 1).
_WARM_UP = 200


@dataclass(frozen=True, eq=False)
class LyapunovSpectrum(Result):
    """The Lyapunov exponents of ``N`` orbits, with their statistical error.

    Attributes
    ----------
    exponents : ndarray (N, d)
        Per orbit, in descending order (natural log, per step); NaN for diverged orbits.
    stderr : ndarray (N, d)
        Standard error of each exponent: the standard deviation of its ``blocks`` block
        means over ``sqrt(blocks)``.
    converged : ndarray (N,) of bool
        Every exponent has ``stderr < tol``.
    diverged : ndarray (N,) of bool
        The orbit left ``|x| <= blowup`` or stopped being finite.
    history : ndarray (N, blocks, d)
        The running estimates at the end of each block.
    steps, transient : int
    values : ndarray (N,) or None
        The parameter value of each orbit, when a parameter was varied.
    tol : float
    """

    exponents: np.ndarray
    stderr: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    history: np.ndarray
    steps: int
    transient: int
    values: np.ndarray | None
    tol: float

    @property
    def largest(self) -> np.ndarray:
        """The largest exponent of each orbit, shape (N,)."""
        return self.exponents[:, 0]

    @property
    def chaotic(self) -> np.ndarray:
        """Orbits whose largest exponent is positive beyond noise: above 1e-3 and above three
        standard errors, shape (N,). A quasi-periodic orbit (exponent 0) is not chaotic."""
        lam, err = self.largest, self.stderr[:, 0]
        with np.errstate(invalid="ignore"):
            return np.isfinite(lam) & (lam > np.maximum(1e-3, 3 * np.nan_to_num(err, nan=np.inf)))

    def to_dict(self) -> dict:
        """Plain lists for JSON; NaN (diverged orbits) becomes ``None``."""
        def clean(a):
            a = np.asarray(a, dtype=float)
            out = a.astype(object)
            out[np.isnan(a)] = None
            return out.tolist()
        return {"exponents": clean(self.exponents), "stderr": clean(self.stderr),
                "converged": self.converged.tolist(), "diverged": self.diverged.tolist(),
                "history": clean(self.history), "steps": self.steps, "transient": self.transient,
                "values": None if self.values is None else self.values.tolist(), "tol": self.tol}

    def __repr__(self) -> str:
        N, d = self.exponents.shape
        if N == 1:
            if self.diverged[0]:
                return f"<LyapunovSpectrum: the orbit diverged (steps {self.steps})>"
            exps = ", ".join(f"{e:.4f}" for e in self.exponents[0])
            err = float(self.stderr[0].max())
            verdict = (f"converged: stderr {_sci(err)} < {_sci(self.tol)}" if self.converged[0]
                       else f"not converged: stderr {_sci(err)} >= {_sci(self.tol)}, run more steps")
            return f"<LyapunovSpectrum: exponents {exps} over {self.steps} steps; {verdict}>"
        ok = ~self.diverged
        span = (f"largest exponent from {np.min(self.largest[ok]):.3g} to {np.max(self.largest[ok]):.3g}"
                if ok.any() else "no bounded orbit")
        return (f"<LyapunovSpectrum: {N} orbits in {d}-D, {span} over {self.steps} steps;"
                f" {int(self.converged.sum())} converged (stderr < {_sci(self.tol)}),"
                f" {int(self.diverged.sum())} diverged>")


def _sci(x) -> str:
    """``2e-4``: one significant digit, short exponent."""
    m, e = f"{x:.0e}".split("e")
    return f"{m}e{int(e)}"


def _inputs(map, x0, parameter, values):
    """The kernel call, the starts (N, d) and the per-orbit parameter values."""
    if (parameter is None) != (values is None):
        given = "None" if values is None else "an array"
        raise InvalidArgumentError("parameter and values go together: give both or neither, got"
                                   f" parameter={parameter!r} and values={given}")
    if parameter is None:
        require_bound(map, "lyapunov_spectrum")
        num = map.numeric
        d, kernel, args = num.dim, num.kernel, list(num.values)
        if kernel is None and not getattr(map, "symbolic", True):  # a network by backprop
            kernel = BackpropRows(num)
        vals = p = None
    else:
        fam = Family(map, parameter)
        d, kernel = fam.dim, fam.kernel
        vals = check_finite_array("values", values, ndim=1)
        if vals.size == 0:
            raise InvalidArgumentError("values must hold at least one parameter value, got none")
        args, p = fam._args, vals
    X = check_finite_array("x0", x0)
    if X.ndim == 1 and X.shape == (d,):
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != d:
        raise InvalidArgumentError(f"x0 must have shape ({d},) or (N, {d}), got {X.shape}")
    if vals is not None:
        if X.shape[0] not in (1, vals.size):
            raise InvalidArgumentError(
                f"x0 has {X.shape[0]} starts but values has {vals.size}: give one start or one per value")
        X = np.broadcast_to(X, (vals.size, d))
    call_args = args if p is None else args(p)
    return kernel, call_args, np.ascontiguousarray(X), vals


def lyapunov_spectrum(map, x0, steps, *, eta=None, transient=1000, parameter=None, values=None, blocks=10,
                      tol=1e-3, blowup=1e8, progress=None, workers=None, chunk=None) -> LyapunovSpectrum:
    """All ``d`` Lyapunov exponents of the orbits of ``x0``, by the QR method.

    Parameters
    ----------
    map : Map or GDMap
        With its parameters bound, except ``parameter`` when ``values`` are given.
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
    x0 : array (d,) or (N, d)
        The starts, one orbit each.
    steps : int
        Steps averaged over, after the transient; at least ``blocks``.
    transient : int, keyword-only
        Steps discarded first, so the orbit reaches its attractor.
    parameter : str or SymPy symbol, keyword-only
        With ``values`` (N,): orbit ``i`` runs at ``values[i]`` (a single start ``x0`` is
        used for every value).
    values : array (N,), keyword-only
    blocks : int, keyword-only
        The run is cut into this many blocks (at least 2); the spread of the block means
        gives ``stderr``.
    tol : float, keyword-only
        An orbit has converged when every exponent has ``stderr < tol``.
    blowup : float, keyword-only
        An orbit with a coordinate beyond ``blowup`` in modulus, or not finite, has
        diverged (checked every 100 steps); its exponents are NaN.
    progress : bool or None, keyword-only
        A progress bar on stderr (None: when stderr is a terminal and the call lasts over 2 s).
    workers : None, int, str or dask.distributed.Client, keyword-only
        Where the orbits run: this process (None), a LocalCluster of N workers, or a Dask
        cluster by scheduler address or Client (see :func:`gdmaps.core.executor.executor`).
        Orbits (starts, or parameter values) are cut into tasks; the result is the same.
    chunk : int, keyword-only
        Orbits per task (default: all here; about 4 tasks per worker on a cluster).

    Returns
    -------
    LyapunovSpectrum

    Notes
    -----
    Benettin et al., Meccanica 15, 9-30 (1980); Shimada & Nagashima, Prog. Theor. Phys.
    61, 1605-1616 (1979). With ``Q_0 = I`` and ``J_k = Df(x_k)``, each step factors
    ``J_k Q_k = Q_{k+1} R_k`` with ``diag(R_k) > 0``; then

        lambda_i = (1 / n) sum_k log R_k[i, i].

    The exponents sum to the orbit average of ``log |det Df|`` (``Q_k`` is orthogonal).
    The frame is already turned during the last 200 steps of the transient (d > 1), so
    that its first steps, before ``Q_k`` aligns with the Lyapunov directions, are not
    averaged in (an O(1/n) bias otherwise). ``d = 1`` needs no frame:
    ``lambda = (1/n) sum_k log |f'(x_k)|``.

    Examples
    --------
    >>> from gdmaps.maps import henon, logistic
    >>> lyapunov_spectrum(logistic(4.0), [0.1234], 20000, blocks=5, tol=0.01)
    <LyapunovSpectrum: exponents 0.6930 over 20000 steps; converged: stderr 3e-4 < 1e-2>
    >>> s = lyapunov_spectrum(henon(), [0.1, 0.1], 20000, tol=0.01)
    >>> round(float(s.exponents.sum()), 6)  # log |det J| = log 0.3
    -1.203973
    """
    map = at_step(map, eta)
    steps = check_int("steps", steps, minimum=1)
    blocks = check_int("blocks", blocks, minimum=2)
    if steps < blocks:
        raise InvalidArgumentError(f"steps must be >= blocks ({blocks}), got {steps}")
    transient = check_int("transient", transient, minimum=0)
    tol = check_positive_finite("tol", tol)
    blowup = check_positive_finite("blowup", blowup)
    kernel, args, X, vals = _inputs(map, x0, parameter, values)
    if workers is not None or chunk is not None:
        knobs = dict(steps=steps, transient=transient, parameter=parameter, blocks=blocks, tol=tol,
                     blowup=blowup)
        return _on_executor(map, X, vals, knobs, workers, chunk, progress)
    N, d = X.shape
    f, jf = kernel.rows, kernel.jacobian_rows
    rows = [X[:, c].copy() for c in range(d)]
    diverged = np.zeros(N, dtype=bool)

    def check(rows):
        diverged[escaped([np.broadcast_to(r, (N,)) for r in rows], blowup, norm="max")[0]] = True

    def steps_of(rows):
        return f(*rows, *args)

    J = np.empty((d * d, N))
    ii = np.arange(d)

    def tangent(rows, Q):
        """One step of the orbit and of its tangent frame: the new rows, Q and log diag(R)."""
        for i, e in enumerate(jf(*rows, *args)):
            J[i] = e
        rows = f(*rows, *args)
        if d == 1:
            return rows, Q, np.log(np.abs(J.T))
        Q, R = np.linalg.qr(J.T.reshape(N, d, d) @ Q)
        diag = R[:, ii, ii]
        Q *= np.where(diag < 0, -1.0, 1.0)[:, None, :]
        return rows, Q, np.log(np.abs(diag))

    Q = np.broadcast_to(np.eye(d), (N, d, d)).copy()
    warm = 0 if d == 1 else min(transient, _WARM_UP)
    with np.errstate(all="ignore"):
        done = 0
        while done < transient - warm:
            k = min(_CHECK_EVERY, transient - warm - done)
            rows = advance(steps_of, rows, k)
            done += k
            check(rows)
        for _ in range(warm):  # align the frame with the expanding directions first
            rows, Q, _ = tangent(rows, Q)
        check(rows)
        lengths = np.diff(np.linspace(0, steps, blocks + 1).round().astype(int))
        means = np.empty((N, blocks, d))
        with bar(progress, total=blocks, desc="lyapunov", unit="block") as shown:
            for b, length in enumerate(lengths):
                acc = np.zeros((N, d))
                for k in range(length):
                    rows, Q, logs = tangent(rows, Q)
                    acc += logs
                    if k % _CHECK_EVERY == _CHECK_EVERY - 1:
                        check(rows)
                check(rows)
                means[:, b] = acc / length
                shown.update(1)
        means[diverged] = 0.0  # masked below
        history = np.cumsum(means * lengths[None, :, None], axis=1) / np.cumsum(lengths)[None, :, None]
        exps = history[:, -1]
        stderr = means.std(axis=1, ddof=1) / np.sqrt(blocks)
    order = np.argsort(-np.nan_to_num(exps, nan=-np.inf), axis=1, kind="stable")
    exps = np.take_along_axis(exps, order, axis=1)
    stderr = np.take_along_axis(stderr, order, axis=1)
    history = np.take_along_axis(history, order[:, None, :], axis=2)
    for a in (exps, stderr, history):
        a[diverged] = np.nan
    converged = ~diverged & np.all(stderr < tol, axis=1)
    return LyapunovSpectrum(exps, stderr, converged, diverged, history, steps, transient, vals, tol)


def _on_executor(map, X, vals, knobs, workers, chunk, progress) -> LyapunovSpectrum:
    """The orbits cut into chunks run as tasks (each one the serial path), joined in order."""
    N = X.shape[0]
    with executor(workers, progress=wanted(progress)) as ex:
        if chunk is None:
            chunk = N if not ex.distributed else -(-N // (4 * ex.workers))
        pieces = spans(N, check_int("chunk", chunk, minimum=1))
        items = [(X[lo:hi], None if vals is None else vals[lo:hi], knobs) for lo, hi in pieces]
        parts = [None] * len(pieces)
        with bar(progress, total=N, desc="lyapunov", unit="orbit") as shown:
            for i, part in ex.run(_chunk, items, shared=map, name="lyapunov"):
                parts[i] = part
                shown.update(pieces[i][1] - pieces[i][0])
    first = parts[0]
    join = {k: np.concatenate([getattr(p, k) for p in parts])
            for k in ("exponents", "stderr", "converged", "diverged", "history")}
    return LyapunovSpectrum(**join, steps=first.steps, transient=first.transient,
                            values=None if vals is None else vals, tol=first.tol)


def _chunk(map, item) -> LyapunovSpectrum:
    X, vals, knobs = item
    knobs = dict(knobs)
    steps = knobs.pop("steps")
    if vals is None:
        knobs.pop("parameter")
    return lyapunov_spectrum(map, X, steps, values=vals, progress=False, **knobs)
