"""Exceptions raised by gdmaps, and the checks that raise them.

Every message names the argument, the bad value and what is allowed, so the
caller can fix the call without reading the source.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = [
    "GdmapsError",
    "InvalidArgumentError",
    "InvalidTypeError",
    "FreeParameterError",
    "NotCertifiableError",
    "RefinementError",
    "CertificationUnavailableError",
    "EliminationTooLargeError",
    "NotPolynomialError",
    "CellLimitError",
    "check_positive_finite",
    "check_int",
    "check_finite_array",
    "check_choice",
]


class GdmapsError(Exception):
    """Base class of every error raised by gdmaps."""


class InvalidArgumentError(GdmapsError, ValueError):
    """An argument has the right type but a value gdmaps cannot use."""


class InvalidTypeError(GdmapsError, TypeError):
    """An argument has a type gdmaps cannot use."""


class FreeParameterError(InvalidArgumentError):
    """A numeric evaluation needs parameter values that were never given."""


class NotCertifiableError(GdmapsError):
    """Ball arithmetic cannot evaluate an expression soundly on a box.

    Raised for unsupported functions, for boxes that straddle a kink or a jump
    (``Max``, ``Abs``, ``Piecewise``, ...), and for values that are not finite
    on the box. The message says which subexpression failed and why.
    """


class RefinementError(GdmapsError):
    """Newton's method in mpmath did not converge to an orbit."""


class CertificationUnavailableError(GdmapsError, ImportError):
    """``certify=True`` needs :func:`gdmaps.orbits.krawczyk.certify_orbit`, which is not installed."""


class EliminationTooLargeError(GdmapsError):
    """The elimination would be too large to finish in reasonable time."""


class NotPolynomialError(GdmapsError, ValueError):
    """The equations are not polynomial (after clearing denominators)."""


class CellLimitError(InvalidArgumentError):
    """A cell map would map more than ``max_cells`` cells, all rounds together (at refinement
    round ``round``, 0 for the grid itself)."""

    def __init__(self, round, cells, max_cells):
        self.round, self.cells, self.max_cells = round, cells, max_cells
        where = "the grid" if round == 0 else f"refinement round {round}"
        super().__init__(f"{where} would bring the cells mapped to {cells}, more than"
                         f" max_cells={max_cells}:"
                         f" use fewer cells{' or refine rounds' if round else ''}, or raise max_cells")


# Users catch these as gdmaps.X; tracebacks and doctests should say so too.
for _cls in (GdmapsError, InvalidArgumentError, InvalidTypeError, FreeParameterError, NotCertifiableError,
             RefinementError, CertificationUnavailableError, EliminationTooLargeError, NotPolynomialError,
             CellLimitError):
    _cls.__module__ = "gdmaps"
del _cls


def check_positive_finite(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        try:
            value = float(value)  # SymPy numbers and numeric strings
        except (TypeError, ValueError):
            raise InvalidTypeError(
                f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
            ) from None
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise InvalidArgumentError(f"{name} must be finite and > 0, got {value!r}")
    return value


def check_int(name: str, value, *, minimum: int = 0) -> int:
    """Return ``value`` if it is an integer >= ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidTypeError(
            f"{name} must be an integer >= {minimum}, got {value!r} of type {type(value).__name__}"
        )
    if value < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_finite_array(name: str, value, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float array with only finite entries, else raise."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"{name} must be an array of real numbers, got {value!r}") from None
    if ndim is not None and arr.ndim != ndim:
        raise InvalidArgumentError(
            f"{name} must be a {ndim}-D array, got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InvalidArgumentError(
            f"{name} must contain only finite numbers, got {arr[where]} at index {where}"
        )
    return arr


def check_choice(name: str, value, allowed) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise."""
    if value not in allowed:
        raise InvalidArgumentError(
            f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}"
        )
    return value
