"""Losses typed as text, e.g. ``"(a*b - y)**2/2; y = 1"``."""

from __future__ import annotations

import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.core.gd import GDMap
from gdmaps.core.parsing import parse_bindings, parse_expression

__all__ = ["loss_from_text"]

_ALLOWED = ("text must be a loss expression, optionally followed by values 'name = number'"
            " separated by ';', e.g. '(a*b - y)**2/2; y = 1'")


def loss_from_text(text, params=None, *, eta=None) -> GDMap:
    """The GD map of a loss typed as text.

    Parameters
    ----------
    text : str
        ``"expression; name = number; ..."``: the loss, then values of data
        symbols. Decimals are exact (0.1 is 1/10); ``^`` is a power.
    params : sequence of names, optional
        The trainable parameters; default every symbol without a value, by name.
    eta : positive number, keyword-only, optional
        The step size.

    Raises
    ------
    InvalidArgumentError
        For empty text, or text outside the grammar of :mod:`gdmaps.core.parsing`.

    Notes
    -----
    The text is read by the whitelist parser :mod:`gdmaps.core.parsing` (Python's ``ast``,
    walked node by node): it is never run as Python, and anything outside the grammar
    (attributes, strings, calls of functions not in its table, ...) is refused.

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
        raise InvalidArgumentError(f"text is empty, got {text!r}; {_ALLOWED}")
    loss = parse_expression(parts[0], name="loss")
    given = parse_bindings("; ".join(parts[1:]), name="text") if parts[1:] else {}
    values = {sp.Symbol(name): value for name, value in given.items()}
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
