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
