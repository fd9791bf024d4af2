"""Deep linear networks W_k ... W_1 x trained on the squared error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_choice, check_int
from gdmaps.core.errors import check_finite_array
from gdmaps.core.gd import GDMap
from gdmaps.core.symbols import exact

__all__ = ["linear_network", "LinearNetwork", "layer_shapes", "weight_matrices", "data_matrices"]

REDUCTIONS = ("sum", "mean")


def data_matrices(X, Y) -> tuple[sp.Matrix, sp.Matrix]:
    """``X`` (d_in, n) and ``Y`` (d_out, n) as exact SymPy matrices, checked.

    Numeric data must be finite; SymPy matrices may hold symbols.
    """
    mats = []
    for name, M in (("X", X), ("Y", Y)):
        if isinstance(M, sp.MatrixBase):
            mats.append(sp.Matrix(M))
            continue
        arr = check_finite_array(name, M)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.size == 0:
            raise InvalidArgumentError(
                f"{name} must be a non-empty 2-D array (features x points), got shape {arr.shape}")
        mats.append(sp.Matrix(arr.shape[0], arr.shape[1],
                              lambda i, j, arr=arr, name=name: exact(arr[i, j], name=name)))
    X, Y = mats
    if X.shape[1] != Y.shape[1]:
        raise InvalidArgumentError(
            f"X and Y must have the same number of columns (data points), got X of shape"
            f" {X.shape} and Y of shape {Y.shape}")
    return X, Y


def layer_shapes(d_in: int, d_out: int, widths) -> list[tuple[int, int]]:
    """Shapes of W_1, ..., W_k for hidden ``widths`` between d_in and d_out."""
    if isinstance(widths, (int, np.integer)):
        widths = [widths]
    try:
        widths = list(widths)
    except TypeError:
        raise InvalidTypeError(f"widths must be a list of positive integers, got {widths!r}") from None
    for i, w in enumerate(widths):
        check_int(f"widths[{i}]", w, minimum=1)
    sizes = [d_in, *map(int, widths), d_out]
    return [(sizes[k + 1], sizes[k]) for k in range(len(sizes) - 1)]


def weight_matrices(shapes) -> list[sp.Matrix]:
    """Symbolic weights ``W{k}_{i}_{j}``: layer k (from 1), row i, column j."""
    return [sp.Matrix(r, c, lambda i, j, k=k: sp.Symbol(f"W{k}_{i}_{j}", real=True))
            for k, (r, c) in enumerate(shapes, start=1)]


def linear_network(X, Y, widths=(), *, reduction="sum", eta=None) -> GDMap:
    """The GD map of a deep linear network on the squared error.

    Parameters
    ----------
    X : array (d_in, n) or SymPy Matrix
        Inputs, one column per data point.
    Y : array (d_out, n) or SymPy Matrix
        Targets, one column per data point.
    widths : sequence of int
        Hidden widths; ``[]`` is a single layer, ``[h]`` a depth-2 network.
    reduction : {"sum", "mean"}, keyword-only
        ``L = 1/2 sum_i ||W_k ... W_1 x_i - y_i||^2``; "mean" divides by n.
    eta : positive float, keyword-only, optional
        The step size; symbolic until fixed.

    Examples
    --------
    >>> g = linear_network([[1, 0], [0, 1]], [[2, 0], [0, 1]], [1])
    >>> g.state
    (W1_0_0, W1_0_1, W2_0_0, W2_1_0)
    >>> g.numeric.loss([1.0, 1.0, 2.0, 1.0])  # W2 W1 = [[2, 2], [1, 1]]
    2.5

    Notes
    -----
    Parameters are ordered layer by layer, each row-major. For depth 2,
    ``grad_{W1} L = W2^T (W2 W1 X - Y) X^T`` and ``grad_{W2} L = (W2 W1 X - Y) X^T W1^T``
    (times 1/n for "mean").

    Zero targets (Y = 0): L = 1/2 ||P X||^2 >= 0, so every theta with P X = 0 is a global
    minimum, theta = 0 among them. With a hidden layer (depth k >= 2) every monomial of L
    has degree 2k >= 4, so H(0) = 0: s_min = 0 and eta* = 2/s_min = oo (no step size makes
    every minimum unstable; DG(0) = I). Without one, L = 1/2 tr(W S W^T) is quadratic,
    H = S (x) I everywhere and eta* = 2/lambda_max(S) (times n for "mean"), finite.
    """
    check_choice("reduction", reduction, REDUCTIONS)
    Xm, Ym = data_matrices(X, Y)
    Ws = weight_matrices(layer_shapes(Xm.shape[0], Ym.shape[0], widths))
    P = Ws[0]
    for W in Ws[1:]:
        P = W * P
    # ||P X - Y||_F^2 through the n-free statistics X X^T, Y X^T, tr(Y Y^T): same polynomial,
    # far fewer terms when there are many data points.
    Sxx, Syx, syy = Xm * Xm.T, Ym * Xm.T, (Ym * Ym.T).trace()
    loss = ((P * Sxx).multiply_elementwise(P) - 2 * P.multiply_elementwise(Syx)).values()
    loss = (sum(loss) + syy) / 2
    if reduction == "mean":
        loss = loss / Xm.shape[1]
    params = [s for W in Ws for s in W]
    gdmap = GDMap(loss, params, eta)
    # the structure, for analyses with closed forms (critical_learning_rate)
    gdmap.network = LinearNetwork(Xm, Ym, tuple(int(w) for w in np.atleast_1d(widths)), reduction)
    return gdmap


def zero_target_eta_star(network):
    """``sp.oo`` for a network with Y = 0 and a hidden layer (see the Notes of
    :func:`linear_network`), else None (no closed form here).

    Examples
    --------
    >>> import numpy as np
    >>> zero_target_eta_star(linear_network([[1, 0, 1], [0, 1, 1]], [[0, 0, 0]], [2]).network)
    oo
    >>> zero_target_eta_star(linear_network([[1, 0, 1], [0, 1, 1]], [[0, 0, 0]], []).network) is None
    True
    """
    if network is None or not network.widths or not network.Y.is_zero_matrix:
        return None
    return sp.oo


@dataclass(frozen=True)
class LinearNetwork:
    """The data and architecture a linear-network GD map was built from."""

    X: sp.Matrix
    Y: sp.Matrix
    widths: tuple
    reduction: str
