"""The scalar chain: a deep linear network of width one."""

from __future__ import annotations

import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, check_int
from gdmaps.core.gd import GDMap
from gdmaps.core.symbols import exact

__all__ = ["scalar_chain"]


def scalar_chain(depth, y=1, *, eta=None) -> GDMap:
    """The GD map of the scalar chain ``L = (w_1 w_2 ... w_depth - y)^2 / 2``.

    Parameters
    ----------
    depth : int
        Number of factors k >= 1.
    y : number, symbol or name, default 1
        The target; a symbol (or a name such as ``"y"``) keeps it symbolic.
    eta : positive float, keyword-only, optional
        The step size; symbolic until fixed.

    Examples
    --------
    >>> g = scalar_chain(2, 1)
    >>> g
    GDMap(L = (w1*w2 - 1)**2/2, eta = eta)
    >>> w1, w2 = g.state
    >>> sorted(g.hessian().subs({w1: 1, w2: 1}).eigenvals())  # on the minimum (1, 1)
    [0, 2]

    Notes
    -----
    Normalization: one data point, squared error with a factor 1/2, no mean.
    On the minima (prod w = y) the Hessian is ``g g^T`` with ``g_i = prod_{j != i} w_j``,
    so its only non-zero eigenvalue is ``sum_i g_i^2 >= k |y|^(2 - 2/k)`` (AM-GM,
    equality at the balanced point), and ``eta* = 2 / (k |y|^(2 - 2/k))``.
    """
    depth = check_int("depth", depth, minimum=1)
    if isinstance(y, str):
        if not y.isidentifier():
            raise InvalidArgumentError(f"y must be a number or a symbol name, got {y!r}")
        y = sp.Symbol(y, real=True)
    y = exact(y, name="y")
    ws = sp.symbols(f"w1:{depth + 1}", real=True)
    return GDMap((sp.Mul(*ws) - y) ** 2 / 2, ws, eta)
