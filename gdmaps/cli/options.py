"""Reading command-line values: each bad value is refused in one line naming the option,
the value and what is allowed."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
from pathlib import Path

from gdmaps.core.errors import GdmapsError
from gdmaps.cli.limits import whole

__all__ = ["OneLineParser", "count", "real", "FIGURE_FORMATS", "out_dir", "out_file", "progress",
           "EXIT_STATUS", "dumps", "rounded"]

#: The exit statuses of every command (``gdmaps certify`` adds its verdicts 1 and 3).
EXIT_STATUS = ("exit status: 0 success; 2 bad input or a job past a limit, with one line on"
               " stderr naming the option, the value and what is allowed; 130 interrupted (Ctrl-C)")

#: Figure files the commands write.
FIGURE_FORMATS = (".png", ".pdf", ".svg")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr (status 2)."""

    def parse_known_args(self, args=None, namespace=None):
        ns, rest = super().parse_known_args(args, namespace)
        for action in self._actions:  # "--range=--": argparse drops the "--" and leaves []
            value = getattr(ns, action.dest, None)
            if action.nargs is None and action.option_strings and isinstance(value, list) and not value \
                    and not isinstance(action, argparse._AppendAction):
                self.error(f"argument {action.option_strings[-1]}: expected one value, got '--'")
        return ns, rest

    def error(self, message):
        # "argument --steps: must be ..." -> "--steps must be ...", as the other errors read
        message = re.sub(r"^argument ([^:]+): must", r"\1 must", " ".join(message.split()))
        flag = re.match(r"argument (-[^: ]+): expected one argument", message)
        if flag:
            name = flag.group(1).split("/")[-1]
            message += f"; for a value starting with '-', write {name}=VALUE"
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def count(minimum: int = 1):
    """An argparse type: a whole number >= ``minimum`` (``1000``, ``1e3``, ``10_000``).

    Examples
    --------
    >>> count(1)("1e3")
    1000
    >>> count(1)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number >= 1, got '0'
    """
    def parse(text):
        n = whole(text)
        if n is None or n < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}, got {text!r}")
        return n

    parse.__name__ = "whole number"
    return parse


def real(*, positive: bool = False):
    """An argparse type: a finite number (> 0 with ``positive``).

    Examples
    --------
    >>> real(positive=True)("0.5")
    0.5
    >>> real()("inf")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number, got 'inf'
    """
    allowed = "a finite number > 0" if positive else "a finite number"

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text!r}") from None
        if not math.isfinite(value) or (positive and value <= 0):
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text!r}")
        return value

    parse.__name__ = "number"
    return parse


def out_dir(flag: str, text: str | None) -> Path | None:
    """``text`` as a directory to write into, created if missing; refused if it is a file."""
    if text is None:
        return None
    if not text.strip() or "\x00" in text:
        raise GdmapsError(f"{flag} must be a directory name (not empty, no NUL character), got {text!r}")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise GdmapsError(f"{flag} must be a directory to write into, got {text!r}, which is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GdmapsError(f"{flag} {text!r}: cannot create the directory ({exc.strerror})") from None
    if not os.access(path, os.W_OK):
        raise GdmapsError(f"{flag} {text!r}: the directory is not writable")
    return path


def out_file(flag: str, text: str | None, suffixes=None) -> Path | None:
    """``text`` as a file to write: not a directory, in an existing writable directory,
    ending in one of ``suffixes`` (when given)."""
    if text is None:
        return None
    if "\x00" in text:
        raise GdmapsError(f"{flag} must be a file name without a NUL character, got {text!r}")
    path = Path(text)
    if not text.strip() or path.is_dir() or text.endswith(os.sep):
        raise GdmapsError(f"{flag} must be a file name, got {text!r}"
                          + (", which is a directory" if text.strip() and path.is_dir() else ""))
    if suffixes and path.suffix.lower() not in suffixes:
        raise GdmapsError(f"{flag} must end in {', '.join(suffixes)}, got {text!r}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise GdmapsError(f"{flag} {text!r}: the directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise GdmapsError(f"{flag} {text!r}: not writable")
    return path


def dumps(obj) -> str:
    """Strict JSON: a NaN becomes null and an infinity the string "inf" or "-inf".

    Examples
    --------
    >>> dumps({"a": [1.5, float("nan"), float("-inf")]})
    '{"a": [1.5, null, "-inf"]}'
    """
    return json.dumps(_finite(obj), indent=None)


def dumps_indented(obj) -> str:
    """:func:`dumps` with an indent of 2, as the commands print."""
    return json.dumps(_finite(obj), indent=2)


def _finite(obj):
    if isinstance(obj, float):
        if math.isnan(obj):
            return None
        return obj if math.isfinite(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def rounded(values, digits: int = 6):
    """``np.round(values, digits)`` for printing, without the overflow warning np.round gives
    past 1e302 (such entries are printed as they are).

    Examples
    --------
    >>> rounded([0.1234567, 1e308]).tolist()
    [0.123457, 1e+308]
    """
    import numpy as np

    a = np.asarray(values)
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.round(a, digits)
    return np.where(np.isfinite(r) | ~np.isfinite(a), r, a)


def progress(args):
    """The library's ``progress`` for a command: off with --quiet, else shown on a terminal."""
    return False if getattr(args, "quiet", False) else None
