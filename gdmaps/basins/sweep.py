"""Sweeps over the step size, written row by row so an interrupted sweep resumes."""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from collections import Counter
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from gdmaps.basins.convergence import ConvergentFraction, chunk_spans, fraction_of, fraction_part
from gdmaps.basins.convergence import resolve_backend
from gdmaps.core.executor import executor
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_int, check_positive_finite
from gdmaps.core.gd import GDMap
from gdmaps.core.progress import bar, wanted
from gdmaps.core.results import Result

try:  # POSIX: one sweep per file at a time
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, see the Notes of sweep
    fcntl = None

__all__ = ["Sweep", "sweep"]

_log = logging.getLogger(__name__)
_log.addHandler(logging.NullHandler())  # the library says nothing unless the application asks

_HEADER_START = b'{"gdmaps_sweep": '  # how every header written by sweep begins
_COUNTS = ("moving", "converged", "diverged")
#: Counts a row may lack: files written before the stability-checked rule have no "unstable".
_OPTIONAL_COUNTS = ("unstable",)
_NUMBERS = ("fraction", "ci_low", "ci_high", "upper95")
_ROW_KEYS = ("eta", "starts", "steps", "seed", "init", *_COUNTS, *_NUMBERS, "grad_norm_quantiles")
_FIX = "move it away or pass a new path to start a new sweep"


@dataclass(frozen=True, repr=False, eq=False)
class Sweep(Result):
    """Convergent fractions over a grid of step sizes, in grid order.

    Attributes
    ----------
    rows : tuple of ConvergentFraction
        One per step size, in the order asked for.
    path : Path or None
        The sweep file, if there is one.
    eta_star : float or None
        The critical learning rate, kept for figures.
    notes : tuple of str
        What was repaired in the sweep file on the way (a torn last line dropped, a torn
        header rewritten); empty when the file was read as it was.
    """

    rows: tuple
    path: Path | None
    eta_star: float | None = None
    notes: tuple = ()

    @property
    def etas(self) -> np.ndarray:
        return np.array([r.eta for r in self.rows])

    @property
    def fractions(self) -> np.ndarray:
        return np.array([r.fraction for r in self.rows])

    def __repr__(self) -> str:
        return f"<Sweep: {len(self.rows)} step sizes from {self.etas.min():g} to {self.etas.max():g}>"


def _upgrade(d):
    """A header or row of a 0.1 sweep file in today's names (n -> starts, sampler -> init,
    scale and center -> region); anything else as it is."""
    if not isinstance(d, dict) or not ("n" in d or "sampler" in d or "scale" in d):
        return d
    d = dict(d)
    if "n" in d:
        d["starts"] = d.pop("n")
    if "sampler" in d:
        d["init"] = d.pop("sampler")
    if "scale" in d or "center" in d:
        scale, center = d.pop("scale", 1.0), d.pop("center", 0.0)
        d["region"] = None if (scale, center) == (1.0, 0.0) else (
            scale if center == 0.0 else [[c - scale, c + scale] for c in np.atleast_1d(center).tolist()])
    if "gdmaps_sweep" in d:
        d["gdmaps_sweep"] = 2
    return d


def _row_from_dict(d) -> ConvergentFraction:
    counts = {k: d.get(k, 0) for k in (*_COUNTS, *_OPTIONAL_COUNTS)}
    return ConvergentFraction(d["eta"], d["starts"], d["steps"], d["seed"], d["init"], counts,
                              d["fraction"], (d["ci_low"], d["ci_high"]), d["grad_norm_quantiles"],
                              d["upper95"], d.get("to_global_minimum"))


def _is_int(v) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def _is_real(v) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _shorten(line: bytes, limit: int = 80) -> str:
    text = line.decode("utf-8", "replace")
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _check_header(d, line: bytes, header: dict, where: str) -> None:
    if not isinstance(d, dict) or d.get("gdmaps_sweep") != header["gdmaps_sweep"]:
        raise InvalidArgumentError(
            f"{where}: line 1 is {_shorten(line)}, not a gdmaps sweep header (expected"
            f" {{\"gdmaps_sweep\": {header['gdmaps_sweep']}, ...}}); {_FIX}")
    if d != header:
        def shown(v):  # a network's loss runs to pages: its start says which it is
            text = repr(v)
            return text if len(text) <= 120 else text[:120] + "..."

        diff = "; ".join(f"{k}: file {shown(d.get(k, '(missing)'))}, this call"
                         f" {shown(header.get(k, '(missing)'))}"
                         for k in sorted(set(d) | set(header)) if d.get(k) != header.get(k))
        raise InvalidArgumentError(
            f"{where} holds a sweep with other settings ({diff}); use the settings of the file"
            f" to resume it, or {_FIX}")


def _check_row(d, number: int, line: bytes, header: dict, where: str) -> None:
    """Raise unless ``d`` is a row that this sweep could have written."""
    def bad(what):
        return InvalidArgumentError(f"{where}: line {number} ({_shorten(line)}) {what}; {_FIX}")

    if not isinstance(d, dict):
        raise bad(f"is a JSON {type(d).__name__}, expected a row object with keys {', '.join(_ROW_KEYS)}")
    missing = [k for k in _ROW_KEYS if k not in d]
    if missing:
        raise bad(f"lacks {', '.join(missing)} (a row has keys {', '.join(_ROW_KEYS)})")
    if not _is_real(d["eta"]) or not math.isfinite(d["eta"]) or d["eta"] <= 0:
        raise bad(f"has eta {d['eta']!r}, expected a finite number > 0")
    for k in ("starts", "steps", "seed", "init"):
        if d[k] != header[k] or type(d[k]) is not type(header[k]):
            raise bad(f"has {k} {d[k]!r}, but the header says {header[k]!r}")
    names = (*_COUNTS, *(k for k in _OPTIONAL_COUNTS if k in d))
    if not all(_is_int(d[k]) and d[k] >= 0 for k in names) or sum(d[k] for k in names) != d["starts"]:
        raise bad(f"has counts {[d[k] for k in names]} ({', '.join(names)}), expected"
                  f" whole numbers >= 0 that add up to starts = {d['starts']}")
    for k in _NUMBERS:
        if not _is_real(d[k]):
            raise bad(f"has {k} {d[k]!r}, expected a number")
    if d["grad_norm_quantiles"] is not None and not isinstance(d["grad_norm_quantiles"], dict):
        raise bad(f"has grad_norm_quantiles {d['grad_norm_quantiles']!r}, expected an object or null")
    if d.get("to_global_minimum") is not None and not _is_int(d["to_global_minimum"]):
        raise bad(f"has to_global_minimum {d['to_global_minimum']!r}, expected a whole number or null")


def _scan(data: bytes, header: dict, where: str):
    """Read a sweep file's bytes: (rows done by eta, bytes to keep, repair, notes).

    ``repair`` is None (the file is fine as it is), "newline" (the last row is complete but
    lacks its newline), "truncate" (drop a torn last line) or "new" (no complete header:
    start the file again).
    """
    lines = data.split(b"\n")
    tail = lines.pop()  # what follows the last newline: b"" unless the last write was cut
    if not lines:  # no complete line: an empty file, or a header cut by a kill
        if not tail:
            return {}, 0, "new", []
        try:
            d = _upgrade(json.loads(tail))
        except ValueError:
            if tail.startswith(_HEADER_START) or _HEADER_START.startswith(tail):
                return {}, 0, "new", [f"{where}: dropped a torn header ({len(tail)} bytes, no newline)"
                                      " and wrote it again"]
            raise InvalidArgumentError(f"{where}: line 1 is {_shorten(tail)}, not a gdmaps sweep header;"
                                       f" {_FIX}") from None
        _check_header(d, tail, header, where)
        return {}, len(data), "newline", []
    try:
        d = _upgrade(json.loads(lines[0]))
    except ValueError:
        d = None
    _check_header(d, lines[0], header, where)
    done, torn = {}, None  # rows by eta, as dicts
    if tail:
        try:
            json.loads(tail)
            lines.append(tail)  # a complete row that only lacks its newline: keep it
        except ValueError:
            if tail.strip() and not tail.lstrip().startswith(b"{"):
                raise InvalidArgumentError(
                    f"{where}: the last line {len(lines) + 1} ({_shorten(tail)}) is neither a row nor"
                    f" a row cut short by a kill; {_FIX}") from None
            torn = tail
    for number, line in enumerate(lines[1:], 2):
        try:
            d = _upgrade(json.loads(line))
        except ValueError:
            raise InvalidArgumentError(
                f"{where}: line {number} ({_shorten(line)}) is not complete JSON, though a newline follows"
                f" it, so it was not cut by a kill; {_FIX}") from None
        _check_row(d, number, line, header, where)
        key = repr(float(d["eta"]))
        if key in done and json.dumps(done[key], sort_keys=True) != json.dumps(d, sort_keys=True):
            raise InvalidArgumentError(
                f"{where}: line {number} holds a second, different row for eta = {d['eta']!r}; {_FIX}")
        done.setdefault(key, d)
    if torn is not None:
        return done, len(data) - len(torn), "truncate", [
            f"{where}: dropped a torn last line {len(lines) + 1} ({len(torn)} bytes, no newline; a kill"
            " mid-write); its step size runs again"]
    return done, len(data), ("newline" if tail else None), []


def _json(record: dict) -> str:
    """One line of JSON; numpy numbers and arrays (``n=np.int64(...)``) as their Python values."""
    def plain(value):
        if isinstance(value, (np.generic, np.ndarray)):
            return value.tolist()
        raise TypeError(f"{value!r} of type {type(value).__name__} cannot be written to a sweep file")

    return json.dumps(record, default=plain)


def _write(fd: int, record: dict) -> None:
    """Append one line with a single write (more only if the system writes short), then fsync."""
    view = memoryview((_json(record) + "\n").encode())
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _open(path: Path, header: dict):
    """Open, lock, read and repair the sweep file: (descriptor, rows done by eta, notes)."""
    where = f"sweep file {path}"
    if path.is_dir():
        raise InvalidArgumentError(f"path {path} is a directory; pass a file path such as"
                                   f" {path / 'sweep.jsonl'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise InvalidArgumentError(f"cannot open {where} for reading and writing ({exc.strerror or exc});"
                                   " fix its permissions or pass a new path") from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InvalidArgumentError(
                    f"{where} is in use by another running sweep (it holds the file's lock); wait"
                    f" for it to finish, or {_FIX}") from None
            except OSError:  # a file system without locks: go on without one
                pass
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        done, keep, repair, notes = _scan(b"".join(chunks), header, where)
        if repair in ("new", "truncate"):
            os.ftruncate(fd, keep)
        if repair == "newline":
            os.write(fd, b"\n")
            os.fsync(fd)
        if repair == "new":
            _write(fd, header)
        return fd, {k: _row_from_dict(d) for k, d in done.items()}, notes
    except OSError as exc:
        os.close(fd)
        raise InvalidArgumentError(f"cannot read or repair {where} ({exc.strerror or exc}); {_FIX}") from None
    except BaseException:
        os.close(fd)
        raise


def _plain(region):
    """The region as JSON reads it back: None, a number, or a list of [low, high] pairs."""
    return region if region is None or np.ndim(region) == 0 else np.asarray(region, dtype=float).tolist()


_RULE_DEFAULTS = dict(grad_tol=None, disp_tol=None, loss_min=None, loss_tol=None, stability=True)


def sweep(map, etas, *, path=None, progress=None, on_row=None, eta_star=None, starts=10_000,
          steps=1000, seed=0, init="normal", region=None, tol=None,
          grad_tol=None, disp_tol=None, loss_min=None, loss_tol=None, stability=True,
          backend="auto", workers=None, chunk=None) -> Sweep:
    """Convergent fraction and asymptotic gradient norm at every step size of ``etas``.

    Parameters
    ----------
    map : GDMap
    etas : sequence of positive floats
    path : str or Path, keyword-only
        A JSON-lines file: a header with the settings, then one row per finished eta.
        If it exists with the same settings, the etas already there are skipped, so
        a killed sweep resumes where it stopped and loses nothing done.
    progress : bool or None, keyword-only
        A progress bar over the step sizes on stderr, and a line per repair of the file (see
        ``Sweep.notes``); None shows them when stderr is a terminal.
    on_row : callable, keyword-only
        Called with each new row (a ConvergentFraction) after it is saved.
    eta_star : float, keyword-only
        The critical learning rate, kept for figures.
    starts, steps, seed, init, region, backend : keyword-only
        As in :func:`convergent_fraction`; every eta uses the same initializations.
    tol, grad_tol, disp_tol, loss_min, loss_tol, stability : keyword-only
        The convergence rule, as in :func:`convergent_fraction` (by default the gradient
        fallen to 1e-9 of its start, 1e-3 for networks, at a point that is not unstable).
        They are settings of the file: a sweep resumes only with the same rule.
    workers : None, int, str or dask.distributed.Client, keyword-only
        Where the orbits run: this process (None), a LocalCluster of N workers, or a Dask
        cluster by scheduler address or Client (see :func:`gdmaps.core.executor.executor`).
        Every (step size, chunk of starts) is a task; a row is saved as soon as all chunks
        of its step size are done, so a sweep whose client is killed resumes from its file
        with any executor. The rows are the same either way.
    chunk : int, keyword-only
        Starts per task, as in :func:`convergent_fraction`; the rows do not depend on it.

    Returns
    -------
    Sweep
        The rows in the order of ``etas``; ``notes`` says what was repaired in the file.

    Raises
    ------
    InvalidArgumentError
        If ``path`` cannot be used: a directory, no permission to read and write it, a
        header with other settings, a complete line that is not a row of this sweep (the
        message gives the line number and what a row holds), or another sweep running on it.

    Notes
    -----
    Each row is appended with one write of the whole line, newline included, and fsync'ed,
    so a kill leaves at most the last line torn. On resume a torn last line (no newline, not
    complete JSON) is cut off, its step size runs again, and this is said in ``notes``, on
    stderr with ``progress`` and as a warning of the ``gdmaps.basins.sweep`` logger; an empty file
    or a torn header starts the file again; a complete last row without its newline is kept.
    Every other line is kept as it is, or the file is refused.

    While a sweep runs it holds an exclusive ``flock`` on its file, so a second sweep on
    the same file is refused instead of interleaving rows; the kernel drops the lock when
    the process dies. Where ``fcntl`` is missing (Windows) or the file system has no locks
    (some network mounts), nothing stops two sweeps on one file: give each its own path.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> gd = GDMap((a*b - 1)**2 / 2, [a, b])
    >>> s = sweep(gd, [0.5, 1.5], starts=500, progress=False)
    >>> [r.counts["converged"] > 0 for r in s.rows]
    [True, False]

    A sweep killed while writing its third row resumes from the two rows it finished:

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sweep.jsonl"
    >>> _ = sweep(gd, [0.5, 1.5], path=path, starts=500, progress=False)
    >>> with path.open("a") as f:
    ...     _ = f.write('{"eta": 2.0, "starts": 5')  # the kill
    >>> s = sweep(gd, [0.5, 1.5, 2.0], path=path, starts=500, progress=False)
    >>> len(s.rows), s.notes[0].split(": ", 1)[1]
    (3, 'dropped a torn last line 4 (24 bytes, no newline; a kill mid-write); its step size runs again')
    """
    if not isinstance(map, GDMap):
        raise InvalidTypeError(f"map must be a GDMap, got {type(map).__name__}")
    etas = [check_positive_finite("etas", e) for e in np.atleast_1d(etas)]
    if not etas:
        raise InvalidArgumentError("etas must hold at least one step size")
    settings = dict(starts=starts, steps=steps, seed=seed, init=init, region=_plain(region), tol=tol)
    # other knobs of the rule join the settings only when set: default-rule headers stay short
    rule = dict(grad_tol=grad_tol, disp_tol=disp_tol, loss_min=loss_min, loss_tol=loss_tol,
                stability=stability)
    settings.update({k: v for k, v in rule.items() if v != _RULE_DEFAULTS[k]})
    header = {"gdmaps_sweep": 2, "loss": str(map.loss) if map.symbolic else map.describe(),
              "state": [str(s) for s in map.state],
              **settings}
    fd, done, notes = None, {}, []
    if path is not None:
        path = Path(path)
        fd, done, notes = _open(path, json.loads(_json(header)))  # as it reads back from the file
    for note in notes:
        _log.warning(note)
        if wanted(progress):
            print(f"sweep: {note}", file=sys.stderr)
    job = dict(init=init, n=check_int("starts", starts, minimum=1), seed=seed, region=region,
               steps=steps, tol=tol, grad_tol=grad_tol, disp_tol=disp_tol, loss_tol=loss_tol,
               loss_min=loss_min, stability=stability, stability_tol=1e-6, backend=backend)
    weight = Counter(repr(float(e)) for e in etas)  # a step size given twice counts twice in the bar
    todo = [key for key in weight if key not in done]
    try:
        with executor(workers, progress=wanted(progress)) as ex, \
                bar(progress, total=len(etas), desc="sweep", unit="eta") as shown:
            shown.update(len(etas) - sum(weight[key] for key in todo))
            pieces = chunk_spans(ex, job["n"], chunk, jobs=len(todo))
            jobs = {key: dict(job, eta=float(key)) for key in todo}
            for key in todo:  # "auto" decided once per step size, here, for every chunk of it
                jobs[key]["backend"] = resolve_backend(map, jobs[key])
            items = [(jobs[key], lo, hi) for key in todo for lo, hi in pieces]
            parts = {key: [None] * len(pieces) for key in todo}
            left = {key: len(pieces) for key in todo}
            for i, part in ex.run(fraction_part, items, shared=map, name="sweep"):
                key = todo[i // len(pieces)]
                parts[key][i % len(pieces)] = part
                left[key] -= 1
                shown.update(weight[key] / len(pieces))
                if left[key]:
                    continue
                row = fraction_of(map, jobs[key], parts.pop(key))
                done[key] = row
                if fd is not None:
                    _write(fd, row.to_dict())
                if on_row is not None:
                    on_row(row)
                shown.set_postfix_str(f"eta {row.eta:g}: {row.counts['converged']}/{starts} converged")
    finally:
        if fd is not None:
            os.close(fd)
    rows = [done[repr(float(eta))] for eta in etas]
    return Sweep(tuple(rows), path, eta_star, tuple(notes))
