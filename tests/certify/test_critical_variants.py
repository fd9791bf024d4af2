"""Critical step sizes of GD variants: momentum factors against the spectral radius of the Jacobian at
the flattest minimum, cyclic SGD's exact edge against closed forms and a bisection of rho."""

import numpy as np
import pytest
import sympy as sp

import gdmaps
from gdmaps.certify.critical_variants import cyclic_critical_step, schur_stable, variant_critical_step
from gdmaps.models import cyclic_sgd, heavy_ball, nesterov

a, b, x, y = sp.symbols("a b x y")
AB = (a * b - 1) ** 2 / 2   # eta*_GD = 1, flattest minimum (1, 1) with lambda_max = 2


@pytest.mark.parametrize("build, factor", [
    (heavy_ball, lambda be: 1 + be),
    (nesterov, lambda be: (1 + be) / (1 + 2 * be)),
])
@pytest.mark.parametrize("beta", [sp.Rational(1, 4), sp.Rational(9, 10)])
def test_momentum_edge_is_where_the_flattest_minimum_loses_stability(build, factor, beta):
    m = build(AB, [a, b], beta=beta)
    crit = variant_critical_step(m)
    assert crit.exactness is gdmaps.Exactness.EXACT and crit.eta_star == factor(beta)
    for eta, unstable in [(0.99 * float(crit.eta_star), False), (1.01 * float(crit.eta_star), True)]:
        J = m.at(eta).numeric.jacobian(np.array([1.0, 1.0, 0.0, 0.0]))
        rho = np.abs(np.linalg.eigvals(J)).max()
        assert (rho > 1 + 1e-9) == unstable   # below: rho = 1 from the tangent of ab = 1


def test_momentum_edge_of_a_depth_three_chain():
    """eta*_GD = 2 / (3 |y|^(4/3)) = 2/3 at y = 1 (the seed's closed form)."""
    crit = variant_critical_step(heavy_ball(gdmaps.models.scalar_chain(3, 1).loss,
                                            gdmaps.models.scalar_chain(3, 1).state, beta=0.5))
    assert crit.eta_star == sp.Rational(3, 2) * sp.Rational(2, 3)


def test_cyclic_edges_against_closed_forms():
    # one batch: plain GD, eta* = 2 / lambda_max
    assert cyclic_critical_step(cyclic_sgd([AB], [a, b]), [1, 1]).eta_star == 1
    # commuting batches: products per direction; |(1 - 3t)(1 - t)| < 1 for t < 4/3, |1 - 5t| < 1 for t < 2/5
    sgd = cyclic_sgd([3 * x ** 2 / 2, 5 * y ** 2 / 2, x ** 2 / 2], [x, y])
    assert cyclic_critical_step(sgd, [0, 0]).eta_star == sp.Rational(2, 5)


def test_cyclic_edge_of_non_commuting_batches_matches_a_bisection_of_rho():
    H1, H2 = np.diag([2.0, 0.0]), np.array([[1.0, 1.0], [1.0, 1.0]])
    crit = cyclic_critical_step(cyclic_sgd([x ** 2, (x + y) ** 2 / 2], [x, y]), [0, 0])

    def rho(t):
        return np.abs(np.linalg.eigvals((np.eye(2) - t * H2) @ (np.eye(2) - t * H1))).max()
    lo, hi = 0.1, 1.9
    assert rho(lo) < 1 < rho(hi)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if rho(mid) < 1 else (lo, mid)
    assert abs(float(crit.eta_star) - lo) < 1e-12
    assert crit.eta_star != 2 / max(np.linalg.eigvalsh(H1 + H2))  # not the full loss's eta*


def test_cyclic_edge_refuses_a_point_that_is_not_critical_for_every_batch():
    with pytest.raises(gdmaps.InvalidArgumentError, match="critical point of every batch"):
        cyclic_critical_step(cyclic_sgd([(x - 1) ** 2, (x + 1) ** 2], [x]), [0])


def test_schur_stable_agrees_with_numpy_roots():
    rng = np.random.default_rng(3)
    for _ in range(200):
        c = [sp.Rational(int(v), 4) for v in rng.integers(-6, 7, size=int(rng.integers(2, 5)))]
        if c[0] == 0:
            continue
        r = np.abs(np.roots([float(v) for v in c])).max()
        if abs(r - 1) > 1e-9:
            assert schur_stable(c) == (r < 1), c


def test_beta_must_be_bound():
    with pytest.raises(gdmaps.InvalidArgumentError, match="beta is free"):
        variant_critical_step(heavy_ball(AB, [a, b], beta=None))
