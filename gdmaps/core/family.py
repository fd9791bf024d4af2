"""A map as a one-parameter family: steps and Jacobians with a parameter value per point.

Orbit diagrams, Lyapunov exponents against a parameter and continuation all evaluate
the map at many parameter values at once. The compiled kernel takes its parameters as
arguments, so a parameter array of one value per point runs as a single numpy batch,
with no recompilation and no Python loop over the values.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from gdmaps.core.compile import _broadcast_rows, compile_kernel
from gdmaps.core.errors import FreeParameterError, InvalidArgumentError
from gdmaps.core.numeric import check_map

__all__ = ["Family", "BackpropRows"]


class BackpropRows:
    """The kernel calls ``rows`` and ``jacobian_rows`` of a GD map without a compiled kernel
    (a network evaluated by backpropagation), from its ``gradient`` and ``hessian``.

    Both take the d coordinate rows ``(N,)`` and then the step size eta (a scalar or ``(N,)``),
    as a compiled kernel takes its state rows and its parameters.
    """

    def __init__(self, numeric):
        self.numeric, self.dim = numeric, numeric.dim

    def _split(self, args):
        rows, (eta,) = args[:self.dim], args[self.dim:]
        N = max(np.size(r) for r in rows)
        X = np.stack([np.broadcast_to(np.asarray(r, dtype=float), (N,)) for r in rows], axis=1)
        return X, np.broadcast_to(np.asarray(eta, dtype=float), (N,))

    def rows(self, *args) -> list:
        X, eta = self._split(args)
        return list((X - eta[:, None] * self.numeric.gradient(X)).T)

    def jacobian_rows(self, *args) -> list:
        X, eta = self._split(args)
        J = np.eye(self.dim) - eta[:, None, None] * self.numeric.hessian(X)
        return list(J.reshape(len(X), -1).T)


class Family:
    """``map`` with ``parameter`` left free.

    Parameters
    ----------
    map : Map or GDMap
        Every parameter other than ``parameter`` must be bound.
    parameter : SymPy symbol or str
        A parameter of the map: its name (``"eta"`` for the step size of a GD map)
        or its symbol.

    Examples
    --------
    >>> from gdmaps.maps import logistic
    >>> fam = Family(logistic(3.2), "r")
    >>> fam.step_T(np.array([[0.5, 0.5]]), np.array([2.0, 4.0]))
    array([[0.5, 1. ]])
    >>> fam.jacobian(np.array([[0.25]]), 4.0)
    array([[[2.]]])
    """

    def __init__(self, map, parameter):
        check_map(map, what="a Map or GDMap")
        names = {p.name: p for p in map.parameters}
        if isinstance(parameter, str):
            if parameter not in names:
                raise InvalidArgumentError(
                    f"parameter {parameter!r} is not a parameter of this map; its parameters are"
                    f" {', '.join(names) or 'none'}")
            parameter = names[parameter]
        if not isinstance(parameter, sp.Symbol) or parameter not in map.parameters:
            raise InvalidArgumentError(
                f"parameter must be one of the map's parameters ({', '.join(names) or 'none'}),"
                f" got {parameter!r}")
        others = [p for p in map.free_parameters if p != parameter]
        if others:
            raise FreeParameterError(
                f"bind the other parameters first ({', '.join(str(o) for o in others)}), e.g."
                f" .subs({others[0]}=...)")
        self.map = map
        self.parameter = parameter
        self.dim = map.dim
        self.index = map.parameters.index(parameter)
        if not getattr(map, "symbolic", True):  # a network by backprop: no formula to compile
            if parameter.name != "eta":
                raise InvalidArgumentError(f"a network evaluated by backpropagation varies only in its"
                                           f" step size eta, got parameter {parameter}")
            self.kernel = BackpropRows(map.numeric)
        else:
            self.kernel = compile_kernel(map.template, map.state, map.parameters)
        self._values = [float(map.values[p]) if p in map.values and p != parameter else np.nan
                        for p in map.parameters]
        value = map.values.get(parameter)
        self.value = None if value is None or not value.is_number else float(value)

    def _args(self, p):
        vals = list(self._values)
        vals[self.index] = p
        return vals

    def step_T(self, S, p) -> np.ndarray:
        """One step of a transposed batch ``S`` (d, N) at parameter ``p`` (scalar or (N,))."""
        with np.errstate(all="ignore"):
            return _broadcast_rows(self.kernel.rows(*S, *self._args(p)), S.shape[1])

    def advance_rows(self, rows, p, n: int) -> list:
        """``n`` steps of a list of coordinate rows at parameter ``p`` (scalar or (N,)).

        The rows stay separate arrays between steps (no re-stacking), as in
        :meth:`gdmaps.core.compile.NumericMap.advance_T`; constant components may come back
        as scalars, which the caller broadcasts.
        """
        f, args = self.kernel.rows, self._args(p)
        rows = list(rows)
        with np.errstate(all="ignore"):
            for _ in range(n):
                rows = f(*rows, *args)
        return rows

    def step(self, X, p) -> np.ndarray:
        """One step of a batch ``X`` (N, d) at parameter ``p`` (scalar or (N,))."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return self.step_T(X.T, p).T

    def jacobian(self, X, p) -> np.ndarray:
        """Jacobians (N, d, d) of a batch ``X`` (N, d) at parameter ``p`` (scalar or (N,))."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        S = X.T
        with np.errstate(all="ignore"):
            J = _broadcast_rows(self.kernel.jacobian_rows(*S, *self._args(p)), S.shape[1])
        return J.T.reshape(-1, self.dim, self.dim)

    def at(self, p):
        """The map with the parameter bound to ``p``."""
        return self.map.subs({self.parameter: p})

    def __repr__(self) -> str:
        return f"Family({self.map!r} in {self.parameter})"
