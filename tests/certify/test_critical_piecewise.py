"""Exact eta* of kinked losses, checked against hand derivations and simulation.

Truths: the ReLU example's eta* = 1/(cS) (proofs/e_relu_example.py derives it by hand);
4 (max(0, x) - 1)^2 + y^2 has its minimum (1, 0) inside x > 0 with H = diag(8, 2); losses
whose minima sit on a kink or on a flat region must give no exact answer.
"""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, certify_measure_zero, critical_learning_rate, non_singularity
from gdmaps.certify.certificate import Status
from gdmaps.certify.critical import Exactness
from gdmaps.certify.critical_piecewise import piecewise_minima
from gdmaps.models import relu_example
from gdmaps.certify.non_singularity import Verdict

R = sp.Rational
x, y = sp.symbols("x y")
S = R(353, 50)


@pytest.mark.parametrize("reduction, c", [("sum", 1), ("mean", R(1, 2))])
def test_relu_example_eta_star_is_the_hand_derived_one(reduction, c):
    crit = critical_learning_rate(relu_example(reduction=reduction))
    assert crit.exactness is Exactness.EXACT and crit.minima_proved is True
    assert crit.eta_star == 1 / (c * S) and crit.minimizer == (1, 1) and crit.morse_bott


def _relu_gd(X, eta, c, steps):
    """GD on the ReLU example by hand: grad = cS (pq - 1)(q, p) on {p > 0, q > 0}, else 0."""
    p, q = X[:, 0].copy(), X[:, 1].copy()
    for _ in range(steps):
        live = (p > 0) & (q > 0)
        r = np.where(live, float(c * S) * (p * q - 1), 0.0)
        p, q = p - eta * r * q, q - eta * r * p
        bad = ~np.isfinite(p) | ~np.isfinite(q) | (np.abs(p) > 1e6)
        p[bad], q[bad] = np.nan, np.nan
    return p, q


@pytest.mark.parametrize("reduction, c", [("sum", 1), ("mean", R(1, 2))])
def test_relu_example_verdicts_agree_with_simulation(reduction, c):
    g = relu_example(reduction=reduction)
    eta_star = 1 / (c * S)
    above = certify_measure_zero(g, eta=R(11, 10) * eta_star)
    below = certify_measure_zero(g, eta=R(9, 10) * eta_star)
    assert above.status is Status.HOLDS and below.status is Status.FAILS
    rng = np.random.default_rng(0)
    X = rng.uniform(0.05, 3, size=(4000, 2))
    p, q = _relu_gd(X, float(R(11, 10) * eta_star), c, 3000)
    assert np.sum(np.abs(p * q - 1) < 1e-9) == 0      # one-sided 95% bound 3/4000 on the fraction
    w = np.array([float(v) for v in below.witness["point"]])
    p, q = _relu_gd(w + 0.01 * rng.standard_normal((200, 2)), float(R(9, 10) * eta_star), c, 3000)
    assert np.all(np.abs(p * q - 1) < 1e-9)


def test_relu_example_is_non_singular_for_every_step_tried():
    g = relu_example()
    for eta in (R(1, 100), R(50, 353), R(100, 353), R(7, 3)):
        ns = non_singularity(g, eta=eta)
        assert ns.verdict is Verdict.PROVEN and "3 pieces" in ns.argument


def test_minimum_inside_a_region_is_exact():
    crit = piecewise_minima(GDMap(4 * (sp.Max(0, x) - 1) ** 2 + y ** 2, [x, y]))
    assert crit.eta_star == R(1, 4) and crit.minimizer == (1, 0)   # H = diag(8, 2)


def test_isolated_minimum_of_a_general_polynomial_piece():
    # x > 0: (x^2 - 1)^2 + y^2, minima (+-1, 0) of which (1, 0) is inside, H = diag(8, 2);
    # x < 0: 1 + x^2 + y^2 >= 1
    loss = (sp.Max(0, x) ** 2 - 1) ** 2 + y ** 2 + sp.Min(0, x) ** 2
    crit = piecewise_minima(GDMap(loss, [x, y]))
    assert crit.exactness is Exactness.EXACT and crit.minimizer == (1, 0) and crit.sharpness == 8


@pytest.mark.parametrize("loss, why", [
    (abs(x) + y ** 2, "minimum on the kink x = 0"),
    (sp.Max(0, x - 1) ** 2 + y ** 2, "flat minima x <= 1 reach the kink"),
    (sp.Max(0, x) ** 2 + (x - 1) ** 2 / 4 + y ** 2, "lowest piece minimum x = 1 lies outside x < 0"),
    ((sp.Max(0, x) - 1) ** 2 * (sp.Max(0, x) - 2) ** 2 + sp.Min(0, y), "a piece not bounded below"),
])
def test_no_exact_answer_where_the_argument_does_not_apply(loss, why):
    assert piecewise_minima(GDMap(loss, [x, y])) is None, why


def test_a_flat_region_at_the_minimum_value_is_not_called_isolated():
    # min(0, x)^2 + (y - 1)^2 + max(0, x - 5)^2 is flat in x on 0 < x < 5
    crit = piecewise_minima(GDMap(sp.Min(0, x) ** 2 + (y - 1) ** 2 + sp.Max(0, x - 5) ** 2, [x, y]))
    # minima {0 <= x <= 5, y = 1} reach the kinks x = 0 and x = 5: no exact claim
    assert crit is None
