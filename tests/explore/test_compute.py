"""The explorer's compute layer against independent truth: closed forms and the public API."""

import numpy as np
import pytest

import gdmaps
from gdmaps.basins.iterate import Fate
from gdmaps.explore import compute
from gdmaps.explore.state import RequestTooLarge, check_request, target_from


@pytest.fixture(scope="module")
def product():
    return target_from(loss="(a*b - 1)^2/2")  # eta* = 1 (s_min = 2|y| = 2)


def test_eta_star_of_the_product_loss_is_one(product):
    assert product.parameter == "eta" and product.eta_star_bracket() == (1.0, 1.0)


def test_fate_map_below_and_above_eta_star(product):
    below = compute.fate_grid(product, 0.5, resolution=61, steps=400)
    above = compute.fate_grid(product, 1.2, resolution=61, steps=400)
    assert below.shares["converged"] > 0.9
    assert above.shares["converged"] == 0.0  # every minimum unstable past eta* = 1
    # the same as the public fate_map, point for point
    ref = gdmaps.fate_map(product.map, 2, eta=0.5, resolution=61, steps=400)
    assert np.array_equal(below.fates, ref.fates)


def test_fate_grid_of_a_higher_dimensional_slice():
    t = target_from(loss="(a*b*c - 1)^2/2")
    g = compute.fate_grid(t, 0.2, dims=(0, 2), at=[0, 1.0, 0], resolution=21, steps=200)
    assert g.dims == (0, 2) and g.fates.shape == (21, 21) and g.at[1] == 1.0
    assert np.allclose(g.start(g.xs[3], g.ys[5]), [g.xs[3], 1.0, g.ys[5]])


def test_cobweb_of_the_logistic_map():
    t = target_from(map="logistic")
    c = compute.cobweb(t, 3.2, 0.3, steps=40)
    x = [0.3]
    for _ in range(40):
        x.append(3.2 * x[-1] * (1 - x[-1]))
    assert np.allclose(c.path_y[1::2], x[1:])  # vertical moves land on f(x_k)
    assert np.allclose(c.path_x[0::2], x)
    assert np.allclose(c.fx, 3.2 * c.x * (1 - c.x))
    # the staircase settles on the 2-cycle of r = 3.2: (r + 1 +- sqrt((r + 1)(r - 3))) / (2r)
    r = 3.2
    cycle = sorted((r + 1 + s * np.sqrt((r + 1) * (r - 3))) / (2 * r) for s in (-1, 1))
    assert np.allclose(sorted(c.path_y[-4::2]), cycle, atol=1e-6)


def test_cobweb_refuses_two_dimensional_maps(product):
    with pytest.raises(gdmaps.InvalidArgumentError, match="dimension 1"):
        compute.cobweb(product, 0.5, 0.1)


def test_orbit_image_counts_the_points_of_orbit_diagram():
    t = target_from(map="logistic")
    im = compute.orbit_image(t, 2.5, 4.0, columns=60, rows=80, starts=5, keep=20, transient=300,
                             ylim=(0.0, 1.0), lyapunov=False)
    d = gdmaps.orbit_diagram(t.map, "r", im.values, starts=5, keep=20, transient=300, region=t.box, seed=0)
    assert np.array_equal(im.counts, compute.rasterize(im.values, d.points[:, :, 0], 2.5, 4.0, 0.0, 1.0,
                                                       columns=60, rows=80))
    assert im.points == np.isfinite(d.points).sum() == im.counts.sum()
    # a fixed point at r = 2.5 (one pixel), the chaos of r = 4 (many)
    assert np.count_nonzero(im.counts[:, 0]) == 1
    assert np.count_nonzero(im.counts[:, -1]) > 20


def test_orbit_image_has_a_million_points_and_the_lyapunov_exponent():
    t = target_from(map="logistic")
    im = compute.orbit_image(t, 3.9, 4.0, columns=300, starts=60, keep=60, transient=200)
    assert im.points >= 10**6
    assert im.lyapunov[-1] == pytest.approx(np.log(2), abs=0.05)  # r = 4: ln 2


def test_trajectory_sharpness_converges_to_the_balanced_minimum(product):
    p = compute.trajectory(product, 0.5, [1.2, 1.2], steps=200)
    assert p.fate == "converged"
    assert p.sharpness[-1] == pytest.approx(2.0, abs=1e-6)  # a^2 + b^2 at a = b = 1
    assert p.limit == 4.0
    assert p.grad_norm[-1] < 1e-8 and p.loss[0] == pytest.approx((1.44 - 1) ** 2 / 2)


def test_phase_curve_matches_convergent_fraction(product):
    c = compute.phase_curve(product, [0.5, 1.2], starts=300, steps=300)
    ref = gdmaps.convergent_fraction(product.map, eta=0.5, starts=300, steps=300, init="uniform",
                                     region=product.box, seed=0)
    assert c.fraction[0] == ref.fraction and (c.lower[0], c.upper[0]) == tuple(ref.interval)
    assert c.fraction[1] == 0.0


def test_orbits_at_the_henon_map_are_certified():
    t = target_from(map="henon")
    m = compute.orbits_at(t, 1.4, periods=(1,))
    x = sorted(m.points[:, 0])
    # fixed points of Henon a = 1.4, b = 0.3: x = (-(1 - b) +- sqrt((1 - b)^2 + 4a)) / (2a)
    a, b = 1.4, 0.3
    truth = sorted((-(1 - b) + s * np.sqrt((1 - b) ** 2 + 4 * a)) / (2 * a) for s in (-1, 1))
    assert np.allclose(x, truth) and m.certified.all() and not m.stable.any()


def test_certificate_at_switches_at_eta_star(product):
    assert compute.certificate_at(product, 0.9).status is gdmaps.Status.FAILS
    assert compute.certificate_at(product, 1.2).status is gdmaps.Status.HOLDS


def test_bifurcations_of_the_quartic_are_found():
    t = target_from(loss="(x^2 - 1)^2/4", span=(0.5, 1.31), region=[[-2, 2]])
    marks = compute.bifurcation_marks(t)
    assert any(k == "period-doubling" and abs(v - 1.0) < 1e-8 for k, v in marks)


def test_requests_too_big_are_refused_with_the_limit(product):
    with pytest.raises(RequestTooLarge, match="the limit is 1,000,000"):
        compute.fate_grid(product, 0.5, resolution=2000)
    with pytest.raises(RequestTooLarge, match="diagram_points"):
        compute.orbit_image(product, 0.3, 1.2, columns=10_000, starts=100, keep=100)
    check_request("fate_points", 10, "ten")


def test_cancelled_token_stops_the_work(product):
    from gdmaps.explore.jobs import Cancelled, Token

    token = Token()
    token.cancel()
    with pytest.raises(Cancelled):
        compute.fate_grid(product, 0.5, resolution=50, token=token)


def test_unknown_fate_codes_are_the_library_ones():
    assert [f.value for f in Fate] == [0, 1, 2, 3]
