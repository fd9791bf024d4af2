"""Networks everywhere: the cross-entropy loss in backprop against SymPy and finite
differences, and every analysis on an mlp evaluated by backpropagation."""

import numpy as np
import pytest
import sympy as sp

import gdmaps
from gdmaps.certify.certificate import Status
from gdmaps.certify.non_singularity import Verdict
from gdmaps.core.errors import InvalidArgumentError
from gdmaps.models import mlp
from gdmaps.models.data import dataset


def _pair(X, Y, widths, activation, **kw):
    """The same network twice: SymPy (exact) and backprop (floats)."""
    return (mlp(X, Y, widths, activation, symbolic=True, **kw),
            mlp(X, Y, widths, activation, symbolic=False, **kw))


CASES = [  # (X, Y, widths, activation, keywords): logistic and softmax, with and without biases
    ([[0.5, -1.0, 2.0]], [[1, 0, 1]], [2], "tanh", dict(loss="cross_entropy")),
    ([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [2], "sigmoid",
     dict(loss="cross_entropy", bias=True, reduction="mean")),
    ([[0.5, -1.0]], [[0.25, 0.5], [0.75, 0.5]], [1, 1], "softplus", dict(loss="cross_entropy", bias=True)),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_cross_entropy_backprop_matches_sympy(case):
    X, Y, widths, act, kw = CASES[case]
    exact, fast = _pair(X, Y, widths, act, **kw)
    theta = np.random.default_rng(case).normal(size=(3, exact.dim))
    for t in theta:
        sub = dict(zip(exact.state, map(sp.Float, t)))
        L = float(exact.loss.xreplace(sub))
        g = np.array([float(v) for v in exact.gradient().xreplace(sub)])
        H = np.array(exact.hessian().xreplace(sub).evalf(), dtype=float)
        assert abs(fast.numeric.loss(t) - L) < 1e-12 * max(1, abs(L))
        assert np.allclose(fast.numeric.gradient(t), g, rtol=1e-10, atol=1e-12)
        assert np.allclose(fast.numeric.hessian(t), H, rtol=1e-9, atol=1e-11)


def test_cross_entropy_hvp_matches_finite_differences():
    """H v against the central difference of the gradient, (g(t + hv) - g(t - hv)) / 2h = Hv + O(h^2)."""
    X, Y = dataset("iris", points=30, seed=2)
    g = mlp(X, Y, [5, 4], "tanh", loss="cross_entropy", bias=True, symbolic=False)
    rng = np.random.default_rng(0)
    t, v = rng.normal(size=g.dim) * 0.5, rng.normal(size=g.dim)
    h = 1e-5
    fd = (g.numeric.gradient(t + h * v) - g.numeric.gradient(t - h * v)) / (2 * h)
    assert np.allclose(g.numeric.hvp(t, v), fd, rtol=1e-6, atol=1e-8)
    # and the gradient against the central difference of the loss along v
    fl = (g.numeric.loss(t + h * v) - g.numeric.loss(t - h * v)) / (2 * h)
    assert abs(g.numeric.gradient(t) @ v - fl) < 1e-7 * max(1, abs(fl))


def test_cross_entropy_closed_forms():
    """f = 0: log 2 per point (logistic), log K (softmax over K). Logistic regression with no
    hidden layer, H = sum_i p_i (1 - p_i) x_i x_i^T; at w = 0, p = 1/2: H = X X^T / 4."""
    X = np.array([[1.0, -2.0, 0.5]])
    g = mlp(X, [[1, 0, 1]], [], "tanh", loss="cross_entropy", symbolic=False)
    assert np.isclose(g.numeric.loss(np.zeros(1)), 3 * np.log(2), rtol=1e-15)
    assert np.isclose(g.numeric.hessian(np.zeros(1))[0, 0], (X @ X.T)[0, 0] / 4, rtol=1e-15)
    K = mlp(X, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [], "tanh", loss="cross_entropy", reduction="mean",
            symbolic=False)
    assert np.isclose(K.numeric.loss(np.zeros(3)), np.log(3), rtol=1e-15)


@pytest.mark.parametrize("Y,words", [([[2.0, 0.0]], "must lie in"), ([[0.5, 1.0], [0.2, 0.0]], "sum to 1")])
def test_cross_entropy_targets_are_checked(Y, words):
    with pytest.raises(InvalidArgumentError, match=words):
        mlp([[1.0, 2.0]], Y, [2], "tanh", loss="cross_entropy")


# -- the analyses on a network evaluated by backpropagation ---------------------------------
@pytest.fixture
def net():
    X, Y = dataset("sine", points=12)
    return mlp(X, Y, [3], "tanh", symbolic=False)  # 6 weights: numeric only


def test_critical_learning_rate(net):
    """The estimate is 2 / lambda_max(H) at the minimum it reports: checked by a dense
    eigen-solve of the Hessian there, and that minimum has a vanishing gradient."""
    rate = gdmaps.critical_learning_rate(net, starts=8)
    x = np.array(rate.minimizer, dtype=float)
    assert np.linalg.norm(net.numeric.gradient(x)) < 1e-5
    assert np.isclose(rate.eta_star, 2 / np.linalg.eigvalsh(net.numeric.hessian(x))[-1], rtol=1e-12)
    assert "backpropagation" in rate.argument


def test_zero_loss_minimum_is_a_minimum():
    """Interpolating nets reach L ~ 1e-11: a minimum of L >= 0, not an unattained infimum."""
    X, Y = dataset("teacher", points=6)
    g = mlp(X, Y, [3], "tanh", symbolic=False)
    rate = gdmaps.critical_learning_rate(g, starts=10)
    assert np.isfinite(rate.eta_star) and rate.minima_proved is not False


def test_certify_is_inconclusive_with_float_evidence(net):
    cert = gdmaps.certify_measure_zero(net, eta=0.1)
    assert cert.status is Status.INCONCLUSIVE
    assert cert.non_singularity.verdict is Verdict.INCONCLUSIVE
    assert "no exact determinant" in cert.non_singularity.argument
    assert isinstance(cert.to_dict(), dict)


def test_convergent_fraction_and_sweep(net):
    """Far past the edge (eta lambda_max(H(x0)) >> 2 at every start) nothing converges;
    at a small step some do. The sweep reproduces convergent_fraction row by row."""
    lam = np.linalg.eigvalsh(net.numeric.hessian(np.zeros(net.dim) + 0.3))[-1]
    far = gdmaps.convergent_fraction(net, eta=50 * 2 / lam, starts=50, steps=200)
    assert far.counts["converged"] == 0
    s = gdmaps.sweep(net, [0.02, 0.1], starts=50, steps=400, progress=False)
    one = gdmaps.convergent_fraction(net, eta=0.1, starts=50, steps=400)
    assert s.rows[1].counts == one.counts


def test_analyze(net):
    a = gdmaps.analyze(net, starts=20, steps=100, skip=("dimension", "orbit_diagram", "lyapunov",
                                                       "fate_maps"), progress=False)
    assert a.jacobian is None and a.latex() is None
    assert "tanh 1-3-1 network" in repr(a) and "tanh 1-3-1" in str(a)
    assert np.isfinite(a.eta_reference) and len(a.fates) == 5
    assert a.to_dict()["map"] is None


def test_orbit_diagram_and_lyapunov_run_on_backprop(net):
    """The Family of an MLPMap steps by backprop: one step equals BackpropGD's step."""
    from gdmaps.core.family import Family

    fam = Family(net, "eta")
    X = np.random.default_rng(1).normal(size=(4, net.dim))
    etas = np.array([0.01, 0.02, 0.03, 0.04])
    for k in range(4):
        assert np.allclose(fam.step(X, etas)[k], net.at(etas[k]).numeric.step(X[k]), rtol=1e-14)
        assert np.allclose(fam.jacobian(X, etas)[k], net.at(etas[k]).numeric.jacobian(X[k]), rtol=1e-14)
    lam = gdmaps.lyapunov_spectrum(net.at(0.01), X[:1] * 0.1, 100, transient=10)
    assert lam.exponents.shape == (1, net.dim)
