"""Sweeps over the step size, written row by row so an interrupted sweep resumes."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdmaps.convergence import ConvergentFraction, convergent_fraction
from gdmaps.errors import InvalidArgumentError, InvalidTypeError, check_positive_finite
from gdmaps.gd import GDMap

__all__ = ["Sweep", "sweep"]


@dataclass(frozen=True, repr=False)
class Sweep:
    """Convergent fractions over a grid of step sizes, in grid order."""

    rows: tuple
    path: Path | None
    eta_star: float | None = None

    @property
    def etas(self) -> np.ndarray:
        return np.array([r.eta for r in self.rows])

    @property
    def fractions(self) -> np.ndarray:
        return np.array([r.fraction for r in self.rows])

    def __repr__(self) -> str:
        return f"<Sweep: {len(self.rows)} step sizes from {self.etas.min():g} to {self.etas.max():g}>"


def _row_from_dict(d) -> ConvergentFraction:
    counts = {k: d[k] for k in ("moving", "converged", "diverged")}
    return ConvergentFraction(d["eta"], d["n"], d["steps"], d["seed"], d["sampler"], counts,
                              d["fraction"], (d["ci_low"], d["ci_high"]), d["grad_norm_quantiles"],
                              d["upper95"], d.get("to_global_minimum"))


def _read(path: Path, header: dict) -> dict:
    """Rows already done, by eta; a torn last line (a kill mid-write) is dropped."""
    lines = path.read_text().splitlines()
    good, done = [], {}
    for i, line in enumerate(lines):
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break  # written half when the sweep was killed
            raise InvalidArgumentError(f"path {path} is not a gdmaps sweep file (line {i + 1})") from None
        if i == 0:
            if d != header:
                raise InvalidArgumentError(
                    f"path {path} holds a sweep with other settings ({d}); remove it or choose"
                    " another path to start a new sweep")
        else:
            done[repr(float(d["eta"]))] = _row_from_dict(d)
        good.append(line)
    if len(good) != len(lines):
        path.write_text("".join(line + "\n" for line in good))
    return done


def _append(path: Path, record: dict) -> None:
    with path.open("a") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()
        os.fsync(f.fileno())


def sweep(map, etas, *, path=None, progress=True, on_row=None, eta_star=None, n=10_000,
          steps=1000, seed=0, sampler="normal", scale=1.0, center=0.0, tol=1e-9,
          backend="auto") -> Sweep:
    """Convergent fraction and asymptotic gradient norm at every step size of ``etas``.

    Parameters
    ----------
    map : GDMap
    etas : sequence of positive floats
    path : str or Path, keyword-only
        A JSON-lines file: a header with the settings, then one row per finished eta.
        If it exists with the same settings, the etas already there are skipped, so
        a killed sweep resumes where it stopped and loses nothing done.
    progress : bool, keyword-only
        A line per eta on stderr.
    on_row : callable, keyword-only
        Called with each new row (a ConvergentFraction) after it is saved.
    eta_star : float, keyword-only
        The critical learning rate, kept for figures.
    n, steps, seed, sampler, scale, center, tol, backend : keyword-only
        As in :func:`convergent_fraction`; every eta uses the same initializations.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> s = sweep(GDMap((a*b - 1)**2 / 2, [a, b]), [0.5, 1.5], n=500, progress=False)
    >>> [r.counts["converged"] > 0 for r in s.rows]
    [True, False]
    """
    if not isinstance(map, GDMap):
        raise InvalidTypeError(f"map must be a GDMap, got {type(map).__name__}")
    etas = [check_positive_finite("etas", e) for e in np.atleast_1d(etas)]
    if not etas:
        raise InvalidArgumentError("etas must hold at least one step size")
    settings = dict(n=n, steps=steps, seed=seed, sampler=sampler, scale=scale, center=center, tol=tol)
    header = {"gdmaps_sweep": 1, "loss": str(map.loss), "state": [str(s) for s in map.state],
              **settings}
    done = {}
    if path is not None:
        path = Path(path)
        if path.exists():
            done = _read(path, header)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            _append(path, header)
    rows = []
    for i, eta in enumerate(etas, 1):
        key = repr(float(eta))
        if key in done:
            rows.append(done[key])
            continue
        t = time.perf_counter()
        row = convergent_fraction(map, eta=eta, backend=backend, **settings)
        if path is not None:
            _append(path, row.to_dict())
        if progress:
            print(f"sweep: eta {i}/{len(etas)} = {eta:g}: {row.counts['converged']}/{n} converged"
                  f" ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
        if on_row is not None:
            on_row(row)
        rows.append(row)
    return Sweep(tuple(rows), path, eta_star)
