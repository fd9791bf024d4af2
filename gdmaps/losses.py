"""Losses typed as text, e.g. ``"(a*b - y)**2/2; y = 1"``."""

from __future__ import annotations

import keyword
import re

import sympy as sp
from sympy.parsing.sympy_parser import (convert_xor, parse_expr, rationalize,
                                        standard_transformations)

from gdmaps.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.gd import GDMap
from gdmaps.symbols import exact

__all__ = ["loss_from_text"]

_TRANSFORMS = standard_transformations + (convert_xor, rationalize)
_NAME = re.compile(r"(?<![\w.])([^\W\d]\w*)(\s*\()?")
_ALLOWED = ("text must be a loss expression, optionally followed by values 'name = number'"
            " separated by ';', e.g. '(a*b - y)**2/2; y = 1'")


def _parse(body: str, what: str) -> sp.Expr:
    names = {m.group(1) for m in _NAME.finditer(body) if not m.group(2)}
    bad = sorted(n for n in names if keyword.iskeyword(n) and n not in ("True", "False"))
    if bad:
        raise InvalidArgumentError(f"{what} {body!r} uses the Python keyword {bad[0]!r}; rename it")
    local = {n: sp.Symbol(n) for n in names if n not in ("pi", "True", "False")}
    try:
        expr = parse_expr(body, local_dict=local, transformations=_TRANSFORMS)
    except Exception as exc:  # noqa: BLE001 - eval of user text can raise anything
        raise InvalidArgumentError(f"{what} {body!r} cannot be read ({type(exc).__name__});"
                                   f" {_ALLOWED}") from None
    if not isinstance(expr, sp.Expr):
        raise InvalidArgumentError(f"{what} {body!r} is not a scalar expression; {_ALLOWED}")
    return expr


def loss_from_text(text, params=None, *, eta=None) -> GDMap:
    """The GD map of a loss typed as text.

    Parameters
    ----------
    text : str
        ``"expression; name = number; ..."``: the loss, then values of data
        symbols. Decimals are exact (0.1 is 1/10); ``^`` is a power.
    params : sequence of names, optional
        The trainable parameters; default every symbol without a value, by name.
    eta : positive float, keyword-only, optional
        The step size.

    Examples
    --------
    >>> g = loss_from_text("(a*b - y)^2/2; y = 2")
    >>> g
    GDMap(L = (a*b - 2)**2/2, eta = eta)
    >>> g.state
    (a, b)
    """
    if not isinstance(text, str):
        raise InvalidTypeError(f"text must be a string, got {type(text).__name__}")
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise InvalidArgumentError(f"text is empty; {_ALLOWED}")
    loss = _parse(parts[0], "loss")
    values = {}
    for part in parts[1:]:
        name, sep, body = (s.strip() for s in part.partition("="))
        if not sep or not name.isidentifier():
            raise InvalidArgumentError(f"text part {part!r} is not 'name = number'; {_ALLOWED}")
        value = _parse(body, f"value of {name}")
        if not value.is_number or not value.is_real:
            raise InvalidArgumentError(f"text gives {name} the value {body!r}, not a real number")
        values[sp.Symbol(name)] = exact(value)
    unknown = sorted(str(s) for s in values if s not in loss.free_symbols)
    if unknown:
        raise InvalidArgumentError(f"text gives a value to {unknown[0]}, which is not in the loss")
    loss = loss.xreplace(values)
    if params is None:
        params = sorted(loss.free_symbols, key=lambda s: s.name)
        if not params:
            raise InvalidArgumentError(f"the loss {loss} has no symbols left to train")
    elif isinstance(params, str):
        params = [p.strip() for p in params.split(",") if p.strip()]
    by_name = {s.name: s for s in loss.free_symbols}
    params = [by_name.get(p, p) if isinstance(p, str) else p for p in params]
    return GDMap(loss, params, eta)
