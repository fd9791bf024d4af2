"""Compiled numeric forms of symbolic maps: batches of points at numpy speed.

A :class:`Kernel` is built once per symbolic template (expressions with the
parameters still symbolic) and cached, so binding new parameter values, e.g. a
new step size, costs nothing. A :class:`NumericMap` is a kernel with values
bound. Internally states are stored transposed, shape ``(d, N)``: each
coordinate is one contiguous array, and the generated code is the same
sequence of array operations one would write by hand.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from gdmaps.core.errors import InvalidArgumentError
from gdmaps.core.numeric import Numeric
from gdmaps.core.symbols import real_derivatives

__all__ = ["Kernel", "NumericMap", "compile_kernel", "lambdify_rows"]

_MODULES = [{"DiracDelta": lambda *_: 0.0}, "numpy"]


def offkink(expr):
    """Second derivatives of kinks are Dirac deltas; off the kinks they vanish."""
    expr = sp.sympify(expr, strict=True)  # strict: never parses text
    return expr.replace(sp.DiracDelta, lambda *args: sp.S.Zero) if expr.has(sp.DiracDelta) else expr


def lambdify_rows(args, exprs):
    """Compile ``exprs`` into one function of ``args`` returning a list of arrays.

    Common subexpressions are shared (SymPy ``cse``); constant entries come back
    as scalars, which callers broadcast.
    """
    exprs = [offkink(e) for e in exprs]
    return sp.lambdify(args, exprs, modules=_MODULES, cse=True, docstring_limit=0)


@dataclass(frozen=True, eq=False)
class Kernel:
    """Compiled functions of one symbolic template; see :func:`compile_kernel`."""

    template: tuple
    state: tuple
    params: tuple

    @functools.cached_property
    def rows(self):
        return lambdify_rows(self.state + self.params, self.template)

    @functools.cached_property
    def jacobian_rows(self):
        jac = [d for e in self.template for d in real_derivatives(e, self.state)]
        return lambdify_rows(self.state + self.params, jac)


@functools.lru_cache(maxsize=512)
def compile_kernel(template: tuple, state: tuple, params: tuple) -> Kernel:
    """The cached kernel of a template; functions compile on first use."""
    return Kernel(template, state, params)


def _broadcast_rows(rows, n):
    """Stack a list of arrays/scalars into a float array of shape (len(rows), n)."""
    out = np.empty((len(rows), n))
    for i, r in enumerate(rows):
        out[i] = r
    return out


class NumericMap(Numeric):
    """A compiled map with its parameter values bound: a :class:`~gdmaps.core.numeric.Numeric`.

    Evaluates one point of shape ``(d,)`` or a batch of shape ``(N, d)``.
    Non-finite results are returned as they are (inf, nan), without warnings:
    the caller classifies them.
    """

    def __init__(self, kernel: Kernel, values: tuple[float, ...]):
        self.kernel = kernel
        self.values = tuple(float(v) for v in values)
        self.dim = len(kernel.state)

    # -- the forms used by the iteration engines ----------------------------
    def step_rows(self, rows: list) -> list:
        """One step on a list of coordinate rows (constant components may be scalars)."""
        return self.kernel.rows(*rows, *self.values)

    def step_T(self, S: np.ndarray) -> np.ndarray:
        """One step on a transposed batch ``S`` of shape (d, N)."""
        return _broadcast_rows(self.kernel.rows(*S, *self.values), S.shape[1])

    def advance_T(self, S: np.ndarray, n: int) -> np.ndarray:
        """``n`` steps on a transposed batch; rows stay separate arrays in between."""
        if n <= 0:
            return S
        f, vals = self.kernel.rows, self.values
        rows = list(S)
        for _ in range(n):
            rows = f(*rows, *vals)
        return _broadcast_rows(rows, S.shape[1])

    # -- the public (N, d) form ---------------------------------------------
    def _as_batch(self, X, name="x"):
        X = np.asarray(X, dtype=float)
        if X.ndim not in (1, 2) or X.shape[-1] != self.dim:
            raise InvalidArgumentError(
                f"{name} must have shape ({self.dim},) or (N, {self.dim}), got {X.shape}"
            )
        return X

    def step(self, X) -> np.ndarray:
        """The image of a point ``(d,)`` or of a batch ``(N, d)``."""
        X = self._as_batch(X)
        with np.errstate(all="ignore"):
            out = self.step_T(np.atleast_2d(X).T).T
        return out[0] if X.ndim == 1 else out

    __call__ = step

    def jacobian(self, X) -> np.ndarray:
        """The Jacobian at a point ``(d,) -> (d, d)`` or a batch ``(N, d) -> (N, d, d)``."""
        X = self._as_batch(X)
        S = np.atleast_2d(X).T
        with np.errstate(all="ignore"):
            J = _broadcast_rows(self.kernel.jacobian_rows(*S, *self.values), S.shape[1])
        J = J.T.reshape(-1, self.dim, self.dim)
        return J[0] if X.ndim == 1 else J
