"""The gradient-descent map of a loss: G(theta) = theta - eta * grad L(theta)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from gdmaps.core.compile import Kernel, NumericMap, _broadcast_rows, offkink, lambdify_rows
from gdmaps.core.errors import FreeParameterError, InvalidArgumentError
from gdmaps.core.map import Map
from gdmaps.core.parsing import parse_expression
from gdmaps.core.symbols import as_expr, as_symbols, exact_floats, exact_step, real_derivatives

__all__ = ["GDMap", "NumericGD", "ETA", "at_step", "step_of"]

#: The step-size symbol of every GD map: positive and real.
ETA = sp.Symbol("eta", positive=True)


class GDMap(Map):
    """The gradient-descent map of a scalar SymPy loss.

    Parameters
    ----------
    loss : SymPy expression (or string)
        A scalar loss L(theta). Piecewise losses (``Max``, ``Piecewise``, ReLU)
        are differentiated off their kinks. A number written with a decimal point is
        read as that decimal (``0.2`` is 1/5, as on the command line), so the
        symbolic analyses that follow are exact. A string is read by the whitelist
        parser :func:`gdmaps.core.parsing.parse_expression` and never run as Python.
    params : sequence of symbols (or names)
        The trainable parameters theta: the state of the map, in order.
    eta : positive number, optional
        The step size (a bool is refused; a string such as ``"1/3"`` is read exactly).
        Left as the positive symbol ``eta`` until fixed, here or with :meth:`at`.

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> g = GDMap((a*b - 1)**2 / 2, [a, b])
    >>> g.eta
    eta
    >>> g.hessian()
    Matrix([
    [     b**2, 2*a*b - 1],
    [2*a*b - 1,      a**2]])
    >>> g.at(0.5)([2.0, 0.5])
    array([2. , 0.5])
    >>> GDMap("(a*b - 1)^2/2", ["a", "b"], eta="1/3").eta
    1/3

    Notes
    -----
    G(theta) = theta - eta * grad L(theta) and DG = I - eta * H(theta), with H the
    Hessian of L. Fixed points of G are the critical points of L for every eta.
    """

    def __init__(self, loss, params, eta=None):
        loss = exact_floats(as_expr(loss, name="loss"), name="loss")
        if loss.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise InvalidArgumentError(f"loss must be finite, got {loss} (it holds nan or an infinity)")
        state = as_symbols(params, name="params")
        missing = [str(p) for p in state if p not in loss.free_symbols]
        if missing:
            raise InvalidArgumentError(
                f"params must appear in the loss; {', '.join(missing)} do not appear in {loss}"
            )
        if any(s.name == ETA.name for s in loss.free_symbols):
            raise InvalidArgumentError(
                "the loss must not contain a symbol named 'eta': that name is the step size"
            )
        value = None if eta is None else exact_step(eta)
        grad = tuple(real_derivatives(loss, state))
        self._loss_template = loss
        self._grad_template = grad
        self._init([p - ETA * g for p, g in zip(state, grad)], state, {ETA: value})

    #: Whether the SymPy side is cheap to build. False for a network evaluated by
    #: backpropagation (``mlp(..., symbolic=False)``): its formula is built only on request,
    #: so analyses take their numeric route and name the map by :meth:`describe`.
    symbolic = True

    def describe(self) -> str:
        """The map in one line: ``L = <the loss>`` (a network says its architecture instead)."""
        return f"L = {self.loss}"

    # -- symbolic side -------------------------------------------------------
    @property
    def eta(self):
        """The step size: the symbol ``eta`` until bound, then its exact value."""
        return self._values.get(ETA, ETA)

    def at(self, eta) -> GDMap:
        """The same map with the step size fixed to ``eta`` (> 0)."""
        return self._with_values({**self._values, ETA: exact_step(eta)})

    @functools.cached_property
    def loss(self) -> sp.Expr:
        """The loss, with bound parameter values substituted."""
        return self._loss_template.xreplace(self._values)

    def gradient(self) -> sp.Matrix:
        """The gradient of the loss as a column matrix."""
        return sp.Matrix(self._grad_template).xreplace(self._values)

    def hessian(self) -> sp.Matrix:
        """The Hessian of the loss (Dirac terms of kinks dropped)."""
        return self._hessian_template().xreplace(self._values)

    def _hessian_template(self) -> sp.Matrix:
        H = sp.Matrix([real_derivatives(g, self._state) for g in self._grad_template])
        return H.applyfunc(offkink)

    def jacobian(self) -> sp.Matrix:
        """DG = I - eta * H."""
        return sp.eye(self.dim) - self.eta * self.hessian()

    def subs(self, mapping=None, /, **by_name):
        """Bind parameter values, or substitute expressions; see :meth:`Map.subs`.

        A string value is read by the whitelist parser (never run as Python).

        Examples
        --------
        >>> GDMap("(a*b - y)^2/2", ["a", "b"]).subs(y="1/3")
        GDMap(L = (a*b - 1/3)**2/2, eta = eta)
        """
        def read(key, value):
            return parse_expression(value, name=f"subs {key}") if isinstance(value, str) else value
        mapping = {k: read(k, v) for k, v in dict(mapping or {}).items()}
        return super().subs(mapping, **{k: read(k, v) for k, v in by_name.items()})

    def _substitute(self, pairs):
        eta = self._values.get(ETA)
        loss = self._loss_template.subs({k: v for k, v in pairs.items() if k != ETA})
        out = GDMap(loss.xreplace({k: v for k, v in self._values.items() if k != ETA}),
                    self._state, eta)
        return out.subs({ETA: pairs[ETA]}) if ETA in pairs else out

    # -- numeric side --------------------------------------------------------
    @functools.cached_property
    def numeric(self) -> NumericGD:
        """The compiled form, with ``loss``, ``gradient`` and ``hessian`` on batches."""
        kernel = compile_kernel_gd(self._template, self._state, self._params,
                                   self._loss_template)
        if ETA in self._values:
            return NumericGD(kernel, self._bound_values(), self._params.index(ETA))
        # the loss and its derivatives need no step size: evaluate them, refuse steps
        values = self._with_values({**self._values, ETA: sp.nan})
        return NumericGD(kernel, values._bound_values(), self._params.index(ETA))

    def __repr__(self) -> str:
        return f"GDMap(L = {self.loss}, eta = {self.eta})"


@dataclass(frozen=True, eq=False)
class GDKernel(Kernel):
    """Compiled loss, gradient and Hessian beside the step of a GD map."""

    loss_template: sp.Expr = sp.S.Zero

    @functools.cached_property
    def loss_rows(self):
        return lambdify_rows(self.state + self.params, [self.loss_template])

    @functools.cached_property
    def gradient_rows(self):
        grad = real_derivatives(self.loss_template, self.state)
        return lambdify_rows(self.state + self.params, grad)

    @functools.cached_property
    def hessian_rows(self):
        grad = real_derivatives(self.loss_template, self.state)
        return lambdify_rows(self.state + self.params,
                             [h for g in grad for h in real_derivatives(g, self.state)])


@functools.lru_cache(maxsize=512)
def compile_kernel_gd(template, state, params, loss) -> GDKernel:
    """The cached GD kernel of a loss template; functions compile on first use."""
    return GDKernel(template, state, params, loss)


class NumericGD(NumericMap):
    """A compiled GD map: the step, and the loss, gradient and Hessian on batches."""

    capabilities = frozenset({"loss", "gradient", "hessian"})

    def __init__(self, kernel, values, eta_index: int):
        super().__init__(kernel, values)
        self.eta = None if np.isnan(self.values[eta_index]) else self.values[eta_index]

    @property
    def can_step(self) -> bool:
        """False while the step size is free: the loss and its derivatives evaluate, steps raise."""
        return self.eta is not None

    def _need_eta(self):
        if self.eta is None:
            raise FreeParameterError(
                "this GD map has no step size yet: pass eta=... or fix it with .at(eta)")

    def step_rows(self, rows):
        self._need_eta()
        return super().step_rows(rows)

    def step_T(self, S):
        self._need_eta()
        return super().step_T(S)

    def advance_T(self, S, n):
        self._need_eta()
        return super().advance_T(S, n)

    def jacobian(self, X):
        self._need_eta()
        return super().jacobian(X)

    def _rows(self, f, X, shape):
        X = self._as_batch(X)
        S = np.atleast_2d(X).T
        with np.errstate(all="ignore"):
            out = _broadcast_rows(f(*S, *self.values), S.shape[1]).T.reshape((-1,) + shape)
        if X.ndim == 1:
            return float(out[0]) if shape == () else out[0]
        return out

    def loss(self, X) -> np.ndarray:
        """L at a point ``(d,) -> ()`` or a batch ``(N, d) -> (N,)``."""
        return self._rows(self.kernel.loss_rows, X, ())

    def gradient(self, X) -> np.ndarray:
        """grad L at a point ``(d,)`` or a batch ``(N, d)``."""
        return self._rows(self.kernel.gradient_rows, X, (self.dim,))

    def hessian(self, X) -> np.ndarray:
        """The Hessian at a point ``(d, d)`` or a batch ``(N, d, d)``."""
        return self._rows(self.kernel.hessian_rows, X, (self.dim, self.dim))


# -- the one rule for passing a step size --------------------------------------------
# Every function that runs a map takes ``eta=`` keyword-only; left out, the map's own
# bound step size is used, and a GD map whose step size is still free raises.


def at_step(map, eta):
    """``map`` with its step size fixed to ``eta``; ``map`` itself when ``eta`` is None.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> at_step(GDMap(x**2 / 2, [x]), 0.5).eta
    1/2
    >>> at_step(GDMap(x**2 / 2, [x]).at(0.5), None).eta
    1/2
    """
    if eta is None:
        return map
    if not isinstance(map, GDMap) and ETA in getattr(map, "parameters", ()):
        return map.subs({ETA: exact_step(eta)})  # a map with a step size eta (a GD variant)
    if not isinstance(map, GDMap):
        raise InvalidArgumentError(
            f"eta is the step size of a GD map; this {type(map).__name__} has none (got eta={eta!r}):"
            " bind a map's parameters with map.subs(name=value)")
    return map.at(eta)


def step_of(gdmap, eta) -> sp.Expr:
    """The exact step size: ``eta`` read exactly, else the map's own; free raises.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> step_of(GDMap(x**2 / 2, [x]), "0.1")
    1/10
    >>> step_of(GDMap(x**2 / 2, [x]), None)
    Traceback (most recent call last):
    ...
    gdmaps.FreeParameterError: eta is free in this GD map: pass eta=... or fix it with gdmap.at(eta)
    """
    if eta is not None:
        return exact_step(eta)
    if gdmap.eta == ETA:
        raise FreeParameterError("eta is free in this GD map: pass eta=... or fix it with gdmap.at(eta)")
    return gdmap.eta
