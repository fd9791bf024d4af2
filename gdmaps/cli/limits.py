"""Bounds on how long and how large one command may run, and the option that raises them.

Every command refuses, before it starts, a job whose size is past one of the limits
below, with one line naming the option, the value and the limit; ``--limit NAME=N``
raises a limit for one call.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from decimal import Decimal

from gdmaps.core.errors import GdmapsError

__all__ = ["LIMITS", "add_limit_argument", "limits_of", "check_limit", "whole", "fmt", "MEMORY_PER_CELL",
           "deadline", "TimeLimitReached"]

#: name -> (default, what it bounds). Defaults keep a command within about a minute
#: and a couple of GB on a laptop.
LIMITS = {
    "points": (2 * 10**7, "coordinates of the initializations, points x dimension"),
    "steps": (10**8, "steps per orbit"),
    "work": (2 * 10**9, "map evaluations of the whole command (points x steps x step sizes,"
             " or cells x samples x steps)"),
    "etas": (10**4, "step sizes in one sweep or analysis"),
    "cells": (250_000, "cells of a cell map, all refinement rounds together"),
    "period": (64, "largest period searched, and how many periods in one call"),
    "params": (100, "parameters of a model (its dimension), e.g. -p depth=N"),
    "values": (10**4, "parameter values of a bifurcation diagram"),
    "seconds": (300, "wall-clock time of the command: the backstop for work no estimate foresees,"
                " such as symbolic algebra on a large loss"),
}

#: Bytes of memory one cell of a cell map costs, about (its samples, images and graph node).
MEMORY_PER_CELL = 2500


def number(text: str):
    """``text`` as typed: an int for a whole literal, else a float; nan when it is no number.

    Examples
    --------
    >>> number("12"), number(" 1e3 "), number("abc")
    (12, 1000.0, nan)
    """
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return math.nan


def whole(text: str) -> int | None:
    """``text`` as a whole number (``1000``, ``1e3``, ``10_000``), or None if it is not one.

    Examples
    --------
    >>> whole("1e3"), whole("12"), whole("1.5"), whole("nan"), whole("")
    (1000, 12, None, None, None)
    """
    value = number(text)
    if isinstance(value, int):
        return value
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def add_limit_argument(parser, names) -> None:
    """Add ``--limit NAME=N`` to ``parser``, documenting the limits ``names`` it checks."""
    listed = "; ".join(f"{n}={fmt(LIMITS[n][0])} ({LIMITS[n][1]})" for n in names)
    parser.add_argument("--limit", action="append", default=[], metavar="NAME=N",
                        help=f"raise a limit for this call (repeatable); the limits: {listed}")
    parser.set_defaults(limit_names=tuple(names))


def limits_of(args) -> dict:
    """The limits in force: the defaults, raised by the ``--limit`` options of ``args``."""
    out = {n: d for n, (d, _) in LIMITS.items()}
    allowed = getattr(args, "limit_names", tuple(LIMITS))
    for item in getattr(args, "limit", None) or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in allowed:
            raise GdmapsError(f"--limit must be NAME=N with NAME one of {', '.join(allowed)},"
                              f" got {item!r}")
        n = whole(value)
        if n is None or n < 1:
            raise GdmapsError(f"--limit {name} must be a whole number >= 1, got {value.strip()!r}")
        out[name] = n
    return out


def check_limit(args, name: str, size, what: str, fix: str = "") -> None:
    """Raise a one-line error if ``size`` is past the limit ``name`` of ``args``.

    ``what`` says where the size comes from, with the size (e.g. ``"--steps 1e20"``);
    ``fix`` says how else to shrink the job.
    """
    limit = limits_of(args)[name]
    if size > limit:
        tail = f"{fix}, or raise" if fix else "raise"
        raise GdmapsError(f"{what}: over the limit {name}={fmt(limit)} ({LIMITS[name][1]});"
                          f" {tail} it with --limit {name}=N")


def fmt(n) -> str:
    """Whole numbers as written by people: 2000000000 -> 2e9, 64 -> 64."""
    n = int(n)
    if n >= 10**5:
        mant, exp = f"{Decimal(n):.2e}".split("e")  # Decimal: past 1e308 too
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{int(exp)}"
    return str(n)


class TimeLimitReached(BaseException):
    """The command ran past its ``seconds`` limit (a BaseException: no ``except Exception``
    in the numerics swallows it)."""


@contextmanager
def deadline(seconds):
    """Raise :class:`TimeLimitReached` in the block after ``seconds`` of wall-clock time.

    SIGALRM, main thread only (elsewhere, and on platforms without it, a no-op). An outer
    timer that is due earlier is left alone; one due later is re-armed afterwards.
    """
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= seconds:
        yield
        return

    def stop(signum, frame):
        raise TimeLimitReached(seconds)

    start = time.monotonic()
    handler = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, handler)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3))
