"""The two-parameter ReLU example of arXiv 2510.24466 (Craciun & Ghoshdastidar)."""

from __future__ import annotations

import sympy as sp

from gdmaps.core.errors import check_choice
from gdmaps.core.gd import GDMap

__all__ = ["relu_example"]

#: The data points (x_i, y_i), exact.
DATA = ((sp.Rational(9, 10), sp.Rational(9, 10)), (sp.Rational(5, 2), sp.Rational(5, 2)))


def relu_example(*, reduction="sum", eta=None) -> GDMap:
    """The GD map of ``f(x) = relu(theta2 * relu(theta1 * x))`` on two data points.

    The data are ``(x, y) = (0.9, 0.9)`` and ``(2.5, 2.5)``, read as the exact
    rationals 9/10 and 5/2.

    Parameters
    ----------
    reduction : {"sum", "mean"}, keyword-only
        ``L = 1/2 sum_i (f(x_i) - y_i)^2``; "mean" divides by 2.
    eta : positive float, optional, keyword-only
        The step size; left symbolic when not given.

    Returns
    -------
    GDMap
        With state ``(theta1, theta2)``.

    Examples
    --------
    >>> g = relu_example()
    >>> t1, t2 = g.state
    >>> g.loss.subs({t1: 1, t2: 1})
    0
    >>> g.gradient().subs({t1: 2, t2: 1}).T  # f(x) = 2x: residuals 9/10 and 5/2
    Matrix([[353/50, 353/25]])
    >>> sorted(g.hessian().subs({t1: 1, t2: 1}).eigenvals())
    [0, 353/25]
    >>> g.at(0.1)([2.0, 1.0])  # (2, 1) - 0.1 * (7.06, 14.12)
    array([ 1.294, -0.412])

    Notes
    -----
    .. math:: L(\\theta) = \\frac{c}{2} \\sum_{i=1}^{2}
              \\left(\\mathrm{relu}(\\theta_2\\, \\mathrm{relu}(\\theta_1 x_i)) - y_i\\right)^2,

    ``c = 1`` for "sum", ``c = 1/2`` for "mean"; relu is ``Max(0, z)``,
    differentiated off its kinks. Since ``y_i = x_i > 0``, the global minima are
    the branch ``theta1 * theta2 = 1``, ``theta1 > 0``. There
    ``H = c S v v^T`` with ``v = (theta2, theta1)`` and ``S = sum x_i^2 = 353/50``,
    so its non-zero eigenvalue ``c S (theta1^2 + theta2^2)`` is smallest at
    ``(1, 1)``: ``s_min = 2 c S`` and ``eta* = 2 / s_min = 50/353`` for "sum"
    (``100/353`` for "mean").
    """
    check_choice("reduction", reduction, ("sum", "mean"))
    t1, t2 = sp.symbols("theta1 theta2", real=True)
    relu = lambda z: sp.Max(0, z)  # noqa: E731
    sq = sp.Add(*((relu(t2 * relu(t1 * x)) - y) ** 2 for x, y in DATA))
    c = sp.Rational(1, 2) if reduction == "sum" else sp.Rational(1, 2 * len(DATA))
    return GDMap(c * sq, [t1, t2], eta)
