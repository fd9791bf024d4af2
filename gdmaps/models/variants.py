"""Variants of gradient descent as maps: heavy-ball and Nesterov momentum, cyclic mini-batch SGD.

Each builder returns a :class:`VariantMap`, an ordinary :class:`~gdmaps.Map` (so every
analysis runs on it: iterate, fixed_points, periodic_orbits, cell_map, continuation in
``eta`` or ``beta``) that also keeps the loss it descends, its step size ``eta`` and its
momentum ``beta``, and writes its Jacobian in block form.
"""

from __future__ import annotations

import functools

import sympy as sp

from gdmaps.core.compile import offkink
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.core.gd import ETA, GDMap
from gdmaps.core.map import Map
from gdmaps.core.symbols import as_expr, as_symbols, exact, exact_floats, exact_step, real_derivatives

__all__ = ["VariantMap", "heavy_ball", "nesterov", "cyclic_sgd", "BETA", "KINDS"]

#: The momentum symbol of the momentum maps.
BETA = sp.Symbol("beta", nonnegative=True)

#: The variants: names of :attr:`VariantMap.kind`.
KINDS = ("heavy-ball", "nesterov", "cyclic-sgd")


class VariantMap(Map):
    """A GD variant as a map; built by :func:`heavy_ball`, :func:`nesterov` or :func:`cyclic_sgd`.

    Attributes
    ----------
    kind : {"heavy-ball", "nesterov", "cyclic-sgd"}
    theta : tuple of symbols
        The parameters of the loss (the first ``len(theta)`` state variables).
    velocity : tuple of symbols
        The velocities ``v_<name>`` of the momentum maps (the rest of the state); empty for SGD.
    batch_losses : tuple of expressions
        The losses one application runs through: one for momentum, one per batch for SGD.
    """

    def __init__(self, kind, exprs, theta, velocity, batch_losses, values):
        self.kind, self.theta, self.velocity = kind, tuple(theta), tuple(velocity)
        self.batch_losses = tuple(batch_losses)
        self._init(exprs, self.theta + self.velocity, values)

    # -- the step size and the momentum ----------------------------------------------
    @property
    def eta(self):
        """The step size: the symbol ``eta`` until bound, then its exact value."""
        return self._values.get(ETA, ETA)

    @property
    def beta(self):
        """The momentum: the symbol ``beta`` until bound, then its exact value (None for SGD)."""
        return None if self.kind == "cyclic-sgd" else self._values.get(BETA, BETA)

    def at(self, eta) -> VariantMap:
        """The same map with the step size fixed to ``eta`` (> 0)."""
        return self._with_values({**self._values, ETA: exact_step(eta)})

    # -- the loss behind it -----------------------------------------------------------
    @functools.cached_property
    def loss(self) -> sp.Expr:
        """The full loss: the loss of a momentum map, the sum of the batch losses for SGD."""
        return sp.Add(*self.batch_losses).xreplace(self._values)

    def gd_map(self) -> GDMap:
        """Plain GD on :attr:`loss`, at this map's step size (the variant with beta = 0, one batch)."""
        return GDMap(self.loss, self.theta, None if self.eta == ETA else self.eta)

    def jacobian(self) -> sp.Matrix:
        """The Jacobian in block form (see the builders' Notes); equal to the derivative of :attr:`exprs`."""
        d, eta = len(self.theta), self.eta
        I = sp.eye(d)
        if self.kind == "cyclic-sgd":
            J, point = I, dict(zip(self.theta, self.theta))
            for L in self.batch_losses:
                H = _hessian(L.xreplace(self._values), self.theta).xreplace(point)
                J = (I - eta * H) * J
                g = [gi.xreplace(point) for gi in real_derivatives(L.xreplace(self._values), self.theta)]
                point = {p: point[p] - eta * gi for p, gi in zip(self.theta, g)}
            return J
        beta = self.beta
        H = _hessian(self.loss, self.theta)
        if self.kind == "heavy-ball":
            return sp.BlockMatrix([[I - eta * H, beta * I], [-eta * H, beta * I]]).as_explicit()
        Hy = H.xreplace({p: p + beta * v for p, v in zip(self.theta, self.velocity)})
        A = I - eta * Hy
        return sp.BlockMatrix([[A, beta * A], [-eta * Hy, beta * A]]).as_explicit()

    def __repr__(self) -> str:
        if self.kind == "cyclic-sgd":
            return (f"VariantMap(cyclic-sgd over {len(self.batch_losses)} batches of"
                    f" L = {self.loss}, eta = {self.eta})")
        return f"VariantMap({self.kind}, L = {self.loss}, beta = {self.beta}, eta = {self.eta})"


def _hessian(loss, theta) -> sp.Matrix:
    grad = real_derivatives(loss, theta)
    return sp.Matrix([real_derivatives(g, theta) for g in grad]).applyfunc(offkink)


def _loss(loss, name):
    loss = exact_floats(as_expr(loss, name=name), name=name)
    if loss.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise InvalidArgumentError(f"{name} must be finite, got {loss} (it holds nan or an infinity)")
    return loss


def _reserved(losses, theta, extra=()):
    taken = {s.name for L in losses for s in L.free_symbols} | {s.name for s in theta}
    for sym in (ETA, BETA, *extra):
        if sym.name in taken:
            raise InvalidArgumentError(
                f"the loss or state uses the name {sym.name!r}, which this map reserves"
                f" ({'the step size' if sym is ETA else 'the momentum' if sym is BETA else 'a velocity'});"
                " rename that symbol")


def _beta(beta):
    if beta is None:
        return None
    if isinstance(beta, bool):
        raise InvalidTypeError(f"beta must be a number in [0, 1), got the bool {beta!r}")
    value = exact(beta, name="beta")
    if not (value.is_number and value.is_real and 0 <= value < 1):
        raise InvalidArgumentError(f"beta must be a number in [0, 1) (0 is plain GD), got {beta!r}")
    return value


def _momentum(kind, loss, state, beta, eta):
    loss = _loss(loss, "loss")
    gd = GDMap(loss, state)  # checks the state against the loss
    theta = gd.state
    velocity = tuple(sp.Symbol(f"v_{p.name}", real=True) for p in theta)
    _reserved([loss], theta, velocity)
    grad = list(gd.gradient())
    if kind == "nesterov":
        look = {p: p + BETA * v for p, v in zip(theta, velocity)}
        grad = [g.xreplace(look) for g in grad]
    v_new = [BETA * v - ETA * g for v, g in zip(velocity, grad)]
    exprs = [p + w for p, w in zip(theta, v_new)] + v_new
    values = {ETA: None if eta is None else exact_step(eta), BETA: _beta(beta)}
    return VariantMap(kind, exprs, theta, velocity, [loss], values)


def heavy_ball(loss, state, *, beta, eta=None) -> VariantMap:
    """Gradient descent with heavy-ball (Polyak) momentum, as a map of (theta, v).

    Parameters
    ----------
    loss : SymPy expression (or string, read by the whitelist parser)
        The loss L(theta).
    state : sequence of symbols (or names)
        The parameters theta; the velocities ``v_<name>`` follow them in the state.
    beta : number in [0, 1), or None, keyword-only
        The momentum; None leaves the symbol ``beta`` free (bind it with ``.subs(beta=...)``).
    eta : positive number, keyword-only
        The step size; left as the symbol ``eta`` until fixed, here or with ``.at(eta)``.

    Examples
    --------
    >>> hb = heavy_ball("x^2/2", ["x"], beta=0.5, eta=1)
    >>> hb
    VariantMap(heavy-ball, L = x**2/2, beta = 1/2, eta = 1)
    >>> hb.state
    (x, v_x)
    >>> hb.jacobian()
    Matrix([
    [ 0, 1/2],
    [-1, 1/2]])
    >>> hb([1.0, 0.0])
    array([ 0., -1.])

    Notes
    -----
    The convention (Polyak 1964): ``v' = beta v - eta grad L(theta)``, ``theta' = theta + v'``;
    so ``theta_{k+1} = theta_k - eta grad L(theta_k) + beta (theta_k - theta_{k-1})``. The fixed
    points are ``(theta*, 0)`` with theta* critical. The Jacobian is

    .. math:: DF = \\begin{pmatrix} I - \\eta H(\\theta) & \\beta I \\\\ -\\eta H(\\theta) & \\beta I
              \\end{pmatrix}, \\qquad \\det DF = \\beta^d.

    For an eigenvalue lambda of H the multipliers solve mu^2 - (1 + beta - eta lambda) mu + beta
    = 0, inside the unit circle exactly when 0 < eta lambda < 2 (1 + beta) (Jury's criterion,
    0 <= beta < 1). So eta* = 2 (1 + beta) / s_min: :func:`gdmaps.variant_critical_step`.
    """
    return _momentum("heavy-ball", loss, state, beta, eta)


def nesterov(loss, state, *, beta, eta=None) -> VariantMap:
    """Gradient descent with Nesterov momentum (look-ahead form), as a map of (theta, v).

    Parameters are those of :func:`heavy_ball`.

    Examples
    --------
    >>> nag = nesterov("x^2/2", ["x"], beta=0.5, eta=0.5)
    >>> nag.exprs
    (v_x/4 + x/2, v_x/4 - x/2)
    >>> nag.jacobian()
    Matrix([
    [ 1/2, 1/4],
    [-1/2, 1/4]])

    Notes
    -----
    The convention (Sutskever et al. 2013): ``v' = beta v - eta grad L(theta + beta v)``,
    ``theta' = theta + v'``. With ``y = theta + beta v`` and ``A = I - eta H(y)``,

    .. math:: DF = \\begin{pmatrix} A & \\beta A \\\\ -\\eta H(y) & \\beta A \\end{pmatrix},
              \\qquad \\det DF = \\beta^d \\det(I - \\eta H(y)).

    For an eigenvalue lambda of H, with h = eta lambda, the multipliers solve
    mu^2 - (1 + beta)(1 - h) mu + beta (1 - h) = 0. Jury's criterion
    (|beta (1 - h)| < 1 and (1 + beta)|1 - h| < 1 + beta (1 - h)) gives h > 0 for h < 1, and
    h (1 + 2 beta) < 2 + 2 beta for h > 1: the region is 0 < eta lambda < (2 + 2 beta) /
    (1 + 2 beta), which is below 2 for beta > 0 (at the edge mu = -1). So
    eta* = (2 + 2 beta) / ((1 + 2 beta) s_min).
    """
    return _momentum("nesterov", loss, state, beta, eta)


def cyclic_sgd(batch_losses, state, *, eta=None) -> VariantMap:
    """One epoch of cyclic mini-batch SGD: the composition of the per-batch GD maps.

    Parameters
    ----------
    batch_losses : sequence of SymPy expressions (or strings)
        The batch losses L_1, ..., L_m, visited in this order; the full loss is their sum
        (state the normalization in the losses: a mean over the batch, or a sum).
    state : sequence of symbols (or names)
        The parameters theta; each must appear in some batch loss.
    eta : positive number, keyword-only
        The step size of every batch step.

    Examples
    --------
    >>> sgd = cyclic_sgd(["(x - 1)^2/2", "(x + 1)^2/2"], ["x"], eta=0.5)
    >>> sgd.exprs  # x -> x/2 + 1/2 -> (x/2 + 1/2)/2 - 1/2
    (x/4 - 1/4,)
    >>> sgd.jacobian()
    Matrix([[1/4]])

    Notes
    -----
    ``F = G_m o ... o G_1`` with ``G_i(theta) = theta - eta grad L_i(theta)``: one application
    is one epoch. ``DF(theta) = prod_{i = m..1} (I - eta H_i(theta_{i-1}))`` along the epoch's
    intermediate points theta_i. Fixed points of F are not only the common critical points
    of the L_i (above: x = -1/3, where neither batch gradient vanishes). At a common minimum
    the stability threshold is where rho(prod (I - eta H_i)) reaches 1:
    :func:`gdmaps.cyclic_critical_step`. Non-singularity of every G_i makes F non-singular
    (arXiv 2510.24466 extends the seed's argument to SGD this way).
    """
    if isinstance(batch_losses, (str, sp.Basic)) or not hasattr(batch_losses, "__iter__"):
        raise InvalidTypeError(
            f"batch_losses must be a list of losses (one per batch), got {type(batch_losses).__name__}")
    losses = [_loss(L, f"batch_losses[{i}]") for i, L in enumerate(batch_losses)]
    if not losses:
        raise InvalidArgumentError("batch_losses must hold at least one loss, got none")
    theta = as_symbols(state, name="state")
    missing = [str(p) for p in theta if not any(p in L.free_symbols for L in losses)]
    if missing:
        raise InvalidArgumentError(
            f"every parameter must appear in some batch loss; {', '.join(missing)} appear in none")
    _reserved(losses, theta)
    point = list(theta)
    for L in losses:
        g = [gi.xreplace(dict(zip(theta, point))) for gi in real_derivatives(L, theta)]
        point = [p - ETA * gi for p, gi in zip(point, g)]
    values = {ETA: None if eta is None else exact_step(eta)}
    return VariantMap("cyclic-sgd", point, theta, (), losses, values)
