"""critical_learning_rate against the closed forms derived by hand (DESIGN.md)."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, loss_from_text
from gdmaps.critical import Exactness, critical_learning_rate
from gdmaps.models import scalar_chain


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("y", [sp.Rational(1), sp.Rational(3, 2), sp.Rational(-2), sp.Rational(5)])
def test_scalar_chain_closed_form(k, y):
    # eta* = 2 / (k |y|^(2 - 2/k)) at the balanced point |w_i| = |y|^(1/k)
    crit = critical_learning_rate(scalar_chain(k, y))
    assert crit.exactness is Exactness.EXACT
    assert sp.simplify(crit.eta_star - 2 / (k * abs(y) ** (2 - sp.Rational(2, k)))) == 0
    w = np.array([float(v) for v in crit.minimizer])
    assert np.prod(w) == pytest.approx(float(y))
    H = scalar_chain(k, y).numeric.hessian(w)
    assert np.linalg.eigvalsh(H)[-1] == pytest.approx(float(crit.sharpness), rel=1e-10)


def test_ab_minus_y_is_one_over_y():
    a, b = sp.symbols("a b")
    for y in (1, 2, sp.Rational(1, 3)):
        assert critical_learning_rate(GDMap((a * b - y) ** 2 / 2, [a, b])).eta_star == 1 / sp.S(y)


def test_product_loss_with_data():
    # sum_i (ab x_i - y_i)^2/2 = q(ab), q'' = sum x_i^2, P* = sum x_i y_i / sum x_i^2
    g = loss_from_text("(2*a*b - 1)**2/2 + (3*a*b - 2)**2/2")
    crit = critical_learning_rate(g)
    assert crit.sharpness == 13 * 2 * sp.Rational(8, 13) and crit.eta_star == sp.Rational(1, 8)


def test_numeric_estimate_is_labelled_and_close_to_the_truth():
    # (ab - 1)^2/2 + (a - b)^2/2: minima (1, 1), (-1, -1) with H = 2 I, so eta* = 1
    crit = critical_learning_rate(loss_from_text("(a*b - 1)**2/2 + (a - b)**2/2"), starts=10)
    assert crit.exactness is Exactness.NUMERIC and "not a proof" in crit.argument
    assert float(crit.eta_star) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_whitened_linear_network_equals_one_over_norm_and_the_numeric_search(reduction):
    # X X^T = I: eta* = 1 / ||Y X^T||_2 (times n for "mean"); the numeric search over the
    # minima (an independent method) must not find a flatter minimum
    from gdmaps.critical import _numeric
    from gdmaps.models import linear_network

    Y = np.array([[0.1, -1.3, 0.6], [0.9, 0.4, -0.2]])
    g = linear_network(np.eye(3), Y, [2], reduction=reduction)
    crit = critical_learning_rate(g)
    expected = (3 if reduction == "mean" else 1) / np.linalg.norm(Y, 2)
    assert crit.exactness is Exactness.EXACT and float(crit.eta_star) == pytest.approx(expected, rel=1e-12)
    estimate = _numeric(g.at(0.1), starts=20, seed=1, box=2.0)
    assert float(estimate.eta_star) == pytest.approx(expected, rel=1e-4)
    assert float(estimate.eta_star) <= expected * (1 + 1e-4)  # its points sit within 1e-10 in loss


def test_unwhitened_or_too_narrow_networks_are_not_exact():
    from gdmaps.models import linear_network

    X = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 2.0]])
    assert critical_learning_rate(linear_network(X, X[:1], [2]), starts=4).exactness is Exactness.NUMERIC
    # width 1 < rank M = 2
    g = linear_network(np.eye(2), np.eye(2), [1])
    assert critical_learning_rate(g, starts=4).exactness is Exactness.NUMERIC
