"""Turning user input into SymPy objects, with errors that say what went wrong."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_positive_finite
from gdmaps.core.parsing import parse_expression, parse_number

__all__ = ["as_expr", "as_symbols", "exact", "exact_floats", "finite_real", "real_derivatives",
           "sort_symbols"]


def exact(value, *, name: str = "value") -> sp.Expr:
    """Return ``value`` as an exact SymPy number.

    Floats are read as the decimal they print as, so ``0.1`` becomes ``1/10``:
    the number the user typed, and exact arithmetic stays exact downstream.
    A string is read by the whitelist parser :func:`gdmaps.core.parsing.parse_number`
    (never evaluated as Python): ``"2/3"``, ``"0.1"``, ``"sqrt(2)/2"``.

    Examples
    --------
    >>> exact(0.1), exact(3), exact(np.float64(1.4)), exact("2/3")
    (1/10, 3, 7/5, 2/3)
    """
    if isinstance(value, str):
        return parse_number(value, name=name)
    if isinstance(value, sp.Float):
        return _decimal(value, name=name)
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be a number, got the bool {value!r}")
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, (Real, np.floating)):
        v = float(value)
        if not np.isfinite(v):
            raise InvalidArgumentError(f"{name} must be finite, got {v!r}")
        return sp.Rational(repr(v))
    try:
        return sp.sympify(value, strict=True)  # strict: never parses text
    except (sp.SympifyError, TypeError):
        raise InvalidTypeError(
            f"{name} must be a number or a SymPy expression, got {value!r}"
        ) from None


def _decimal(value: sp.Float, *, name: str) -> sp.Rational:
    """A SymPy Float as the shortest decimal that reads back to it (0.2 -> 1/5)."""
    if not value.is_finite:
        raise InvalidArgumentError(f"{name} must be finite, got {value}")
    if value._prec <= 53:
        return sp.Rational(repr(float(value)))
    return sp.Rational(str(value))


def exact_floats(expr, *, name: str = "expression") -> sp.Expr:
    """``expr`` with every Float replaced by the decimal it prints as: 0.2 becomes 1/5.

    This is how gdmaps reads a number written with a decimal point, in Python and on
    the command line alike: as the decimal the user wrote, not as the binary double
    nearest to it. Every later step (critical points, Hessians, certificates) is
    then exact arithmetic on that decimal.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> exact_floats(0.1*x**2 + 1.5)
    x**2/10 + 3/2
    """
    floats = {f: _decimal(f, name=name) for f in expr.atoms(sp.Float)}
    return expr.xreplace(floats) if floats else expr


def finite_real(name: str, value) -> sp.Expr:
    """Return ``value`` as an exact SymPy number if it is a finite real, else raise.

    Floats are read as the decimal they print as (1.4 becomes 7/5), like
    :func:`exact`; SymPy numbers are kept as they are.
    """
    if isinstance(value, bool) or not isinstance(value, (Real, np.integer, np.floating, sp.Expr)):
        raise InvalidTypeError(
            f"{name} must be a finite real number, got {value!r} of type {type(value).__name__}"
        )
    # Symbols, I, nan and zoo are not real numbers; is_extended_real is None or False for them.
    if isinstance(value, sp.Expr) and not (value.is_number and value.is_extended_real):
        raise InvalidArgumentError(f"{name} must be a finite real number, got {value}")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:  # an exact integer too large for a float
        finite = False
    if not finite:
        raise InvalidArgumentError(f"{name} must be a finite real number, got {value!r}")
    return exact(value, name=name)


def exact_step(value, *, name: str = "eta") -> sp.Expr:
    """A step size as an exact positive number: SymPy numbers kept, floats read as decimals.

    A bool is refused (``True`` is not a step size); a string is read by the whitelist
    parser, so ``"1/3"`` is exactly 1/3.

    Examples
    --------
    >>> exact_step(sp.Rational(1, 3)), exact_step(0.1), exact_step("2/3")
    (1/3, 1/10, 2/3)
    """
    if isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{name} must be a positive real number, got the bool {value!r}")
    if isinstance(value, str):
        try:
            value = parse_number(value, name=name)
        except InvalidArgumentError as exc:
            reason = getattr(exc, "reason", "empty or too long").split(";", 1)[0]
            raise InvalidArgumentError(f"{name} must be a positive real number such as 0.5, 1e-3 or 2/3,"
                                       f" got {value!r} ({reason})") from None
    check_positive_finite(name, value)
    return exact(value if isinstance(value, sp.Basic) else float(value), name=name)


def as_expr(value, *, name: str) -> sp.Expr:
    """Return ``value`` as a scalar SymPy expression.

    Strings are read by the whitelist parser :func:`gdmaps.core.parsing.parse_expression`,
    never evaluated as Python; anything else must already be a SymPy expression or a number.

    Examples
    --------
    >>> as_expr("(a*b - 1)^2/2", name="loss")
    (a*b - 1)**2/2
    """
    if isinstance(value, str):
        return parse_expression(value, name=name)
    if isinstance(value, (sp.MatrixBase, np.ndarray, list, tuple)):
        raise InvalidTypeError(
            f"{name} must be a scalar expression, got a {type(value).__name__}"
            f" of shape {getattr(value, 'shape', len(value))}"
        )
    if isinstance(value, bytes):
        raise InvalidTypeError(f"{name} must be a SymPy expression or a string, got bytes")
    try:
        expr = sp.sympify(value, strict=True)  # strict: never parses text, not even inside a set
    except (sp.SympifyError, TypeError, SyntaxError):
        raise InvalidTypeError(
            f"{name} must be a SymPy expression, a number or a string, got {value!r}"
            f" of type {type(value).__name__}") from None
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.MatrixBase):
        raise InvalidTypeError(f"{name} must be a scalar expression, got {expr!r}")
    return expr


def as_symbols(values, *, name: str) -> tuple[sp.Symbol, ...]:
    """Return ``values`` as a tuple of distinct SymPy symbols (names allowed)."""
    if isinstance(values, (str, sp.Symbol)):
        values = [values]
    if not isinstance(values, Iterable) or isinstance(values, Mapping):
        raise InvalidTypeError(f"{name} must be a sequence of SymPy symbols, got {values!r}")
    out = []
    for v in values:
        if isinstance(v, str) and v.isidentifier():
            v = sp.Symbol(v)
        if not isinstance(v, sp.Symbol):
            raise InvalidTypeError(
                f"{name} must contain SymPy symbols (or their names), got {v!r} of type {type(v).__name__}"
            )
        out.append(v)
    if not out:
        raise InvalidArgumentError(f"{name} must contain at least one symbol, got none")
    if len(set(out)) != len(out):
        dup = sorted({str(s) for s in out if out.count(s) > 1})
        raise InvalidArgumentError(f"{name} must not repeat symbols, got {', '.join(dup)} twice")
    return tuple(out)


def sort_symbols(symbols) -> tuple[sp.Symbol, ...]:
    """Symbols in a stable, readable order (by name)."""
    return tuple(sorted(symbols, key=lambda s: (s.name, str(s.assumptions0))))


def real_derivatives(expr, state) -> list:
    """The partial derivatives of ``expr`` in ``state``, the state taken as real.

    Parameters need not carry ``real=True``: a symbol typed as text is plain, and SymPy
    differentiates ``Abs(x)`` of a complex ``x`` into ``Derivative(re(x), x)``. Each state
    symbol is swapped for a real one while differentiating, so ``Abs(x)`` gives ``sign(x)``.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> real_derivatives(abs(x) + x**2, [x])
    [2*x + sign(x)]
    """
    real = {s: sp.Dummy(s.name, real=True) for s in state if not s.is_real}
    back = {v: k for k, v in real.items()}
    e = expr.xreplace(real)
    return [sp.diff(e, real.get(s, s)).xreplace(back) for s in state]
