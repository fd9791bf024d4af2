"""GD variants as maps: block Jacobians against the derivative of the map, the momentum stability
regions against their closed forms (exact eigenvalues, Jury's boundary, iterate on both sides), and
the analyses running on them."""

import numpy as np
import pytest
import sympy as sp

import gdmaps
from gdmaps.core.gd import ETA
from gdmaps.models import cyclic_sgd, heavy_ball, nesterov
from gdmaps.models.variants import BETA

x, y, a, b = sp.symbols("x y a b")
h, mu = sp.symbols("h mu")


@pytest.mark.parametrize("build", [
    lambda: heavy_ball((a * b - 1) ** 2 / 2 + a ** 4 / 7, [a, b], beta=None),
    lambda: nesterov((a * b - 1) ** 2 / 2 + a ** 4 / 7, [a, b], beta=None),
    lambda: cyclic_sgd([(a * b - 1) ** 2 / 2, 3 * (a - b) ** 2 / 2, (a + 2 * b - 1) ** 4], [a, b]),
])
def test_block_jacobian_is_the_derivative_of_the_map(build):
    m = build()
    derivative = m.as_matrix().jacobian(m.state)
    assert sp.expand(m.jacobian() - derivative) == sp.zeros(m.dim)


def _multiplier_poly(build, lam):
    """Characteristic polynomial of DF at the minimum 0 of lam x^2 / 2, with eta lam = h."""
    m = build(lam * x ** 2 / 2, [x], beta=None)
    J = m.jacobian().subs({x: 0, sp.Symbol("v_x", real=True): 0}).subs(ETA, h / lam)
    return sp.expand(J.charpoly(mu).as_expr())


def test_heavy_ball_multipliers_are_the_closed_form():
    lam = sp.Rational(3)
    assert sp.expand(_multiplier_poly(heavy_ball, lam) - (mu ** 2 - (1 + BETA - h) * mu + BETA)) == 0
    # the edge h = 2 (1 + beta): the multiplier -1 (and -beta); at h -> 0: 1 and beta
    J = heavy_ball(lam * x ** 2 / 2, [x], beta=None).jacobian().subs(x, 0)
    edge = J.subs(ETA, 2 * (1 + BETA) / lam).eigenvals()
    assert set(edge) == {-1, -BETA}
    assert set(J.subs(ETA, 0).eigenvals()) == {1, BETA}


def test_nesterov_edge_is_derived_from_its_multipliers():
    p = _multiplier_poly(nesterov, sp.Integer(2))
    assert sp.expand(p - (mu ** 2 - (1 + BETA) * (1 - h) * mu + BETA * (1 - h))) == 0
    # mu = -1 is a root exactly at h = (2 + 2 beta) / (1 + 2 beta); mu = 1 only at h = 0
    (edge,) = sp.solve(p.subs(mu, -1), h)
    assert sp.simplify(edge - (2 + 2 * BETA) / (1 + 2 * BETA)) == 0
    assert sp.solve(p.subs(mu, 1), h) == [0]


@pytest.mark.parametrize("build, edge", [
    (heavy_ball, lambda be: 2 * (1 + be)),
    (nesterov, lambda be: (2 + 2 * be) / (1 + 2 * be)),
])
def test_stability_region_on_a_grid_matches_the_closed_form(build, edge):
    """Exact eigenvalues at rational (beta, h): all inside the unit circle iff 0 < h < edge."""
    p = _multiplier_poly(build, sp.Integer(1))
    for be in [sp.Rational(k, 10) for k in (1, 3, 5, 7, 9)]:
        for hv in [sp.Rational(k, 8) for k in range(1, 40)]:
            if hv == edge(be):
                continue
            roots = sp.Poly(p.subs({BETA: be, h: hv}), mu).all_roots()
            inside = max(abs(complex(r)) for r in roots) < 1
            assert inside == (hv < edge(be)), (be, hv)


@pytest.mark.parametrize("build, edge", [(heavy_ball, 1.0), (nesterov, 0.5)])
def test_iterate_converges_below_the_edge_and_not_above(build, edge):
    """(3 x^2 + y^2) / 2, lambda_max = 3, beta = 1/2: heavy ball 2 (3/2) / 3, Nesterov (3/2) / 3."""
    m = build((3 * x ** 2 + y ** 2) / 2, [x, y], beta=0.5)
    x0 = np.random.default_rng(0).normal(size=(200, 4))
    below = gdmaps.iterate(m, x0, 4000, eta=0.97 * edge)
    above = gdmaps.iterate(m, x0, 4000, eta=1.03 * edge)
    assert below.counts["converged"] == 200
    assert above.counts["converged"] == 0


def test_cyclic_sgd_of_one_batch_is_gd_and_composes_in_order():
    L = (a * b - 1) ** 2 / 2
    assert cyclic_sgd([L], [a, b]).exprs == gdmaps.GDMap(L, [a, b]).exprs
    L1, L2 = (a - 1) ** 2 / 2, (a * b) ** 2
    m = cyclic_sgd([L1, L2], [a, b], eta=0.1)
    p = np.array([0.3, -0.7])
    q = p - 0.1 * np.array([p[0] - 1, 0.0])
    q = q - 0.1 * np.array([2 * q[0] * q[1] ** 2, 2 * q[1] * q[0] ** 2])
    assert np.allclose(m(p), q, rtol=0, atol=1e-15)


def test_errors_say_what_is_allowed():
    with pytest.raises(gdmaps.InvalidArgumentError, match=r"beta must be a number in \[0, 1\)"):
        heavy_ball(x ** 2, [x], beta=1)
    with pytest.raises(gdmaps.InvalidArgumentError, match="reserves"):
        heavy_ball(x ** 2 + sp.Symbol("v_x") ** 2, [x], beta=0.5)
    with pytest.raises(gdmaps.InvalidArgumentError, match="appear in none"):
        cyclic_sgd([x ** 2], [x, y])
    with pytest.raises(gdmaps.FreeParameterError, match="pass eta="):
        gdmaps.iterate(heavy_ball(x ** 2, [x], beta=0.5), np.ones((2, 2)), 3)


# -- the analyses on a momentum map: L = x^2/2 + x^4/4, H(0) = 1, flip of heavy ball at 2 (1 + beta) --
QUARTIC = x ** 2 / 2 + x ** 4 / 4


def test_fixed_points_and_stability_of_heavy_ball():
    m = heavy_ball(QUARTIC, [x], beta=0.5, eta=1)
    fp = gdmaps.fixed_points(m, [[-2, 2], [-2, 2]])
    assert len(fp.points) == 1 and np.allclose(np.asarray(fp.points[0].points, dtype=float), [[0.0, 0.0]])
    mults = gdmaps.stability(m, [0, 0]).multipliers
    assert np.allclose(sorted(np.abs(mults)), [np.sqrt(0.5)] * 2)  # mu^2 - 0.5 mu + 0.5: |mu|^2 = beta


def test_continuation_in_eta_finds_the_flip_at_two_one_plus_beta():
    m = heavy_ball(QUARTIC, [x], beta=0.5)
    cont = gdmaps.continuation(m, [0.0, 0.0], "eta", (0.5, 4.0))
    flips = [bp.value for bp in cont.bifurcations if bp.kind == "period-doubling"]
    assert flips and abs(flips[0] - 3.0) < 1e-6


def test_continuation_in_beta_finds_the_flip():
    """At eta = 2.5 the flip sits where 2 (1 + beta) = 2.5: beta = 1/4."""
    m = heavy_ball(QUARTIC, [x], beta=None, eta=2.5)
    cont = gdmaps.continuation(m, [0.0, 0.0], "beta", (0.6, 0.05))
    flips = [bp.value for bp in cont.bifurcations if bp.kind == "period-doubling"]
    assert flips and abs(flips[0] - 0.25) < 1e-6


def test_periodic_orbits_find_the_subcritical_two_cycle():
    """Below the flip: (p, 2p) -> (-p, -2p) with eta (1 + p^2) = 2 (1 + beta); p = 1/3 at eta = 2.7."""
    m = heavy_ball(QUARTIC, [x], beta=0.5, eta=2.7)
    found = gdmaps.periodic_orbits(m, 2, [[-2, 2], [-2, 2]])
    assert len(found.orbits) == 1
    pts = sorted(np.asarray(found.orbits[0].points, dtype=float).tolist())
    assert np.allclose(pts, [[-1 / 3, -2 / 3], [1 / 3, 2 / 3]], atol=1e-10)


def test_cell_map_on_heavy_ball_finds_one_attractor_below_the_edge():
    m = heavy_ball(QUARTIC, [x], beta=0.5)
    cm = gdmaps.cell_map(m, [[-1, 1], [-1, 1]], 16, eta=1.0)
    assert len(cm.basin_share) == 1 and cm.escape_share == 0
