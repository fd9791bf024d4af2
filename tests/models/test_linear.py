"""linear_network: gradients against the matrix formulas, the loss against numpy."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import InvalidArgumentError, InvalidTypeError
from gdmaps.models import layer_shapes, linear_network


def _unflatten(theta, shapes):
    out, i = [], 0
    for r, c in shapes:
        out.append(theta[i:i + r * c].reshape(r, c))
        i += r * c
    return out


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_depth_two_gradient_equals_matrix_formula(reduction):
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(3, 20)), rng.normal(size=(2, 20))
    g = linear_network(X, Y, [4], reduction=reduction)
    shapes = layer_shapes(3, 2, [4])
    theta = rng.normal(size=sum(r * c for r, c in shapes))
    W1, W2 = _unflatten(theta, shapes)
    R = W2 @ W1 @ X - Y
    scale = 1 / 20 if reduction == "mean" else 1
    assert g.numeric.loss(theta) == pytest.approx(scale * 0.5 * np.sum(R**2), rel=1e-12)
    grad = np.concatenate([(W2.T @ R @ X.T).ravel(), (R @ X.T @ W1.T).ravel()]) * scale
    np.testing.assert_allclose(g.numeric.gradient(theta), grad, rtol=1e-10)


def test_depth_three_hessian_equals_finite_differences_of_gradient():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    g = linear_network(X, Y, [2, 2])
    theta = rng.normal(size=g.dim)
    shapes = layer_shapes(2, 2, [2, 2])
    W1, W2, W3 = _unflatten(theta, shapes)
    R = W3 @ W2 @ W1 @ X - Y
    grad = np.concatenate([(W2.T @ W3.T @ R @ X.T).ravel(), (W3.T @ R @ X.T @ W1.T).ravel(),
                           (R @ X.T @ W1.T @ W2.T).ravel()])
    np.testing.assert_allclose(g.numeric.gradient(theta), grad, rtol=1e-10)
    h = 1e-6
    fd = np.array([(g.numeric.gradient(theta + h * e) - g.numeric.gradient(theta - h * e)) / (2 * h)
                   for e in np.eye(g.dim)])
    np.testing.assert_allclose(g.numeric.hessian(theta), fd, rtol=1e-6, atol=1e-7)


def test_single_layer_is_least_squares_with_hessian_x_xt():
    X = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])
    g = linear_network(X, np.array([[1.0, 0.0, 2.0]]), [])
    H = np.array(g.hessian(), dtype=float)
    np.testing.assert_allclose(H, X @ X.T)


def test_symbolic_data_and_parameter_names():
    x1, x2, y1 = sp.symbols("x1 x2 y1")
    g = linear_network(sp.Matrix([[x1, x2]]), sp.Matrix([[y1, 0]]), [1])
    assert [s.name for s in g.state] == ["W1_0_0", "W2_0_0"]
    w1, w2 = g.state
    expected = ((w2 * w1 * x1 - y1) ** 2 + (w2 * w1 * x2) ** 2) / 2
    assert sp.expand(g.loss - expected) == 0


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((np.ones((2, 3)), np.ones((1, 4)), [2]), {}, InvalidArgumentError,
     r"same number of columns .* X of shape \(2, 3\) and Y of shape \(1, 4\)"),
    ((np.array([[1.0, np.nan]]), np.ones((1, 2)), [2]), {}, InvalidArgumentError,
     r"X must contain only finite numbers, got nan at index \(0, 1\)"),
    ((np.ones((1, 2)), np.array([[np.inf, 1.0]]), [2]), {}, InvalidArgumentError,
     "Y must contain only finite"),
    ((np.ones((1, 2)), np.ones((1, 2)), [0]), {}, InvalidArgumentError,
     r"widths\[0\] must be an integer >= 1"),
    ((np.ones((1, 2)), np.ones((1, 2)), [1.5]), {}, InvalidTypeError, r"widths\[0\] must be an integer"),
    ((np.ones((1, 2)), np.ones((1, 2)), [1]), {"reduction": "avg"}, InvalidArgumentError,
     "reduction must be one of 'sum', 'mean'; got 'avg'"),
])
def test_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        linear_network(*args, **kwargs)


@pytest.mark.parametrize("widths", [[2], [3, 2]])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_zero_targets_make_the_origin_a_flat_minimum(widths, reduction):
    """Y = 0 with a hidden layer: theta = 0 is a global minimum (L = 0) with H = 0, so s_min = 0
    and eta* = oo; without a hidden layer H = S (x) I is constant and eta* = 2/lambda_max(S)."""
    from gdmaps.models.linear import zero_target_eta_star

    X = [[1, 0, 1], [0, 1, 1]]
    g = linear_network(X, [[0, 0, 0]], widths, reduction=reduction)
    origin = {p: 0 for p in g.state}
    assert g.loss.subs(origin) == 0 and g.hessian().subs(origin).is_zero_matrix
    assert zero_target_eta_star(g.network) == sp.oo
    flat = linear_network(X, [[0, 0, 0]], [], reduction=reduction)
    assert zero_target_eta_star(flat.network) is None
    assert not flat.hessian().is_zero_matrix  # S (x) I: quadratic loss, finite eta*
    assert zero_target_eta_star(linear_network(X, [[1, 0, 0]], widths).network) is None
