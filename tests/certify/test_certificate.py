"""certify_measure_zero: soundness where the truth is known, and agreement with simulation."""

import numpy as np
import sympy as sp
from hypothesis import given, settings, strategies as st

from gdmaps import GDMap, critical_learning_rate, iterate
from gdmaps.certify.certificate import Status, certify_measure_zero
from gdmaps.models import linear_network, scalar_chain

a, b = sp.symbols("a b")


def _eta_star(k, y):  # derived by hand (AM-GM): 2 / (k |y|^(2 - 2/k))
    return 2 / (k * abs(y) ** (2 - sp.Rational(2, k)))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(k=st.integers(1, 5), p=st.integers(-9, 9).filter(bool), q=st.integers(1, 5),
       factor=st.sampled_from([sp.Rational(1, 2), sp.Rational(9, 10), sp.Rational(99, 100),
                               sp.Rational(101, 100), sp.Rational(11, 10), 2]))
def test_soundness_on_scalar_chains(k, p, q, factor):
    y = sp.Rational(p, q)
    eta = sp.nsimplify(factor * _eta_star(k, y))
    eta = sp.Rational(sp.N(eta, 30))  # a rational step size near factor * eta*
    cert = certify_measure_zero(scalar_chain(k, y), eta=eta)
    below = eta < _eta_star(k, y)
    if below:  # a stable minimum exists: never HOLDS, and the witness is a true minimum
        assert cert.status is Status.FAILS
        w = cert.witness["point"]
        assert sp.simplify(sp.Mul(*w) - y) == 0
        assert abs(cert.witness["normal_multiplier"]) < 1
    else:
        assert cert.status is Status.HOLDS


def test_random_linear_networks_hold_only_where_every_sampled_minimum_is_unstable():
    # non-whitened data: the minima are W2 W1 = W* = Y X^T (X X^T)^-1; sample them
    # independently (W1 random invertible, W2 = W* W1^-1) and check the certified bracket and
    # the verdict at eta = 5 against their lambda_max(H)
    rng = np.random.default_rng(0)
    for _ in range(3):
        X, Y = np.round(rng.normal(size=(2, 3)), 1), np.round(rng.normal(size=(1, 3)), 1)
        g = linear_network(X, Y, [2])
        crit = critical_learning_rate(g)
        cert = certify_measure_zero(g, eta=5.0)
        Xf, Yf = np.array(sp.Matrix(X).evalf(), dtype=float), np.array(Y, dtype=float)
        W = Yf @ Xf.T @ np.linalg.inv(Xf @ Xf.T)
        lam = []
        for _ in range(200):
            W1 = rng.normal(size=(2, 2))
            W2 = W @ np.linalg.inv(W1)
            lam.append(np.linalg.eigvalsh(g.numeric.hessian(np.concatenate([W1.ravel(), W2.ravel()])))[-1])
        # every minimum has lambda_max >= s_min >= 2 / certified_upper
        assert min(lam) >= 2 / crit.certified_upper * (1 - 1e-9)
        if cert.status is Status.HOLDS:
            assert min(lam) > 2 / 5


def test_degenerate_origin_of_depth_three_is_named():
    cert = certify_measure_zero(scalar_chain(3, 1), eta=1, target="critical-points")
    assert cert.status is Status.INCONCLUSIVE
    assert "w1 = 0, w2 = 0, w3 = 0" in cert.steps[-1].evidence
    assert certify_measure_zero(scalar_chain(2, 1), eta=1.2, target="critical-points").status is Status.HOLDS


def test_latex_and_markdown_read_as_a_proof():
    cert = certify_measure_zero(scalar_chain(2, 1), eta=1.2)
    assert "\\begin{proof}" in cert.to_latex() and "center-stable manifold" in cert.to_markdown()


def test_agreement_with_simulation():
    # eta* = 1 for (ab - 1)^2/2: none of 10^4 N(0,1) starts converges at 1.05, some at 0.9
    g = GDMap((a * b - 1) ** 2 / 2, [a, b])
    x0 = np.random.default_rng(1).normal(size=(10_000, 2))
    above, below = iterate(g.at(1.05), x0, 3000), iterate(g.at(0.9), x0, 3000)
    assert certify_measure_zero(g, eta=1.05).status is Status.HOLDS
    assert above.counts["converged"] == 0 and below.counts["converged"] > 1000


def test_agreement_with_simulation_on_a_whitened_linear_network():
    # X = I: eta* = 1/||Y||_2 exactly; GD from 10^4 starts: none converges at 1.05 eta*
    Y = np.array([[1.0, 0.5], [0.0, 0.8]])
    g = linear_network(np.eye(2), Y, [2])
    eta_star = 1 / np.linalg.norm(Y, 2)
    x0 = np.random.default_rng(2).normal(scale=0.5, size=(10_000, g.dim))
    above = iterate(g.at(1.05 * eta_star), x0, 3000)
    below = iterate(g.at(0.9 * eta_star), x0, 3000)
    assert above.counts["converged"] == 0 and below.counts["converged"] > 5000
    assert certify_measure_zero(g, eta=sp.Rational(105, 100) * sp.nsimplify(eta_star, rational=True)).status \
        in (Status.HOLDS,)
    assert certify_measure_zero(g, eta=sp.Rational(9, 10) * sp.nsimplify(eta_star, rational=True)).status \
        is Status.FAILS
