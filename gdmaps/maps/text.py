"""Maps typed as text, e.g. ``"x: 1 - a*x**2 + y; y: b*x; a = 1.4; b = 0.3"``."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping

import sympy as sp

from gdmaps.core.errors import GdmapsError, InvalidArgumentError, InvalidTypeError
from gdmaps.core.map import Map
from gdmaps.core.parsing import ALLOWED, parse_expression
from gdmaps.core.symbols import finite_real

__all__ = ["from_text"]

_ALLOWED = ("text must hold components 'name: expression', one per state variable, and"
            " optional parameter values 'name = number', separated by ';' or newlines")
# A name, not inside a number (1e5) or after a dot; group 2 marks a call ``name(``.
_NAME = re.compile(r"(?<![\w.])([^\W\d]\w*)(\s*\()?")
# Python literals that expressions may use (Piecewise((x, x < 1), (0, True))).
_LITERALS = {"True", "False", "None"}


def from_text(text, params=None) -> Map:
    """A map typed as text, with parameter values inline or given as a dict.

    Parameters
    ----------
    text : str
        Statements separated by ``;`` or newlines (grammar in Notes), e.g.
        ``"x: 1 - a*x**2 + y; y: b*x; a = 1.4; b = 0.3"``.
    params : mapping, optional
        Parameter values, keyed by name or SymPy symbol (matched by name).
        They override values assigned in ``text``.

    Returns
    -------
    Map
        The state is the component names in the order written; the parameters,
        every other name, in order of first appearance. Parameters without a
        value stay free (bind them later with ``.subs``).

    Raises
    ------
    InvalidArgumentError
        For malformed text, naming the bad statement and what is allowed.
    InvalidTypeError
        If ``text`` is not a string or ``params`` not a mapping.

    Notes
    -----
    Grammar, one statement per ``;`` or line; ``#`` starts a comment::

        component   name: expression      one per state variable
        assignment  name = number         a parameter value

    - A name is a Python identifier that is not a Python keyword, so ``lambda``
      is rejected (write ``lam``); every other name is a plain symbol, including
      SymPy's builtins ``S, E, I, N, Q, beta, gamma``. The one exception is
      ``pi``, which is the constant unless it is a state variable or is given
      a value (in ``text`` or ``params``).
    - Expressions follow the grammar of :mod:`gdmaps.core.parsing`: numbers, names,
      ``+ - * /``, ``**`` and ``^`` (both powers) with explicit ``*``, and the
      functions of :data:`gdmaps.core.parsing.FUNCTIONS` (``sin``, ``exp``, ``sqrt``,
      ``tanh``, ``Max``, ``Piecewise((value, condition), ...)``, ...). Decimals
      are read exactly: ``1.4`` is ``7/5``.
    - A number is an expression without names other than ``pi``, with a finite
      real value: ``1.4``, ``-7/5``, ``sqrt(2)``, ``pi/4``.
    - Every assigned name must appear in a component; statements may come in
      any order.

    The text is never run as Python: :mod:`gdmaps.core.parsing` walks its syntax tree
    through a whitelist and refuses everything else, so untrusted text is safe.

    Examples
    --------
    >>> m = from_text("x: 1 - a*x**2 + y; y: b*x; a = 1.4; b = 0.3")
    >>> m
    Map(x -> -7*x**2/5 + y + 1, y -> 3*x/10)
    >>> m([0.0, 0.0])
    array([1., 0.])
    >>> sir = from_text('''
    ...     S: S - beta*S*I/N        # names SymPy would take for builtins
    ...     I: I + beta*S*I/N - gamma*I
    ...     gamma = 0.1
    ... ''', params={"N": 1000})
    >>> sir.state, sir.free_parameters
    ((S, I), (beta,))
    """
    if not isinstance(text, str):
        raise InvalidTypeError(f"text must be a string, got {text!r} of type {type(text).__name__}")
    components, assigned = _statements(text)
    state = {name: sp.Symbol(name) for name in components}
    given = {str(k) for k in params} if isinstance(params, Mapping) else set()
    local = _local_dict(components, assigned | dict.fromkeys(given, ""), state)
    exprs = [_component(name, body, local) for name, body in components.items()]
    order = _parameter_order(components.values(), exprs, state.values())
    for name, body in assigned.items():
        if name not in order:
            raise InvalidArgumentError(
                f"text assigns {name} in {_stmt(name, '=', body)!r}, but {name} does not appear"
                f" in any component; the parameters are {_names(order)}"
            )
    values = {name: _value(name, body, local) for name, body in assigned.items()}
    values.update(_given(params, state, order))
    return Map(exprs, list(state.values()), {order[n]: values.get(n) for n in order})


def _statements(text):
    """Split text into components and assignments, name -> body text, in order."""
    components, assigned = {}, {}
    for line in text.splitlines():
        for stmt in line.split("#", 1)[0].split(";"):
            stmt = stmt.strip()
            if not stmt:
                continue
            colon, equals = stmt.find(":"), stmt.find("=")
            is_component = equals < 0 or 0 <= colon < equals
            # "x == 1" and "a =: 1" are neither form; catch them here, not as "no components".
            if (colon < 0 and equals < 0
                    or not is_component and (stmt[equals + 1:].startswith("=") or colon > equals)):
                raise InvalidArgumentError(
                    f"text statement {stmt!r} is neither a component 'name: expression' nor"
                    f" a parameter value 'name = number'; {_ALLOWED}"
                )
            name, body = (s.strip() for s in stmt.split(":" if is_component else "=", 1))
            _check_name(name, stmt)
            if not body:
                raise InvalidArgumentError(
                    f"text statement {stmt!r} has nothing after "
                    f"{'the colon' if is_component else 'the equals sign'}; {_ALLOWED}"
                )
            target = components if is_component else assigned
            if name in target:
                what = "state variable" if is_component else "parameter"
                first = _stmt(name, ":" if is_component else "=", target[name])
                raise InvalidArgumentError(
                    f"text gives the {what} {name} twice ({first!r} and {stmt!r});"
                    f" each {what} takes exactly one statement"
                )
            target[name] = body
    if not components:
        raise InvalidArgumentError(f"text has no components, got {text!r}; {_ALLOWED}")
    for name, body in assigned.items():
        if name in components:
            raise InvalidArgumentError(
                f"text assigns a value to the state variable {name} in"
                f" {_stmt(name, '=', body)!r}; only parameters take values, the"
                f" state variables are {', '.join(components)}"
            )
    return components, assigned


def _check_name(name, stmt):
    if not name.isidentifier() or keyword.iskeyword(name):
        hint = " (a Python keyword; write e.g. 'lam' for lambda)" if keyword.iskeyword(name) else ""
        raise InvalidArgumentError(
            f"text statement {stmt!r} has the invalid name {name!r}{hint}; names must be"
            f" Python identifiers that are not keywords, such as x, theta, S1, beta"
        )


def _local_dict(components, assigned, state):
    """Every name used as a symbol maps to a plain Symbol, beating SymPy's builtins."""
    symbols, calls = set(components) | set(assigned), {}
    for name, body in [*components.items(), *assigned.items()]:
        for m in _NAME.finditer(body):
            word = m.group(1)
            if keyword.iskeyword(word) and word not in _LITERALS:
                raise InvalidArgumentError(
                    f"text statement {_stmt(name, ':' if name in state else '=', body)!r} uses the"
                    f" Python keyword {word!r}; names must not be keywords (write e.g. 'lam'"
                    f" for lambda, Piecewise(...) for conditions)"
                )
            if m.group(2):
                calls.setdefault(word, body)
            elif word not in _LITERALS and (word != "pi" or word in symbols):
                symbols.add(word)
    both = sorted(set(calls) & symbols)
    if both:
        raise InvalidArgumentError(
            f"text uses {both[0]} both as a symbol and as a function in {calls[both[0]]!r};"
            f" a name is either a state variable or parameter, or a SymPy function"
        )
    return {name: sp.Symbol(name) for name in symbols}


def _parse(body, local, what):
    """A fragment through the whitelist parser; its refusal, reworded for the statement."""
    try:
        return parse_expression(body, name=what, symbols=local)
    except InvalidArgumentError as exc:
        raise _Unreadable(getattr(exc, "reason", str(exc))) from None


class _Unreadable(Exception):
    """The parser refused a fragment; the caller says which statement and why."""


def _component(name, body, local):
    stmt = _stmt(name, ":", body)
    try:
        return _parse(body, local, f"text component {stmt!r}")
    except _Unreadable as exc:
        raise InvalidArgumentError(
            f"text component {stmt!r}: cannot read the expression {body!r} ({exc}); {ALLOWED},"
            f" e.g. 1 - a*x**2 + y"
        ) from None


def _value(name, body, local):
    stmt = _stmt(name, "=", body)
    allowed = "parameter values must be finite real numbers such as 1.4, -7/5, sqrt(2) or pi/4"
    try:
        value = _parse(body, local, f"text assignment {stmt!r}")
    except _Unreadable as exc:
        raise InvalidArgumentError(
            f"text assignment {stmt!r}: cannot read the value {body!r} ({exc}); {allowed}"
        ) from None
    try:
        return finite_real(name, value)
    except GdmapsError:
        raise InvalidArgumentError(
            f"text statement {stmt!r} gives {name} a value that is not a finite real number;"
            f" {allowed}"
        ) from None


def _parameter_order(bodies, exprs, state):
    """Parameters by first appearance in the text (then any SymPy made up, by name)."""
    free = set().union(*(e.free_symbols for e in exprs)) - set(state)
    by_name = {s.name: s for s in free}
    order = {}
    for body in bodies:
        for m in _NAME.finditer(body):
            if m.group(1) in by_name:
                order.setdefault(m.group(1), by_name[m.group(1)])
    for s in sorted(free - set(order.values()), key=lambda s: s.name):
        order[s.name] = s
    return order


def _given(params, state, order):
    """Validate the ``params`` argument: name -> exact value."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InvalidTypeError(
            f"params must be a mapping of names or symbols to numbers, got {params!r}"
            f" of type {type(params).__name__}"
        )
    out = {}
    for key, value in params.items():
        if not (isinstance(key, sp.Symbol) or isinstance(key, str) and key.isidentifier()):
            raise InvalidTypeError(
                f"params keys must be names or SymPy symbols, got {key!r}"
                f" of type {type(key).__name__}"
            )
        name = str(key)
        if name in state:
            raise InvalidArgumentError(
                f"params gives a value for the state variable {name}; only parameters take"
                f" values, and the parameters are {_names(order)}"
            )
        if name not in order:
            raise InvalidArgumentError(
                f"params gives a value for {name}, which does not appear in text;"
                f" the parameters are {_names(order)}"
            )
        out[name] = finite_real(f"params[{name!r}]", value)
    return out


def _stmt(name, sep, body):
    return f"{name}{sep} {body}" if sep == ":" else f"{name} {sep} {body}"


def _names(order):
    return ", ".join(order) or "none"
