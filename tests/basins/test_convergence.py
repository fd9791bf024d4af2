"""convergent_fraction and clopper_pearson against closed forms and the phase transition."""

import numpy as np
import pytest
import sympy as sp
from scipy.stats import binom

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.basins.convergence import clopper_pearson, convergent_fraction
from gdmaps.models import scalar_chain

a, b = sp.symbols("a b")
AB = GDMap((a * b - 1) ** 2 / 2, [a, b])


@pytest.mark.parametrize("k, n", [(0, 50), (3, 50), (25, 50), (50, 50), (7, 1000)])
def test_clopper_pearson_endpoints_solve_the_binomial_tail_equations(k, n):
    lo, hi = clopper_pearson(k, n)
    if k > 0:  # P(X >= k | lo) = 0.025
        assert binom.sf(k - 1, n, lo) == pytest.approx(0.025, rel=1e-6)
    if k < n:  # P(X <= k | hi) = 0.025
        assert binom.cdf(k, n, hi) == pytest.approx(0.025, rel=1e-6)


def test_zero_above_and_positive_below_eta_star_with_the_rule_of_three():
    n = 10_000
    below, above = convergent_fraction(AB, eta=0.9, starts=n), convergent_fraction(AB, eta=1.1, starts=n)
    assert below.interval[0] > 0.5
    assert above.counts["converged"] == 0 and above.upper <= 3 / n  # one-sided 95%
    # the asymptotic gradient norm jumps at eta* = 1
    assert below.grad_norm_quantiles["50"] < 1e-6 < 1e-2 < above.grad_norm_quantiles["50"]


def test_depth_three_chain_at_its_closed_form_eta_star():
    eta_star = 2 / 3  # 2 / (k |y|^(2 - 2/k)) with k = 3, y = 1
    g = scalar_chain(3, 1)
    below = convergent_fraction(g, eta=0.9 * eta_star, starts=4000, steps=3000)
    above = convergent_fraction(g, eta=1.1 * eta_star, starts=4000, steps=3000)
    assert below.fraction > 0.3 and above.counts["converged"] == 0


def test_one_sided_bound_solves_its_tail_equation():
    from gdmaps.basins.convergence import upper_bound

    for k, n in [(0, 100), (4, 100)]:
        assert binom.cdf(k, n, upper_bound(k, n)) == pytest.approx(0.05, rel=1e-6)


def test_bad_arguments():
    with pytest.raises(InvalidArgumentError, match="starts must be an integer >= 1"):
        convergent_fraction(AB, eta=0.5, starts=0)
    with pytest.raises(InvalidArgumentError, match="0 <= k <= n"):
        clopper_pearson(5, 3)


def test_global_minimum_count_and_network_initializations():
    from gdmaps.models import linear_network

    # (ab - 1)^2/2 at eta = 0.5: converged orbits end on ab = 1 (L = 0) or at the saddle
    r = convergent_fraction(AB, eta=0.5, starts=2000, loss_min=0)
    assert 0 < r.to_global_minimum <= r.counts["converged"]
    g = linear_network(np.eye(2), np.array([[1.0, 0.5], [0.0, 0.8]]), [2])
    # tol=1e-9: network models stop at the gradient fallen 1000-fold by default, before their
    # loss is within 1e-8 of its minimum
    he = convergent_fraction(g, eta=0.5, init="he", starts=500, loss_min=0, tol=1e-9)
    assert he.init == "he" and he.to_global_minimum == he.counts["converged"] > 0


def test_tiny_step_size_converges_nowhere():
    # eta = 1e-10: the gradient hardly changes in 1000 steps (the old rule, eta ||grad L|| <=
    # 1e-9, counted 99 of 100 converged); the gradient by hand: (ab - 1) (b, a)
    r = convergent_fraction(AB, eta=1e-10, starts=100, steps=1000)
    x0 = np.random.default_rng(0).standard_normal((100, 2))
    g = np.linalg.norm((x0[:, 0] * x0[:, 1] - 1)[:, None] * x0[:, ::-1], axis=1)
    assert r.counts["converged"] == int(np.sum(g <= 1e-9)) == 0
    assert r.grad_norm_quantiles["50"] == pytest.approx(np.median(g), rel=1e-5)


def test_orbits_stalled_at_unstable_points_are_counted_apart():
    from gdmaps.basins.convergence import ConvergentFraction
    from gdmaps.models import mlp

    xor = mlp([[0, 0, 1, 1], [0, 1, 0, 1]], [0, 1, 1, 0], [4], "tanh", reduction="mean", bias=True)
    r = convergent_fraction(xor, eta=0.5, init="glorot", starts=1000, steps=1000, tol=1e-9)
    c = r.counts
    assert c["unstable"] > 0 and sum(c.values()) == 1000
    assert r.fraction == c["converged"] / 1000
    assert "stalled at unstable points" in repr(r)
    d = r.to_dict()
    assert d["unstable"] == c["unstable"]
    # a row rebuilt from the three older counts gets the fourth from n
    old = ConvergentFraction(0.5, 1000, 1000, 0, "glorot", {k: c[k] for k in ("moving", "converged",
                             "diverged")}, r.fraction, r.interval, None)
    assert old.counts == c
