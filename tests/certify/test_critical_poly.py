"""Exact eta* of polynomial losses with finitely many critical points.

Every expected value is derived by hand in the comments (critical points, second
derivatives, Hessian spectra), never taken from the code under test.
"""

import pytest
import sympy as sp

from gdmaps import GDMap, certify_measure_zero, critical_learning_rate
from gdmaps.certify.certificate import Status
from gdmaps.certify.critical import Exactness
from gdmaps.certify.critical_poly import polynomial_minima

x, a, b, w1, w2 = sp.symbols("x a b w1 w2")
R = sp.Rational


def test_float_coefficients_are_read_as_decimals_and_give_the_flattest_minimum():
    # L = (x - 1/5)^2 (x + 1)^2 ((x - 6/5)^2 + 1) >= 0 with zeros at 1/5 and -1;
    # L''(1/5) = 2 (6/5)^2 ((1)^2 + 1) = 144/25 and L''(-1) = 2 (6/5)^2 (121/25 + 1) = 10512/625,
    # so s_min = 144/25 at x = 1/5 and eta* = 2 / (144/25) = 25/72
    g = GDMap((x - 0.2)**2 * (x + 1)**2 * ((x - 1.2)**2 + 1), [x])
    crit = critical_learning_rate(g)
    assert crit.exactness is Exactness.EXACT and crit.eta_star == R(25, 72)
    assert crit.minimizer == (R(1, 5),) and crit.minima_proved is True
    cert = certify_measure_zero(g, eta=0.3)
    assert cert.status is Status.FAILS and cert.witness["point"] == (R(1, 5),)
    assert certify_measure_zero(g, eta=0.35).status is Status.HOLDS


def test_float_loss_and_its_exact_twin_agree():
    twin = GDMap((x - R(1, 5))**2 * (x + 1)**2 * ((x - R(6, 5))**2 + 1), [x])
    g = GDMap((x - 0.2)**2 * (x + 1)**2 * ((x - 1.2)**2 + 1), [x])
    assert g.loss == twin.loss
    for eta in (R(3, 10), R(7, 20)):
        assert certify_measure_zero(g, eta=eta).status is certify_measure_zero(twin, eta=eta).status


def test_float_product_loss_takes_the_flatter_of_tied_minima():
    # q(P) = (P - 3/10)^2 (P + 7/10)^2 / 10: minima P = 3/10 and -7/10 (both L = 0), q''(P*) = 1/5
    # there; s = q'' * 2|P*| = 3/25 at P = 3/10 (the flatter), eta* = 50/3
    g = GDMap(0.1 * (a*b - 0.3)**2 * (a*b + 0.7)**2, [a, b])
    crit = critical_learning_rate(g)
    assert crit.exactness is Exactness.EXACT and crit.eta_star == R(50, 3)
    assert certify_measure_zero(g, eta=10).status is Status.FAILS
    assert certify_measure_zero(g, eta=17).status is Status.HOLDS


def test_two_parameter_loss_with_isolated_minima_is_exact():
    # (w1 w2 - 2)^2/2 + (w1^2 - w2^2)^2/10: minima +-(sqrt 2, sqrt 2); there the Hessian is
    # g g^T + (2/5) h h^T with g = (w2, w1), h = (2 w1, -2 w2): eigenvalues |g|^2 = 4 and
    # (2/5) |h|^2 = 16/5, so s_min = 4 and eta* = 1/2
    g = GDMap((w1*w2 - 2)**2 / 2 + (w1**2 - w2**2)**2 / 10, [w1, w2])
    crit = critical_learning_rate(g)
    assert crit.exactness is Exactness.EXACT and crit.eta_star == R(1, 2) and crit.sharpness == 4
    assert set(polynomial_minima(g).points) == {(sp.sqrt(2), sp.sqrt(2)), (-sp.sqrt(2), -sp.sqrt(2))}
    below = certify_measure_zero(g, eta=0.45, target="critical-points")
    above = certify_measure_zero(g, eta=0.55, target="critical-points")
    assert below.status is Status.FAILS and above.status is Status.HOLDS
    assert all(step.established for step in above.steps)


def test_irrational_minimizers_come_out_as_exact_roots():
    # x^4 - 3x^2 + x: L' = 4x^3 - 6x + 1 has three real roots; the global minimum is the
    # negative one r, L''(r) = 12 r^2 - 6. Check against an independent high-precision root.
    crit = critical_learning_rate(GDMap(x**4 - 3*x**2 + x, [x]))
    r = min(sp.Poly(4*x**3 - 6*x + 1).nroots(n=50))
    assert crit.exactness is Exactness.EXACT
    assert abs(sp.N(crit.sharpness, 40) - (12*r**2 - 6)) < 1e-35
    assert abs(sp.N(crit.minimizer[0], 40) - r) < 1e-35


@pytest.mark.parametrize("loss, minima, s_min", [
    # Himmelblau: four minima with L = 0; at (3, 2) H = [[74, 20], [20, 34]], lambda_max = 54 + sqrt(800)
    ((a**2 + b - 11)**2 + (a + b**2 - 7)**2, 4, None),
    # Booth: (1, 3), H = [[10, 8], [8, 10]], spectrum {2, 18}
    ((a + 2*b - 7)**2 + (2*a + b - 5)**2, 1, 18),
    # separable double well: minima (+-1, +-2), H = diag(8, 96)
    ((a**2 - 1)**2 + 3*(b**2 - 4)**2, 4, 96),
    # three-hump camel: minimum 0 at the origin, H = [[4, 1], [1, 2]], lambda_max = 3 + sqrt 2
    (2*a**2 - R(105, 100)*a**4 + a**6/6 + a*b + b**2, 1, 3 + sp.sqrt(2)),
])
def test_textbook_functions(loss, minima, s_min):
    g = GDMap(loss, [a, b])
    m = polynomial_minima(g)
    assert m is not None and len(m.points) == minima and m.attained is True
    crit = critical_learning_rate(g)
    assert crit.exactness is Exactness.EXACT
    if s_min is not None:
        assert sp.simplify(crit.sharpness - s_min) == 0
    else:  # Himmelblau: the flattest of the four, checked numerically at each minimum
        import numpy as np
        pts = [np.array([float(c) for c in p]) for p in m.points]
        lam = [np.linalg.eigvalsh(g.numeric.hessian(p))[-1] for p in pts]
        assert float(crit.sharpness) == pytest.approx(min(lam), rel=1e-12)


@pytest.mark.parametrize("loss", [x**3, -x**2, x**5 - x])
def test_no_global_minimum_makes_the_claim_vacuous(loss):
    crit = critical_learning_rate(GDMap(loss, [x]))
    assert crit.minima_proved is False and crit.eta_star == 0
    cert = certify_measure_zero(GDMap(loss, [x]), eta=1)
    assert cert.status is Status.HOLDS and "vacuous" in cert.reason


@pytest.mark.parametrize("loss", [sp.exp(x), sp.log(1 + sp.exp(x))])
def test_infimum_not_attained_invents_no_numbers(loss):
    crit = critical_learning_rate(GDMap(loss, [x]))
    assert crit.exactness is Exactness.NUMERIC and crit.eta_star != crit.eta_star  # nan
    assert "no minimum" in crit.argument
    assert certify_measure_zero(GDMap(loss, [x]), eta=1).status is Status.INCONCLUSIVE


def test_degenerate_minimum_is_inconclusive():
    # x^4: the minimum 0 has H = 0: linear stability decides nothing
    cert = certify_measure_zero(GDMap(x**4, [x]), eta=1)
    assert cert.status is Status.INCONCLUSIVE


def test_not_proved_bounded_below_never_fails():
    # x^2 + y^4 - ... : L = a^2 + (b^2 - 1)^2 - a^3 b^3/100 is unbounded below (a = b -> oo),
    # its lowest critical points are stable, but they are no global minima: never FAILS
    g = GDMap(a**2 + (b**2 - 1)**2 - a**3 * b**3 / 100, [a, b])
    cert = certify_measure_zero(g, eta=R(1, 100))
    assert cert.status is not Status.FAILS


@pytest.mark.parametrize("eta", [sp.sqrt(2), sp.pi / 4, sp.CRootOf(x**3 - x - 1, 0)])
def test_irrational_step_sizes(eta):
    # eta* = 25/72 ~ 0.347 for this loss; all three step sizes are larger
    g = GDMap((x - R(1, 5))**2 * (x + 1)**2 * ((x - R(6, 5))**2 + 1), [x])
    assert certify_measure_zero(g, eta=eta).status is Status.HOLDS


@pytest.mark.parametrize("loss, eta_star", [
    # minima x = +-sqrt(c), L'' = 8 x^2 = 8c: eta* = 1/(4c)
    ((x**2 - sp.pi)**2, 1 / (4 * sp.pi)),
    ((x**2 - sp.sqrt(2))**2, 1 / (4 * sp.sqrt(2))),
])
def test_irrational_coefficients_are_decided(loss, eta_star):
    g = GDMap(loss, [x])
    assert certify_measure_zero(g, eta=sp.Rational(11, 10) * eta_star).status is Status.HOLDS
    assert certify_measure_zero(g, eta=sp.Rational(9, 10) * eta_star).status is Status.FAILS


def test_unicode_state_names():
    th = sp.Symbol("θ")
    cert = certify_measure_zero(GDMap((th**2 - 1)**2, [th]), eta=1)
    # minima +-1 with L'' = 8: eta* = 1/4 < 1
    assert cert.status is Status.HOLDS


@pytest.mark.parametrize("loss, state, eta_star", [
    # phase retrieval: on y = x^2, H = 2 (2x, -1)(2x, -1)^T, lambda_max = 2 (4x^2 + 1) >= 2 at 0
    ((x**2 - b)**2, [x, b], 1),
    # the unit circle: |grad r|^2 = 4 (x^2 + y^2) = 4 on it, s = 2 * 4 = 8
    ((x**2 + b**2 - 1)**2, [x, b], R(1, 4)),
    # (ab + c - 1)^2: |grad r|^2 = a^2 + b^2 + 1 >= 1, reached at (0, 0, 1): s = 2
    ((a*b + w1 - 1)**2, [a, b, w1], 1),
    # (x^3 - y)^2/2: lambda_max = 9x^4 + 1 >= 1 at the origin
    ((x**3 - b)**2 / 2, [x, b], 2),
])
def test_hypersurfaces_of_minima_are_exact(loss, state, eta_star):
    crit = critical_learning_rate(GDMap(loss, state))
    assert crit.exactness is Exactness.EXACT and crit.eta_star == eta_star and crit.morse_bott
    # the flattest point is a global minimum: L = 0 there
    assert sp.simplify(loss.subs(dict(zip(state, crit.minimizer)))) == 0


def test_singular_minimum_gives_s_min_zero():
    # (x^2 - y^2)^2: the two lines of minima cross at 0, where H = 0
    crit = critical_learning_rate(GDMap((x**2 - b**2)**2, [x, b]))
    assert crit.sharpness == 0 and crit.eta_star == sp.oo
    assert certify_measure_zero(GDMap((x**2 - b**2)**2, [x, b]), eta=1).status is Status.INCONCLUSIVE


@pytest.mark.parametrize("loss, state, s_min", [
    # (x^2 - sqrt 2)^2: minima x = +-2^(1/4), L'' = 8x^2 = 8 sqrt 2
    ((x**2 - sp.sqrt(2))**2, [x], 8 * sp.sqrt(2)),
    # (ab - sqrt 3)^2 + (a - b)^2: minima a = b = +-3^(1/4); H = 2 J^T J with J rows (b, a),
    # (1, -1): spectrum 2 (2 s^2) and 2 * 2 with s^2 = sqrt 3, so s_min = 4 sqrt 3
    ((a*b - sp.sqrt(3))**2 + (a - b)**2, [a, b], 4 * sp.sqrt(3)),
])
def test_algebraic_coefficients_are_exact(loss, state, s_min):
    crit = critical_learning_rate(GDMap(loss, state))
    assert crit.exactness is Exactness.EXACT
    assert sp.simplify(crit.sharpness - s_min) == 0
    assert sp.simplify(loss.subs(dict(zip(state, crit.minimizer)))) == 0


def test_every_other_critical_point_of_himmelblau_is_shown_unstable():
    # Himmelblau has 9 critical points: 4 minima (L = 0), 4 saddles and 1 local maximum; all
    # five non-minima have a negative Hessian eigenvalue. Past eta* (~0.0248) the claim holds
    # for all critical points.
    g = GDMap((a**2 + b - 11)**2 + (a + b**2 - 7)**2, [a, b])
    m = polynomial_minima(g)
    assert len(m.points) == 4 and len(m.others) == 5
    assert all(lo < 0 for _, _, lo, _ in m.others)
    cert = certify_measure_zero(g, eta=R(1, 2), target="critical-points")
    assert cert.status is Status.HOLDS
    assert cert.steps[-1].evidence.count("lambda_min(H)") == 5


def test_repeated_hessian_eigenvalues_are_enclosed():
    # a single linear layer: L = |W X - Y|^2/2 has H = I (x) X X^T everywhere; X X^T =
    # [[2, 1], [1, 2]] has eigenvalues 1 and 3, each repeated per output: eta* = 2/3
    from gdmaps.models import linear_network

    g = linear_network([[1, 0, 1], [0, 1, 1]], [[1, 2, 0], [0, 1, -1]], [])
    m = polynomial_minima(g)
    assert m.sharpness == (3,) and m.smallest_balls[0].contains(1)
    from gdmaps.certify.critical_poly import exact_polynomial
    assert exact_polynomial(g).eta_star == R(2, 3)


def test_weight_decay_makes_the_minimum_attained_and_fails_below():
    # (ab - 1)^2/2 + (a^2 + b^2)/20: minima a = b = +-sqrt(9/10) (ab = 9/10), where
    # H = g g^T + (9/10 - 1) [[0, 1], [1, 0]] + I/10 with g = (b, a): lambda_max = 9/5, eta* = 10/9;
    # L >= (a^2 + b^2)/20 is coercive, so these are global minima and FAILS below eta*
    g = GDMap((a*b - 1)**2 / 2 + (a**2 + b**2) / 20, [a, b])
    crit = critical_learning_rate(g)
    assert crit.eta_star == R(10, 9) and crit.minima_proved is True
    assert certify_measure_zero(g, eta=1).status is Status.FAILS
    assert certify_measure_zero(g, eta=R(6, 5)).status is Status.HOLDS
