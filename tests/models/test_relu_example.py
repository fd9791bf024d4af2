"""relu_example: the two-parameter ReLU net of arXiv 2510.24466 against values derived by hand.

f(x) = relu(theta2 * relu(theta1 * x)) on (x, y) = (9/10, 9/10), (5/2, 5/2);
L = 1/2 sum_i (f(x_i) - y_i)^2 ("mean": divided by 2). S = sum x_i^2 = 81/100 + 625/100 = 353/50.
"""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.models.relu_example import relu_example

R = sp.Rational


def _at(expr, g, t1, t2):
    return expr.subs(dict(zip(g.state, (t1, t2))))


def test_state_and_exact_data():
    g = relu_example()
    assert isinstance(g, GDMap) and [s.name for s in g.state] == ["theta1", "theta2"]
    assert g.loss.has(R(9, 10)) and g.loss.has(R(5, 2))
    assert g.eta == sp.Symbol("eta", positive=True)
    assert relu_example(eta=0.1).eta == R(1, 10)


def test_loss_on_the_minimum_is_zero():
    # theta = (1, 1): f(0.9) = relu(relu(0.9)) = 0.9 and f(2.5) = 2.5, so both residuals vanish.
    g = relu_example(eta=0.1)
    assert _at(g.loss, g, 1, 1) == 0
    assert g.numeric.loss([1.0, 1.0]) == 0.0
    assert _at(g.gradient(), g, 1, 1) == sp.zeros(2, 1)


def test_loss_and_gradient_at_two_one():
    # theta = (2, 1): both relus are active, f(x) = theta1 theta2 x = 2x, residuals r_i = x_i.
    # L = (0.81 + 6.25)/2 = 353/100.
    # dL/dtheta1 = sum r_i theta2 x_i = sum x_i^2 = 353/50; dL/dtheta2 = sum r_i theta1 x_i = 353/25.
    g = relu_example(eta=0.1)
    assert _at(g.loss, g, 2, 1) == R(353, 100)
    assert _at(g.gradient(), g, 2, 1) == sp.Matrix([R(353, 50), R(353, 25)])
    np.testing.assert_allclose(g.numeric.gradient([2.0, 1.0]), [7.06, 14.12], rtol=1e-14)
    # one GD step: (2, 1) - 0.1 * (7.06, 14.12)
    np.testing.assert_allclose(g([2.0, 1.0]), [1.294, -0.412], rtol=1e-14)


@pytest.mark.parametrize("theta", [(-1, 1), (1, -1), (-2, -3)])
def test_dead_units_give_zero_gradient(theta):
    # theta1 < 0 kills the inner relu, theta2 < 0 (with theta1 > 0) the outer one: f = 0 on
    # the data, L = sum y_i^2 / 2 = 353/100, and f is locally constant, so grad L = 0.
    g = relu_example()
    assert _at(g.loss, g, *theta) == R(353, 100)
    assert _at(g.gradient(), g, *theta) == sp.zeros(2, 1)


def test_hessian_on_the_minima_and_critical_learning_rate():
    # On theta1 theta2 = 1 (theta1 > 0): H = S v v^T, v = (theta2, theta1), eigenvalues
    # 0 and S (theta1^2 + theta2^2) >= 2 S = 353/25, so eta* = 2 / (353/25) = 50/353.
    g = relu_example()
    H = _at(g.hessian(), g, 1, 1)
    assert H == R(353, 50) * sp.ones(2, 2)
    assert sorted(H.eigenvals()) == [0, R(353, 25)]
    H = _at(g.hessian(), g, 2, R(1, 2))
    assert sorted(H.eigenvals()) == [0, R(353, 50) * (4 + R(1, 4))]
    rho = lambda eta: max(abs(np.linalg.eigvals(g.at(eta).numeric.jacobian([1.0, 1.0]))))  # noqa: E731
    assert rho(0.99 * 50 / 353) < 1 < rho(1.01 * 50 / 353)


def test_mean_divides_by_two():
    s, m = relu_example(), relu_example(reduction="mean")
    assert sp.simplify(m.loss - s.loss / 2) == 0
    assert _at(m.gradient(), m, 2, 1) == sp.Matrix([R(353, 100), R(353, 50)])


@pytest.mark.parametrize("bad", ["avg", None, "Sum"])
def test_bad_reduction(bad):
    with pytest.raises(InvalidArgumentError, match=f"reduction must be one of 'sum', 'mean'; got {bad!r}"):
        relu_example(reduction=bad)


def test_bad_eta():
    with pytest.raises(InvalidArgumentError, match=r"eta must be finite and > 0, got 0.0"):
        relu_example(eta=0)
