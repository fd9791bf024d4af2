"""Multilayer perceptrons with a squared or cross-entropy loss, as GD maps of any size."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import sympy as sp

from gdmaps.core.errors import (InvalidArgumentError, InvalidTypeError, check_choice, check_finite_array,
                                check_int, check_positive_finite)
from gdmaps.core.gd import ETA, GDMap
from gdmaps.models._backprop import ACTIVATIONS, BackpropGD, Network
from gdmaps.core.symbols import exact

__all__ = ["mlp", "MLPMap", "SYMBOLIC_LIMIT"]

#: ``symbolic=None`` builds the SymPy loss when n_params * n_data is at most this: past
#: it, compiling the symbolic Jacobian (P^2 entries, each a sum over n points) takes seconds.
SYMBOLIC_LIMIT = 100

REDUCTIONS = ("sum", "mean")
LOSSES = ("squared", "cross_entropy")


def _ev(f, *args):
    # SymPy's automatic simplification of an activation queries assumptions on every
    # pre-activation and dominated the build (10-30x); it only matters for numbers.
    return f(*args, evaluate=all(sp.sympify(a, strict=True).is_number for a in args))


_SYMPY_ACTIVATIONS = {
    "tanh": lambda z: _ev(sp.tanh, z),
    "sigmoid": lambda z: _ev(sp.Pow, 1 + _ev(sp.exp, -z), -1),
    "softplus": lambda z: _ev(sp.log, 1 + _ev(sp.exp, z)),
    "relu": lambda z: _ev(sp.Max, 0, z),
}


def mlp(X, Y, widths, activation, *, loss="squared", reduction="sum", bias=False, symbolic=None,
        eta=None):
    """The GD map of a multilayer perceptron with the squared or the cross-entropy loss.

    Parameters
    ----------
    X : array (d_in, n)
        Inputs, one data point per column (a 1-D array is one input feature).
    Y : array (d_out, n)
        Targets, one per column of ``X`` (a 1-D array is one output).
    widths : sequence of int
        Widths of the hidden layers, each >= 1; empty for a linear model.
    activation : {"tanh", "sigmoid", "softplus", "relu"}
        Applied entrywise on the hidden layers; the output layer is linear.
    loss : {"squared", "cross_entropy"}, keyword-only
        The squared error, or the cross-entropy of the outputs read as logits:
        logistic with one output (targets in [0, 1]), softmax with several (each
        target column a probability vector, e.g. one-hot). See Notes.
    reduction : {"sum", "mean"}, keyword-only
        Sum the per-point losses over the data points, or average them.
    bias : bool, keyword-only
        Give every layer a bias vector.
    symbolic : bool or None, keyword-only
        True builds the SymPy loss and an ordinary :class:`~gdmaps.GDMap`; False
        returns an :class:`MLPMap`, evaluated by backpropagation in numpy; None
        picks True when ``n_params * n_data <= SYMBOLIC_LIMIT`` (100) and no
        row of ``X`` is all zeros.
    eta : positive float, optional, keyword-only
        The step size; left symbolic when not given.

    Returns
    -------
    GDMap
        With parameters ``W{l}_{row}_{col}`` and ``b{l}_{row}`` (layer ``l`` from
        1), layer by layer, weights row-major, then that layer's biases.

    Examples
    --------
    >>> X, Y = [[0.0, 1.0, 2.0]], [[0.0, 1.0, 4.0]]
    >>> g = mlp(X, Y, [2], "tanh", eta=0.1)
    >>> g.state
    (W1_0_0, W1_1_0, W2_0_0, W2_0_1)
    >>> g.loss.subs({g.state[0]: 0, g.state[1]: 0})  # hidden layer off: f = 0
    17/2
    >>> big = mlp(X, Y, [2], "tanh", eta=0.1, symbolic=False)  # numpy backprop
    >>> big
    MLPMap(tanh 1-2-1, sum over 3 points, 4 params, eta = 1/10)
    >>> theta = np.array([0.5, -1.0, 1.0, 2.0])
    >>> print(round(float(big.numeric.loss(theta)), 6), round(float(g.numeric.loss(theta)), 6))
    15.470167 15.470167
    >>> xor = mlp([[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 1, 1, 0]], [2], "tanh", loss="cross_entropy")
    >>> xor.loss.subs({p: 0 for p in xor.state})  # f = 0: log 2 per point
    4*log(2)

    Notes
    -----
    With ``f(x) = W_L s(W_{L-1} ... s(W_1 x + b_1) ... + b_{L-1}) + b_L``,

    .. math:: L(\\theta) = \\frac{c}{2} \\sum_{i=1}^n \\lVert f(x_i) - y_i \\rVert^2,

    ``c = 1`` for "sum" and ``c = 1/n`` for "mean", so eta* for "mean" is n times
    the one for "sum". The cross-entropy has no factor 1/2:

    .. math:: L(\\theta) = c \\sum_{i=1}^n \\ell(f(x_i), y_i),\\quad
              \\ell(f, y) = \\log(1 + e^f) - y f \\ \\text{(one output)},\\quad
              \\ell(f, y) = \\log \\textstyle\\sum_k e^{f_k} - y \\cdot f \\ \\text{(several)},

    the negative log-likelihood of sigmoid(f) or softmax(f); on separable data its
    infimum 0 is not attained, so GD has no minimum to converge to. ReLU is
    ``Max(0, z)``, differentiated off its kinks; at a kink both paths take
    ``Heaviside(0) = 1/2``. Data are read exactly (0.1 is 1/10).

    In the numpy path the SymPy objects (``.loss``, ``.gradient()``,
    ``.hessian()``, ``.exprs``) are built on first access, which is slow for
    thousands of parameters; ``.numeric``, ``.at(eta)`` and ``.subs(eta=...)``
    never build them.
    """
    Xa, Ya = _data("X", X), _data("Y", Y)
    if Xa.shape[1] != Ya.shape[1]:
        raise InvalidArgumentError(
            f"X and Y must have the same number of columns (data points), got X of shape"
            f" {Xa.shape} and Y of shape {Ya.shape}")
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (Sequence, np.ndarray)):
        raise InvalidTypeError(f"widths must be a sequence of integers >= 1, got {widths!r}")
    widths = tuple(check_int(f"widths[{k}]", w, minimum=1) for k, w in enumerate(widths))
    check_choice("activation", activation, tuple(ACTIVATIONS))
    check_choice("loss", loss, LOSSES)
    check_choice("reduction", reduction, REDUCTIONS)
    if loss == "cross_entropy":
        _check_targets(Ya)
    if not isinstance(bias, (bool, np.bool_)):
        raise InvalidTypeError(f"bias must be True or False, got {bias!r}")
    if symbolic is not None and not isinstance(symbolic, (bool, np.bool_)):
        raise InvalidTypeError(f"symbolic must be True, False or None, got {symbolic!r}")
    eta = None if eta is None else check_positive_finite("eta", eta)
    scale = 1.0 if reduction == "sum" else 1.0 / Xa.shape[1]
    net = Network(Xa, Ya, widths, activation, scale=scale, bias=bool(bias), criterion=loss)
    spec = _Spec(net, np.asarray(X, dtype=object), np.asarray(Y, dtype=object), reduction)
    zero = np.flatnonzero(~Xa.any(axis=1))  # an all-zero feature drops its weights from the loss
    if symbolic is None:
        symbolic = net.n_params * net.n_data <= SYMBOLIC_LIMIT and not zero.size
    if symbolic:
        if zero.size:
            raise InvalidArgumentError(
                f"X row {zero[0]} is all zeros, so the weights W1_*_{zero[0]} do not appear in"
                " the SymPy loss and cannot be the state of a GDMap; drop that feature or pass"
                " symbolic=False")
        gdmap = GDMap(spec.loss, spec.symbols, eta)
        gdmap.network = net  # the layout, for network initializations (gdmaps.core.samplers)
        return gdmap
    return MLPMap(spec, eta)


def _check_targets(Y):
    if Y.min() < 0 or Y.max() > 1:
        raise InvalidArgumentError(
            f"Y must lie in [0, 1] for loss='cross_entropy' (probabilities or one-hot labels), got"
            f" values from {Y.min():g} to {Y.max():g}")
    if Y.shape[0] > 1 and not np.allclose(Y.sum(axis=0), 1.0):
        k = int(np.argmax(np.abs(Y.sum(axis=0) - 1.0)))
        raise InvalidArgumentError(
            f"each column of Y must sum to 1 for loss='cross_entropy' with {Y.shape[0]} outputs"
            f" (softmax; one-hot labels), but column {k} sums to {Y[:, k].sum():g}")


def _data(name, value):
    arr = check_finite_array(name, value)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or 0 in arr.shape:
        raise InvalidArgumentError(
            f"{name} must be a non-empty array of shape (features, data points), got shape"
            f" {np.shape(value)}")
    return arr


def _exact_data(obj, shape):
    # Exact entries (ints, Rationals) stay exact; floats become the decimal they print as.
    obj = obj.reshape(shape)
    return [[exact(v) if isinstance(v, sp.Basic) else exact(float(v)) for v in row] for row in obj]


class _Spec:
    """The SymPy side of a network: symbols now, the loss and its derivatives on demand.

    One instance is shared by every copy of an :class:`MLPMap` (``.at``, ``.subs``),
    so each SymPy object is built at most once.
    """

    def __init__(self, net: Network, X, Y, reduction):
        # X, Y: the data as given (object arrays), made exact only if the loss is built
        self.net, self._raw, self.reduction = net, (X, Y), reduction
        self.symbols = tuple(sp.Symbol(s, real=True) for s in net.names())

    @functools.cached_property
    def loss(self) -> sp.Expr:
        net, sigma = self.net, _SYMPY_ACTIVATIONS[self.net.activation]
        layers, it = [], iter(self.symbols)
        for o, i in net.shapes:
            W = [[next(it) for _ in range(i)] for _ in range(o)]
            layers.append((W, [next(it) for _ in range(o)] if net.bias else [0] * o))
        X, Y = (_exact_data(raw, arr.shape) for raw, arr in zip(self._raw, (net.X, net.Y)))
        terms = []
        for k in range(net.n_data):
            a = [row[k] for row in X]
            for l, (W, b) in enumerate(layers):
                z = [sp.Add(*(w * x for w, x in zip(Wr, a)), br) for Wr, br in zip(W, b)]
                a = z if l == len(layers) - 1 else [sigma(v) for v in z]
            ys = [row[k] for row in Y]
            if net.criterion == "squared":
                terms += [(fk - yk) ** 2 for fk, yk in zip(a, ys)]
            elif len(a) == 1:  # logistic: log(1 + e^f) - y f
                terms.append(sp.log(1 + sp.exp(a[0])) - ys[0] * a[0])
            else:  # softmax: log sum_k e^{f_k} - y . f
                terms.append(sp.log(sp.Add(*(sp.exp(f) for f in a)))
                             - sp.Add(*(yk * fk for fk, yk in zip(a, ys))))
        c = sp.Rational(1, 1 if self.reduction == "sum" else net.n_data)
        return (c / 2 if net.criterion == "squared" else c) * sp.Add(*terms)

    @functools.cached_property
    def gradient(self) -> tuple:
        return tuple(sp.diff(self.loss, p) for p in self.symbols)

    @functools.cached_property
    def step(self) -> tuple:
        return tuple(p - ETA * g for p, g in zip(self.symbols, self.gradient))


class MLPMap(GDMap):
    """The GD map of an MLP whose numeric form is numpy backpropagation; see :func:`mlp`.

    A :class:`~gdmaps.GDMap` whose SymPy loss, gradient and step are built only
    when first asked for (they are properties here, plain attributes in GDMap),
    once for this map and every copy made by ``.at`` or ``.subs(eta=...)``.
    Built by :func:`mlp` with ``symbolic=False``, not directly.
    """

    def __init__(self, spec: _Spec, eta=None):
        self._spec = spec
        self._state = spec.symbols
        self._params = (ETA,)
        self._values = {} if eta is None else {ETA: exact(eta, name="eta")}

    @property
    def _loss_template(self):
        return self._spec.loss

    @property
    def _grad_template(self):
        return self._spec.gradient

    @property
    def _template(self):
        return self._spec.step

    @property
    def network(self) -> Network:
        """Architecture, data and parameter layout."""
        return self._spec.net

    @functools.cached_property
    def numeric(self) -> BackpropGD:
        """Loss, gradient, step, Hessian and HVPs on batches, by backpropagation.

        With eta free, the loss and its derivatives evaluate; steps raise.
        """
        eta = self._values.get(ETA)
        return BackpropGD(self._spec.net, None if eta is None else float(eta))

    symbolic = False  # analyses take their numeric route; the SymPy side is built on request only

    def describe(self) -> str:
        """The loss in one line, without building it: architecture, loss and data."""
        net = self._spec.net
        what = "squared error" if net.criterion == "squared" else "cross-entropy"
        return (f"L = the {self._spec.reduction} {what} of a {net.activation}"
                f" {'-'.join(map(str, net.sizes))} network{' with biases' if net.bias else ''} on"
                f" {net.n_data} points ({net.n_params} parameters, by backpropagation)")

    def __repr__(self) -> str:
        net = self._spec.net
        return (f"MLPMap({net.activation} {'-'.join(map(str, net.sizes))}"
                f"{' with bias' if net.bias else ''},"
                f"{' cross-entropy,' if net.criterion == 'cross_entropy' else ''} {self._spec.reduction} over"
                f" {net.n_data} points, {net.n_params} params, eta = {self.eta})")

    def _repr_latex_(self):
        return None  # the formula may be huge; notebooks fall back to repr
