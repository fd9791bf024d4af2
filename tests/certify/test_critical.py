"""critical_learning_rate against the closed forms derived by hand (DESIGN.md)."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, loss_from_text
from gdmaps.certify.critical import Exactness, critical_learning_rate
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
    from gdmaps.certify.critical import _numeric

    crit = _numeric(loss_from_text("(a*b - 1)**2/2 + (a - b)**2/2").at(1), starts=10, seed=0, box=2.0)
    assert crit.exactness is Exactness.NUMERIC and "not a proof" in crit.argument
    assert float(crit.eta_star) == pytest.approx(1.0, rel=1e-6)


def test_polynomial_with_isolated_minima_is_exact():
    # the same loss: finitely many critical points, so the exact path decides: eta* = 1
    crit = critical_learning_rate(loss_from_text("(a*b - 1)**2/2 + (a - b)**2/2"))
    assert crit.exactness is Exactness.EXACT and crit.eta_star == 1 and crit.sharpness == 2
    assert crit.minima_proved is True and crit.morse_bott


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_whitened_linear_network_equals_one_over_norm_and_the_numeric_search(reduction):
    # X X^T = I: eta* = 1 / ||Y X^T||_2 (times n for "mean"); the numeric search over the
    # minima (an independent method) must not find a flatter minimum
    from gdmaps.certify.critical import _numeric
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
    crit = critical_learning_rate(linear_network(X, X[:1], [2]), starts=4)
    # non-whitened data: not exact, a certified bracket (tests/test_critical_linear_bracket.py)
    assert crit.exactness is Exactness.CERTIFIED
    assert crit.certified_lower <= crit.certified_upper
    # width 1 < rank M = 2
    g = linear_network(np.eye(2), np.eye(2), [1])
    assert critical_learning_rate(g, starts=4).exactness is Exactness.NUMERIC


# -- certified lower bounds of eta* for zero-residual sums of squares -------------------------
def test_certified_lower_bound_on_the_two_minima_problem():
    # (ab - 1)^2/2 + (a - b)^2/2: minima (1, 1), (-1, -1) with H = 2 I, so eta* = 1 exactly
    from gdmaps.certify.critical import _numeric

    crit = _numeric(loss_from_text("(a*b - 1)**2/2 + (a - b)**2/2").at(1), starts=10, seed=0, box=2.0)
    assert crit.exactness is Exactness.NUMERIC
    assert crit.certified_lower is not None and crit.certified_upper is None
    assert crit.certified_lower <= 1.0
    assert crit.certified_lower >= 1.0 - 1e-6
    assert "Certified: eta* >=" in crit.argument


def test_certified_lower_bound_on_a_curve_of_minima():
    # (ab - 1)^2/2 + (ac - 2)^2/2: minima b = 1/a, c = 2/a, where H = J^T J has
    # lambda_max = a^2 + 5/a^2 >= 2 sqrt(5) (equality at a^2 = sqrt 5): eta* = 1/sqrt(5)
    from gdmaps.certify.critical import _numeric

    g = loss_from_text("(a*b - 1)**2/2 + (a*c - 2)**2/2")
    exact = critical_learning_rate(g)   # the variety of minima, exactly (critical_variety)
    assert exact.exactness is Exactness.EXACT and exact.eta_star == 1 / sp.sqrt(5)
    crit = _numeric(g.at(1), starts=10, seed=0, box=2.0)   # the numeric path, certified below
    truth = 1 / np.sqrt(5)
    assert crit.exactness is Exactness.NUMERIC and crit.certified_lower is not None
    assert crit.certified_lower <= truth
    assert crit.certified_lower >= truth * (1 - 1e-6)


def test_certified_lower_bound_is_sound_at_a_sharper_minimum():
    # near the global minimum a = 1, b = 1, c = 2, lambda_max(H) = 6: the bound is ~1/3, valid
    # (<= 1/sqrt 5) though far from tight (the certified zero is within ~1e-9 of that point)
    from gdmaps.certify.critical import _certified_lower

    g = loss_from_text("(a*b - 1)**2/2 + (a*c - 2)**2/2")
    lower, why = _certified_lower(g, [1.0, 1.0 + 1e-9, 2.0 - 1e-9])
    assert why is None and lower <= 1 / np.sqrt(5) and lower == pytest.approx(1 / 3, rel=1e-6)


def test_no_certified_bound_when_the_minimum_loss_is_not_zero():
    # (a^2 + 1)^2/2 + (b - a)^2/2 >= 1/2: the residual a^2 + 1 has no real zero
    from gdmaps.certify.critical import _certified_lower

    from gdmaps.certify.critical import _numeric

    g = loss_from_text("(a**2 + 1)**2/2 + (b - a)**2/2")
    crit = _numeric(g.at(1), starts=10, seed=0, box=2.0)
    assert crit.exactness is Exactness.NUMERIC
    assert crit.certified_lower is None and crit.certified_upper is None
    assert "No certified bound" in crit.argument
    # the exact path: the only critical point is 0, H(0) = [[3, -1], [-1, 1]], 2 +- sqrt 2
    exact = critical_learning_rate(g)
    assert exact.exactness is Exactness.EXACT
    assert sp.simplify(exact.sharpness - (2 + sp.sqrt(2))) == 0
    # even when asked directly, the Krawczyk test cannot prove a zero that does not exist
    assert _certified_lower(g, [0.0, 0.0])[0] is None


def test_no_certified_bound_for_losses_that_are_not_syntactic_sums_of_squares():
    a, b = sp.symbols("a b")
    from gdmaps.certify.critical import _numeric

    g = GDMap(sp.expand((a * b - 1) ** 2 / 2 + (a - b) ** 2 / 2), [a, b])
    crit = _numeric(g.at(1), starts=10, seed=0, box=2.0)
    assert crit.exactness is Exactness.NUMERIC and crit.certified_lower is None


def test_sos_residuals_structure():
    from gdmaps.certify.sos import sos_residuals

    a, b = sp.symbols("a b")
    got = sos_residuals(sp.Rational(3, 2) * ((a * b - 1) ** 2 + 2 * (a - b) ** 4), (a, b))
    assert got is not None and len(got) == 2
    assert sp.expand(sum(c * r ** 2 for c, r in got)
                     - sp.Rational(3, 2) * ((a * b - 1) ** 2 + 2 * (a - b) ** 4)) == 0
    assert all(c > 0 for c, _ in got)
    assert sos_residuals((a * b - 1) ** 2 - (a - b) ** 2, (a, b)) is None   # negative coefficient
    assert sos_residuals((a * b - 1) ** 2 + a ** 3, (a, b)) is None          # odd power
    assert sos_residuals((sp.sqrt(a) - 1) ** 2, (a, b)) is None              # not a polynomial
    assert sos_residuals((sp.I * a - 1) ** 2, (a, b)) is None                # not real
    assert sos_residuals(sp.pi * (a - 1) ** 2, (a, b)) is None               # refused, not expanded


def test_whitened_linear_network_minimizer_is_a_flattest_minimum():
    from gdmaps.models import linear_network

    Y = np.array([[0.1, -1.3, 0.6], [0.9, 0.4, -0.2]])
    g = linear_network(np.eye(3), Y, [2])
    crit = critical_learning_rate(g)
    w = np.array(crit.minimizer)
    assert g.numeric.loss(w) == pytest.approx(0, abs=1e-12)  # W2 W1 = Y: it interpolates
    assert np.linalg.eigvalsh(g.numeric.hessian(w))[-1] == pytest.approx(2 * np.linalg.norm(Y, 2), rel=1e-10)


def test_analytic_residuals_are_sums_of_squares_only_when_proved_real():
    from gdmaps.certify.sos import sos_residuals

    a, b = sp.symbols("a b")
    loss = (b * sp.tanh(a) - 1) ** 2 / 2 + (sp.log(1 + sp.exp(a)) - b) ** 2
    assert sos_residuals(loss, (a, b)) is None                       # polynomial residuals only
    got = sos_residuals(loss, (a, b), analytic=True)
    assert {r for _, r in got} == {b * sp.tanh(a) - 1, sp.log(1 + sp.exp(a)) - b}
    assert sos_residuals((sp.sqrt(a) - 1) ** 2, (a, b), analytic=True) is None   # a kink at 0
    assert sos_residuals((sp.log(a) - 1) ** 2, (a, b), analytic=True) is None    # not real for a < 0


@pytest.mark.parametrize("activation", ["tanh", "softplus"])
def test_network_fails_below_a_certified_lower_bound(activation):
    """A 1-2-1 network fitting 2 points exactly: minima are an unbounded 2-manifold, L >= 0.

    No closed form is known (the flattest minima may lie far out: for softplus the search
    finds one at |theta| ~ 100, flatter than any with |theta_i| <= 10). So the checks are
    independent evaluations: hand-written residuals vanish at the witness, the hand-written
    Hessian J^T J there is below 2 / eta, GD by hand from a ball around it reaches L = 0, and
    a bounded SLSQP search finds no minimum flatter than the certified witness allows.
    """
    from scipy.optimize import minimize

    from gdmaps import certify_measure_zero
    from gdmaps.certify.certificate import Status
    from gdmaps.models import mlp

    xs, ys = np.array([0.5, 1.0]), np.array([0.4, 0.7])
    g = mlp([[sp.Rational(1, 2), 1]], [[sp.Rational(2, 5), sp.Rational(7, 10)]], [2], activation)
    act, dact = ((np.tanh, lambda s: 1 / np.cosh(s) ** 2) if activation == "tanh"
                 else (lambda s: np.log1p(np.exp(s)), lambda s: 1 / (1 + np.exp(-s))))

    def res(p):
        a1, a2, b1, b2 = p
        return b1 * act(a1 * xs) + b2 * act(a2 * xs) - ys

    def jac(p):
        a1, a2, b1, b2 = p
        return np.stack([b1 * xs * dact(a1 * xs), b2 * xs * dact(a2 * xs), act(a1 * xs), act(a2 * xs)], 1)

    def lam(p):
        J = jac(p)
        return np.linalg.eigvalsh(J.T @ J)[-1]   # H = J^T J at r = 0 (L = |r|^2 / 2)

    crit = critical_learning_rate(g)
    assert crit.exactness is Exactness.CERTIFIED and crit.morse_bott and crit.minima_proved
    eta = 0.9 * crit.certified_lower
    cert = certify_measure_zero(g, eta=eta)
    assert cert.status is Status.FAILS
    w = np.array(cert.witness["point"], dtype=float)
    assert np.abs(res(w)).max() < 1e-6 and lam(w) < 2 / crit.certified_lower * (1 + 1e-6)
    rng = np.random.default_rng(0)
    P = w + 1e-3 * rng.standard_normal((64, 4))
    for _ in range(3000):   # GD by hand: grad L = J^T r
        P = P - eta * np.stack([jac(p).T @ res(p) for p in P])
    assert max(np.abs(res(p)).max() for p in P) < 1e-8
    best = min(minimize(lam, rng.uniform(-2, 2, 4), method="SLSQP", bounds=[(-10, 10)] * 4,
                        constraints=[{"type": "eq", "fun": res}], options={"ftol": 1e-14}).fun
               for _ in range(10))
    assert best > 0.5 * lam(w)   # the witness is not absurdly sharp compared with a local search
    # and above: the upper bound (certify/critical_network.py) is within 10% of the witness
    assert crit.certified_upper < 1.1 * 2 / lam(w)
    assert certify_measure_zero(g, eta=1.1 * 2 / lam(w)).status is Status.HOLDS


def test_linear_network_with_zero_target_has_flat_minimum_at_zero():
    from gdmaps.models import linear_network

    g = linear_network([[1, 0, 1], [0, 1, 1]], [[0, 0, 0]], [2])   # non-whitened, Y = 0
    crit = critical_learning_rate(g)
    zero = dict.fromkeys(g.state, 0)
    # by hand: L >= 0 = L(0) and the SymPy Hessian at 0 vanishes, so s_min = 0
    assert g.loss.subs(zero) == 0 and g.hessian().subs(zero).is_zero_matrix
    assert crit.exactness is Exactness.EXACT and crit.eta_star == sp.oo and crit.sharpness == 0


def test_a_certificate_keeps_what_its_steps_rest_on():
    from gdmaps import certify_measure_zero

    g = loss_from_text("(a*b - 1)**2/2")
    cert = certify_measure_zero(g, eta=sp.Rational(6, 5))
    assert cert.critical.eta_star == 1 and cert.non_singularity.verdict.value == "proven"
    assert str(cert.critical.eta_star) in cert.steps[1].evidence


def test_networks_that_are_not_linear_pass_the_zero_target_check():
    from gdmaps.certify.critical import _zero_target
    from gdmaps.models import mlp

    g = mlp([[-2, sp.Rational(-1, 4)]], [[0, 0]], [2], "tanh")   # Y = 0, but not a linear network
    assert _zero_target(g) is None   # it once read .widths of any network and crashed
