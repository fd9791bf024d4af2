"""Sharpness lambda_max(H) at points and along GD orbits, against closed forms and the dense Hessian."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import FreeParameterError, GDMap, InvalidArgumentError, InvalidTypeError
from gdmaps.basins.sharpness import Sharpness, sharpness, sharpness_along
from gdmaps.core.krylov import lanczos, power_top
from gdmaps.core.samplers import network_init
from gdmaps.models import mlp

METHODS = ("dense", "lanczos", "power")
a, b = sp.symbols("a b")
PRODUCT = GDMap((a * b - 1) ** 2 / 2, [a, b])


def _top_closed_form(A, B):
    """lambda_max of H = [[b^2, 2ab - 1], [2ab - 1, a^2]], the Hessian of (ab - 1)^2 / 2."""
    return (A**2 + B**2) / 2 + np.sqrt(((A**2 - B**2) / 2) ** 2 + (2 * A * B - 1) ** 2)


@pytest.mark.parametrize("method", METHODS)
def test_quadratic_sharpness_is_constant_and_the_largest_eigenvalue(method):
    # L = x^T A x / 2 with A = [[2, 1, 0], [1, 2, 0], [0, 0, 1]]: eigenvalues 3, 1, 1 (by hand)
    x, y, z = sp.symbols("x y z")
    q = GDMap((2 * x**2 + 2 * x * y + 2 * y**2 + z**2) / 2, [x, y, z])
    x0 = np.random.default_rng(0).normal(size=(5, 3))
    s = sharpness_along(q, x0, 30, eta=0.3, every=3, method=method)
    assert s.sharpness.shape == (11, 5)
    np.testing.assert_allclose(s.sharpness, 3.0, rtol=1e-9)
    # the loss falls (eta = 0.3 < 2/3) and the final state is eta-GD's own
    assert (np.diff(s.loss, axis=0) <= 1e-15).all()
    X = x0.copy()
    A = np.array([[2.0, 1, 0], [1, 2, 0], [0, 0, 1]])
    for _ in range(30):
        X = X - 0.3 * X @ A
    np.testing.assert_allclose(s.final, X, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(s.grad_norm[-1], np.linalg.norm(X @ A, axis=1), rtol=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_product_loss_on_its_minima_is_a2_plus_b2(method):
    # on ab = 1, H = [[b^2, 1], [1, a^2]] has eigenvalues 0 and a^2 + b^2 (exactly)
    A = np.array([1.0, 2.0, 0.5, -3.0, 0.25])
    pts = np.stack([A, 1 / A], axis=1)
    np.testing.assert_allclose(sharpness(PRODUCT, pts, method=method), A**2 + 1 / A**2, rtol=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_product_loss_along_orbits_matches_the_closed_form_and_tends_to_a2_plus_b2(method):
    x0 = np.array([[0.3, 1.5], [2.0, 0.2], [-0.7, -1.1]])
    s = sharpness_along(PRODUCT, x0, 400, eta=0.2, every=20, method=method)
    # every record is the Hessian's top eigenvalue at the orbit's point: re-run the orbit by hand
    X, expected = x0.copy(), []
    for t in range(401):
        if t % 20 == 0:
            expected.append(_top_closed_form(X[:, 0], X[:, 1]))
        r = X[:, 0] * X[:, 1] - 1
        X = X - 0.2 * np.stack([r * X[:, 1], r * X[:, 0]], axis=1)
    np.testing.assert_allclose(s.sharpness, np.array(expected), rtol=1e-9)
    # near the minima it is a^2 + b^2 of the endpoint, and below 2/eta = 10 (a stable minimum)
    Af, Bf = s.final.T
    np.testing.assert_allclose(Af * Bf, 1, atol=1e-9)
    np.testing.assert_allclose(s.sharpness[-1], Af**2 + Bf**2, rtol=1e-8)
    assert (s.sharpness[-1] < s.threshold).all()


def _net(activation, widths, *, n=12, seed=0, bias=False):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (2, n))
    Y = np.sin(2 * X[:1]) + X[1:] ** 2
    return mlp(X, Y, widths, activation, reduction="mean", bias=bias, symbolic=False)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", "relu"])
@pytest.mark.parametrize("widths", [[4], [6, 5]])
def test_lanczos_and_power_agree_with_the_dense_hessian_on_small_nets(activation, widths):
    g = _net(activation, widths, bias=True)
    P = network_init(g, "glorot", 6, seed=1) + 0.3 * np.random.default_rng(2).normal(size=(6, g.dim))
    dense = np.linalg.eigvalsh(g.numeric.hessian(P))[:, -1]  # the second method: P HVPs, eigvalsh
    np.testing.assert_allclose(sharpness(g, P, method="dense"), dense, rtol=1e-12)
    # full Krylov space: Lanczos is exact up to rounding
    np.testing.assert_allclose(sharpness(g, P, method="lanczos", krylov=g.dim), dense, rtol=1e-8)
    np.testing.assert_allclose(sharpness(g, P, method="power"), dense, rtol=1e-6)


def test_lanczos_with_fewer_steps_than_parameters_is_a_tight_lower_bound():
    g = _net("tanh", [16, 8], n=20)  # 176 parameters, 30 Lanczos steps
    P = network_init(g, "glorot", 5, seed=3)
    dense = sharpness(g, P, method="dense")
    lan = sharpness(g, P, method="lanczos", krylov=30)
    assert (lan <= dense * (1 + 1e-12)).all()  # Ritz values lie inside the spectrum
    np.testing.assert_allclose(lan, dense, rtol=1e-6)
    assert sharpness(g, P[0]) == pytest.approx(dense[0], rel=1e-6)  # auto: Lanczos above 64


def test_a_sympy_built_mlp_uses_backpropagation_and_agrees_with_its_sympy_hessian():
    X, Y = [[0.0, 1.0, 2.0]], [[0.0, 1.0, 4.0]]
    g = mlp(X, Y, [2], "tanh")  # symbolic: a GDMap with the network attached
    pts = np.array([[0.5, -1.0, 1.0, 2.0], [1.2, 0.3, -0.4, 0.9]])
    sym = np.linalg.eigvalsh(g.numeric.hessian(pts))[:, -1]
    for method in METHODS:
        np.testing.assert_allclose(sharpness(g, pts, method=method, krylov=4), sym, rtol=1e-8)


def test_warm_started_lanczos_along_a_net_orbit_tracks_the_dense_value():
    g = _net("tanh", [6, 6], n=12)
    x0 = network_init(g, "glorot", 2, seed=0)
    dense = sharpness_along(g, x0, 200, eta=0.3, every=25, method="dense")
    lan = sharpness_along(g, x0, 200, eta=0.3, every=25, method="lanczos", krylov=12)
    np.testing.assert_array_equal(dense.final, lan.final)  # the same orbits
    np.testing.assert_allclose(lan.sharpness, dense.sharpness, rtol=1e-4)
    # loss and gradient norm are the model's own at the recorded points
    np.testing.assert_allclose(dense.loss[-1], g.numeric.loss(dense.final), rtol=1e-12)


def test_points_iterate_calls_converged_are_below_two_over_eta():
    # the stability rule of iterate (its own spectral radii) against this module's sharpness:
    # a stopped orbit is converged only where rho(I - eta H) <= 1 + tol, so lambda_max <= ~2/eta
    from gdmaps import Fate, iterate
    g = _net("tanh", [8], n=16)
    x0 = network_init(g, "glorot", 40, seed=0)
    run = iterate(g.at(0.5), x0, 1500)
    conv = run.final[run.fate == Fate.CONVERGED]
    assert len(conv) >= 3
    s = sharpness(g, conv, method="dense")
    lam_max = (1 + run.spectral_radius[run.fate == Fate.CONVERGED]) / 0.5  # rho >= eta lambda_max - 1
    assert (s <= lam_max * (1 + 1e-9)).all()
    assert (s <= 2 / 0.5 * 1.01).all()


def test_diverged_orbits_are_nan_from_then_on():
    s = sharpness_along(PRODUCT, [[1.0, 1.0], [3.0, 3.0]], 40, eta=0.9, every=10)
    assert s.diverged.tolist() == [False, True]
    assert np.isnan(s.sharpness[-1, 1]) and np.isfinite(s.sharpness[:, 0]).all()
    assert s.sharpness[0, 1] == pytest.approx(26.0)  # H = [[9, 17], [17, 9]] at (3, 3)
    assert "1 diverged" in repr(s)


def test_result_protocol():
    s = sharpness_along(PRODUCT, [[1.0, 2.0]], 10, eta=0.1)
    assert isinstance(s, Sharpness)
    d = s.to_dict()
    assert d["eta"] == 0.1 and len(d["sharpness"]) == 11
    assert s.threshold == pytest.approx(20.0)
    assert s._repr_markdown_().startswith("**Sharpness**")


def test_errors_say_what_is_wrong():
    with pytest.raises(FreeParameterError, match="eta"):
        sharpness_along(PRODUCT, [[1.0, 1.0]], 5)
    with pytest.raises(InvalidArgumentError, match="method"):
        sharpness(PRODUCT, [1.0, 1.0], method="arnoldi")
    with pytest.raises(InvalidArgumentError, match=r"shape \(2,\) or \(N, 2\)"):
        sharpness(PRODUCT, [[1.0, 1.0, 1.0]])
    from gdmaps.maps import henon
    with pytest.raises(InvalidTypeError, match="GDMap"):
        sharpness(henon(), [0.0, 0.0])
    assert sharpness(PRODUCT, np.zeros((0, 2))).shape == (0,)


def test_krylov_helpers_on_diagonal_operators():
    # n operators diag(1..d) scaled: lambda_max = d * scale, lambda_min = scale
    d, scale = 10, np.array([1.0, -2.0, 0.5])
    diag = np.arange(1, d + 1) * scale[:, None]
    lo, hi, top = lanczos(lambda V: diag * V, 3, d, d, vectors=True)
    np.testing.assert_allclose(np.minimum(lo, hi), np.minimum(diag[:, 0], diag[:, -1]), rtol=1e-10)
    np.testing.assert_allclose(hi, diag.max(axis=1), rtol=1e-10)
    np.testing.assert_allclose(np.abs(top[0, -1]), 1.0, rtol=1e-8)  # the eigenvector e_d
    t, _ = power_top(lambda V: diag * V, 3, d)
    np.testing.assert_allclose(t, diag.max(axis=1), rtol=1e-6)  # -2 * diag: lambda_max = -2, not -20
