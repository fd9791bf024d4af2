"""The certified upper bound of eta* for one-hidden-layer networks (certify/critical_network.py).

The truth it is checked against is independent: lambda_max(J^T J) at points of the minima
{r = 0}, parametrized by the input weights (b = M(a)^-1 y), sampled far and near, and the
limit where a softplus unit is switched off (a_1 -> -oo), where the infimum sits.
"""

import numpy as np
import pytest
import sympy as sp

from gdmaps import certify_measure_zero, critical_learning_rate, iterate
from gdmaps.certify.critical_network import _form, _prove, network_upper
from gdmaps.basins.iterate import Fate
from gdmaps.certify.rate import Exactness
from gdmaps.models import mlp

Q = sp.Rational
X, Y = [[Q(1, 2), Q(1)]], [[Q(2, 5), Q(7, 10)]]
PHI = {"tanh": (np.tanh, lambda s: 1 / np.cosh(s) ** 2),
       "softplus": (lambda s: np.logaddexp(0, s), lambda s: 1 / (1 + np.exp(-s)))}


def _sharpness_on_minima(act, a):
    """lambda_max(H) at the minimum with input weights a (rows): b solves M(a) b = y."""
    f, df = PHI[act]
    x, y = np.array([0.5, 1.0]), np.array([0.4, 0.7])
    out = []
    for a1, a2 in a:
        M = np.array([[f(a1 * xi), f(a2 * xi)] for xi in x])
        if abs(np.linalg.det(M)) < 1e-9:
            continue
        b = np.linalg.solve(M, y)
        J = np.array([[f(a1 * xi), f(a2 * xi), b[0] * xi * df(a1 * xi), b[1] * xi * df(a2 * xi)]
                      for xi in x])
        out.append(np.linalg.eigvalsh(J.T @ J)[-1])  # L = sum r^2 / 2: H = J^T J on r = 0
    return np.array(out)


@pytest.fixture(scope="module", params=["tanh", "softplus"])
def net(request):
    g = mlp(X, Y, [2], request.param)
    crit = critical_learning_rate(g)
    return request.param, g, crit


def test_the_form_is_read_from_the_loss():
    form, why = _form(mlp(X, Y, [2], "sigmoid").loss, tuple(mlp(X, Y, [2], "sigmoid").state))
    assert why is None and form.act == "sigmoid" and form.c == Q(1, 2)
    # one residual per data point (in SymPy's order): x_j seen by both units, and y_j
    assert set(zip(form.x, form.y)) == {((Q(1, 2), Q(1, 2)), Q(2, 5)), ((1, 1), Q(7, 10))}


@pytest.mark.parametrize("build, says", [
    (lambda: mlp(X, Y, [2], "tanh", bias=True), "not b * phi"),
    (lambda: mlp(X, Y, [2, 2], "tanh"), "pre-activation"),
    (lambda: mlp([[Q(-1, 2), Q(1)]], Y, [2], "softplus"), "positive input"),
])
def test_networks_outside_the_scope_say_why(build, says):
    g = build()
    bound, why = network_upper(g, 1.0)
    assert bound is None and says in why


def test_the_bound_holds_on_the_minima_sampled_near_and_far(net):
    act, g, crit = net
    assert crit.certified_upper is not None, crit.argument
    T = 2 / crit.certified_upper
    rng = np.random.default_rng(0)
    near = _sharpness_on_minima(act, rng.uniform(-4, 4, size=(4000, 2)))
    far = _sharpness_on_minima(act, rng.uniform(-40, 40, size=(4000, 2)))
    assert len(near) > 3900 and len(far) > 3000  # far out, both units saturate: M(a) singular
    assert near.min() >= T and far.min() >= T
    # the flattest minimum found numerically lies above the proved floor, and not far
    assert T <= crit.sharpness <= 1.09 * T


def test_softplus_infimum_at_infinity_is_above_the_bound():
    g = mlp(X, Y, [2], "softplus")
    crit = critical_learning_rate(g)
    a2 = np.linspace(-3, 3, 6001)
    tail = min(_sharpness_on_minima("softplus", [(a1, v) for v in a2]).min() for a1 in (-30.0, -40.0))
    assert tail < crit.sharpness  # the infimum is not attained: it is approached as a_1 -> -oo
    assert tail >= 2 / crit.certified_upper


def test_a_bound_above_the_truth_is_never_proved(net):
    act, g, crit = net
    form, _ = _form(g.loss, tuple(g.state))
    # the truth from outside: the least lambda_max over minima sampled far out (softplus: near
    # its infimum at a_1 -> -oo) and the flattest minimum found
    a = [(u, v) for u in (-40.0, -30.0, 0.5, 2.0) for v in np.linspace(-3, 3, 601)]
    truth = min(crit.sharpness, _sharpness_on_minima(act, a).min())
    assert _prove(form, 1.01 * truth, max_boxes=100_000)[0] is None
    # a far too large estimate is not proved either: the search restarts from a flatter zero
    bound, _ = network_upper(g, 1.5 * crit.sharpness, max_boxes=100_000)
    assert bound is None or bound.sharpness <= truth


def test_bracket_is_certified_and_decides_both_sides(net):
    act, g, crit = net
    assert crit.exactness is Exactness.CERTIFIED
    assert crit.certified_lower <= float(crit.eta_star) <= crit.certified_upper
    assert crit.certified_upper < 1.1 * crit.certified_lower
    above = certify_measure_zero(g, eta=float(Q(11, 10) * sp.Rational(crit.certified_upper)))
    below = certify_measure_zero(g, eta=0.9 * crit.certified_lower)
    assert above.status.name == "HOLDS" and below.status.name == "FAILS"


def _settled_at_a_global_minimum(g, eta, starts=2000, steps=4000, around=None):
    """Starts whose GD orbit ends at a global minimum: gradient <= 1e-9 and L <= 1e-8 (period-2
    orbits hovering near an unstable minimum keep a gradient ~1e-4; orbits drifting to the dead
    plateau a -> -oo have L = sum y^2 / 2)."""
    G = g.at(eta)
    x0 = np.random.default_rng(1).normal(size=(starts, g.dim))
    if around is not None:  # a small ball around a point
        x0 = np.asarray(around, dtype=float) + 1e-3 * x0
    res = iterate(G, x0, steps, grad_tol=1e-9, stability=False)
    done = res.final[res.fate == Fate.CONVERGED]
    return int(sum(float(G.numeric.loss(x)) <= 1e-8 for x in done))


@pytest.mark.slow
def test_holds_agrees_with_simulation(net):
    act, g, crit = net
    assert _settled_at_a_global_minimum(g, 1.05 * crit.certified_upper) == 0  # past eta*: none
    # below eta*: a small ball around the FAILS witness settles on the minima
    assert _settled_at_a_global_minimum(g, 0.9 * crit.certified_lower, starts=200,
                                        around=crit.minimizer) == 200


def test_golden_ratio_network_is_bracketed_from_above():
    """x = +-1 -> y = +-1/2, tanh: eta* = (1 + sqrt 5)/2 by hand (examples/05). Inputs of both
    signs (tanh is odd); min L = 0 by hand (b tanh(a) = 1/2), so the bound applies."""
    phi = (1 + 5 ** 0.5) / 2
    g = mlp([[-1, 1]], [[-Q(1, 2), Q(1, 2)]], [2], "tanh")
    bound, why = network_upper(g, 2 / phi)  # the true s_min as the estimate
    assert bound is not None, why
    assert phi <= bound.upper <= 1.1 * phi
    form, _ = _form(g.loss, tuple(g.state))
    assert _prove(form, 1.01 * 2 / phi, max_boxes=50_000)[0] is None  # 1.01 s_min: false, unproved
