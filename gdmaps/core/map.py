"""The symbolic discrete map x -> f(x; p), the object every analysis starts from."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping

import sympy as sp

from gdmaps.core.compile import NumericMap, compile_kernel
from gdmaps.core.errors import FreeParameterError, InvalidArgumentError
from gdmaps.core.symbols import as_expr, as_symbols, exact, real_derivatives, sort_symbols

__all__ = ["Map", "require_bound"]


class Map:
    """A discrete map ``x -> f(x; p)`` given by SymPy expressions.

    Parameters
    ----------
    exprs : sequence of SymPy expressions (or strings)
        The components of f, one per state variable.
    state : sequence of SymPy symbols (or names)
        The state variables x, in order.
    params : sequence of symbols, or mapping symbol -> value, optional
        Parameters of the map, with values where given. Symbols that appear in
        ``exprs`` and are neither state nor listed here become free parameters.
        Floats are read as the decimal they print as (0.1 means 1/10).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y, a, b = sp.symbols("x y a b")
    >>> henon = Map([1 - a*x**2 + y, b*x], [x, y], {a: 1.4, b: 0.3})
    >>> henon
    Map(x -> -7*x**2/5 + y + 1, y -> 3*x/10)
    >>> henon.jacobian()
    Matrix([
    [-14*x/5, 1],
    [   3/10, 0]])
    >>> henon([0.0, 0.0])
    array([1., 0.])

    Notes
    -----
    The numeric form (:attr:`numeric`) is compiled once per template, the
    expressions with every parameter symbolic, so ``subs`` with new parameter
    values reuses it.
    """

    def __init__(self, exprs, state, params=None):
        self._init(exprs, state, params)

    def _init(self, exprs, state, params):
        state = as_symbols(state, name="state")
        if isinstance(exprs, (str, sp.Basic)) and not isinstance(exprs, sp.MatrixBase):
            exprs = [exprs]
        exprs = tuple(as_expr(e, name=f"exprs[{i}]") for i, e in enumerate(exprs))
        if len(exprs) != len(state):
            raise InvalidArgumentError(
                f"exprs and state must have the same length, got {len(exprs)} expressions"
                f" for {len(state)} state variables {', '.join(map(str, state))}"
            )
        values = {}
        if params is None:
            declared = ()
        elif isinstance(params, Mapping):
            declared = as_symbols(list(params), name="params") if params else ()
            values = {p: exact(v, name=f"params[{p}]") for p, v in params.items() if v is not None}
            declared = tuple(declared)
        else:
            declared = as_symbols(params, name="params")
        clash = set(declared) & set(state)
        if clash:
            raise InvalidArgumentError(
                f"params must not contain state variables, got {', '.join(map(str, clash))}"
            )
        rest = set().union(*(e.free_symbols for e in exprs)) - set(state) - set(declared)
        self._template = exprs
        self._state = state
        self._params = tuple(declared) + sort_symbols(rest)
        self._values = values

    # -- symbolic side -------------------------------------------------------
    @property
    def dim(self) -> int:
        """Number of state variables."""
        return len(self._state)

    @property
    def state(self) -> tuple:
        """The state symbols, in order."""
        return self._state

    @property
    def parameters(self) -> tuple:
        """Every parameter symbol, bound or free."""
        return self._params

    @property
    def values(self) -> dict:
        """The bound parameter values, as exact SymPy numbers."""
        return dict(self._values)

    @property
    def free_parameters(self) -> tuple:
        """Parameters without a value; numeric evaluation needs them bound."""
        return tuple(p for p in self._params if p not in self._values)

    @property
    def template(self) -> tuple:
        """The components of f with every parameter left symbolic."""
        return self._template

    @functools.cached_property
    def exprs(self) -> tuple:
        """The components of f with the bound values substituted."""
        return tuple(e.xreplace(self._values) for e in self._template)

    def as_matrix(self) -> sp.Matrix:
        """The components of f as a column matrix."""
        return sp.Matrix(self.exprs)

    def jacobian(self) -> sp.Matrix:
        """The symbolic Jacobian Df, rows the components, columns the state."""
        return sp.Matrix([real_derivatives(e, self._state) for e in self.exprs])

    def subs(self, mapping=None, /, **by_name):
        """Bind parameter values, or substitute expressions symbolically.

        Numbers given for parameters are bound (the compiled form is reused);
        anything else is substituted into the expressions.

        Examples
        --------
        >>> import sympy as sp
        >>> x, r = sp.symbols("x r")
        >>> Map([r*x*(1 - x)], [x]).subs(r=4)
        Map(x -> 4*x*(1 - x))
        """
        pairs = dict(mapping or {})
        names = {s.name: s for s in self._params + self._state}
        for k, v in by_name.items():
            if k not in names:
                raise InvalidArgumentError(
                    f"subs got {k}={v!r}, but {k!r} is not a symbol of this map;"
                    f" its parameters are {', '.join(map(str, self._params)) or 'none'}"
                )
            pairs[names[k]] = v
        # text values go through the whitelist parser: SymPy's own subs would eval them
        pairs = {sp.Symbol(k) if isinstance(k, str) else k:
                 as_expr(v, name=f"subs {k}") if isinstance(v, str) else v for k, v in pairs.items()}
        if any(k in self._state for k in pairs):
            bad = [str(k) for k in pairs if k in self._state]
            raise InvalidArgumentError(
                f"subs cannot replace state variables ({', '.join(bad)}); build a new Map instead"
            )
        bind = {k: v for k, v in pairs.items() if k in self._params and _is_number(v)}
        symbolic = {k: v for k, v in pairs.items() if k not in bind}
        out = self._with_values({**self._values, **{k: exact(v, name=str(k)) for k, v in bind.items()}})
        return out._substitute(symbolic) if symbolic else out

    def _with_values(self, values):
        out = copy.copy(self)
        out.__dict__ = {k: v for k, v in self.__dict__.items()
                        if not isinstance(getattr(type(self), k, None), functools.cached_property)}
        out._values = values
        return out

    def _substitute(self, pairs):
        exprs = [e.subs(pairs) for e in self.exprs]
        return Map(exprs, self._state, {p: self._values.get(p) for p in self._params
                                        if p not in pairs})

    # -- numeric side --------------------------------------------------------
    def _bound_values(self) -> tuple[float, ...]:
        require_bound(self, "numeric evaluation")
        try:
            return tuple(float(self._values[p]) for p in self._params)
        except TypeError:
            bad = [f"{p}={self._values[p]}" for p in self._params if not self._values[p].is_number]
            raise FreeParameterError(f"parameter values must be numbers, got {', '.join(bad)}") from None

    def _kernel(self):
        return compile_kernel(self._template, self._state, self._params)

    @functools.cached_property
    def numeric(self) -> NumericMap:
        """The compiled form: ``.step(X)`` and ``.jacobian(X)`` on ``(d,)`` or ``(N, d)``."""
        return NumericMap(self._kernel(), self._bound_values())

    def __call__(self, x):
        """Evaluate the map at a point ``(d,)`` or a batch ``(N, d)``."""
        return self.numeric.step(x)

    # -- display -------------------------------------------------------------
    def __repr__(self) -> str:
        body = ", ".join(f"{s} -> {e}" for s, e in zip(self._state, self.exprs))
        return f"{type(self).__name__}({body})"

    def _repr_latex_(self) -> str:
        rows = r" \\ ".join(
            f"{sp.latex(s)} &\\mapsto {sp.latex(e)}" for s, e in zip(self._state, self.exprs)
        )
        return f"$\\begin{{aligned}}{rows}\\end{{aligned}}$"


def _is_number(v) -> bool:
    if isinstance(v, sp.Basic):
        return bool(v.is_number)
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return not isinstance(v, str)


def require_bound(map, what: str, *, but=()) -> None:
    """Raise :class:`~gdmaps.FreeParameterError` if ``map`` has free parameters (other than ``but``).

    The one message for an unbound parameter: it names them and how to bind them.

    Examples
    --------
    >>> import sympy as sp
    >>> x, r = sp.symbols("x r")
    >>> require_bound(Map([r * x * (1 - x)], [x]), "iterate")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gdmaps.FreeParameterError: iterate needs values for the free parameters r; bind them first, e.g. ...
    """
    free = [p for p in map.free_parameters if str(p) not in {str(b) for b in but}]
    if not free:
        return
    names = ", ".join(str(p) for p in free)
    how = ("pass eta=... or fix it with gdmap.at(eta)" if [str(p) for p in free] == ["eta"]
           else f"bind them first, e.g. map.subs({free[0]}=...)")
    raise FreeParameterError(f"{what} needs values for the free parameters {names}; {how}")
