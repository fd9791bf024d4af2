"""stability: multipliers and classes against closed forms."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError, Map
from gdmaps.maps import henon, logistic
from gdmaps.core.stability import Kind, classify, stability


@pytest.mark.parametrize("mus, kind, dims", [
    ([0.5, -0.9], Kind.ATTRACTING, (0, 0, 2)),
    ([2.0, -3.0], Kind.REPELLING, (2, 0, 0)),
    ([0.3, 1.7], Kind.SADDLE, (1, 0, 1)),
    ([1.0, 0.5], Kind.NON_HYPERBOLIC, (0, 1, 1)),
    ([np.exp(0.3j), np.exp(-0.3j)], Kind.NON_HYPERBOLIC, (0, 2, 0)),
])
def test_classify(mus, kind, dims):
    assert classify(mus) == (kind, *dims)


def test_gd_minimum_multipliers_are_one_minus_eta_lambda():
    # (ab - 1)^2/2 at the minimum (1, 1): H = [[1, 1], [1, 1]], eigenvalues 0 and 2
    a, b = sp.symbols("a b")
    for eta, kind in [(0.5, Kind.NON_HYPERBOLIC), (1.2, Kind.NON_HYPERBOLIC)]:
        st = stability(GDMap((a * b - 1) ** 2 / 2, [a, b], eta), [1.0, 1.0])
        np.testing.assert_allclose(sorted(st.multipliers), sorted([1.0, 1 - 2 * eta]), atol=1e-12)
        assert st.kind is kind and st.unstable == (eta > 1)


def test_henon_period_two_multipliers_multiply_to_b_squared():
    # det Df = -b everywhere, so the product of the multipliers of a 2-cycle is b^2
    a, b = 1.4, 0.3
    # period-2 points: x solves a^2 x^2 - a (1 - b) x + (1 - b)^2 - a = 0
    disc = (a * (1 - b)) ** 2 - 4 * a**2 * ((1 - b) ** 2 - a)
    x1, x2 = ((a * (1 - b) + s * np.sqrt(disc)) / (2 * a**2) for s in (1, -1))
    orbit = np.array([[x1, b * x2], [x2, b * x1]])
    np.testing.assert_allclose(henon()(orbit), orbit[::-1], atol=1e-12)
    st = stability(henon(), orbit)
    assert np.prod(st.multipliers).real == pytest.approx(b**2, rel=1e-12)
    assert st.kind is Kind.SADDLE and st.period == 2


def test_logistic_fixed_point_multiplier_is_two_minus_r():
    r = 2.8
    st = stability(logistic(r), [1 - 1 / r])
    assert st.multipliers[0] == pytest.approx(2 - r) and st.kind is Kind.ATTRACTING


def test_bad_point():
    with pytest.raises(InvalidArgumentError, match=r"shape \(2,\) or \(p, 2\)"):
        stability(henon(), [1.0, 2.0, 3.0])


# -- spectral_radii: the batched check behind Fate.UNSTABLE --------------------------------


def test_spectral_radii_of_ab_minus_one_against_closed_forms():
    from gdmaps.core.stability import spectral_radii

    a, b = sp.symbols("a b")
    gd = GDMap((a * b - 1) ** 2 / 2, [a, b], eta=0.7)
    # on ab = 1, H has eigenvalues 0 and a^2 + b^2; at the origin H = [[0, -1], [-1, 0]]
    t = np.linspace(0.3, 3, 25)
    P = np.c_[t, 1 / t]
    rho = spectral_radii(gd, np.vstack([P, [0.0, 0.0]]))
    np.testing.assert_allclose(rho[:-1], np.maximum(1, np.abs(1 - 0.7 * (t**2 + t**-2))), rtol=1e-12)
    assert rho[-1] == pytest.approx(1.7)
    assert np.isnan(spectral_radii(Map([sp.sqrt(sp.Symbol("x"))], ["x"]), [[-1.0]]))[0]


def test_lanczos_is_a_lower_bound_that_matches_dense_eigenvalues_on_a_network():
    from gdmaps.models import mlp
    from gdmaps.core.stability import spectral_radii

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 16))
    g = mlp(X, np.sin(X.sum(0, keepdims=True)), [32], "tanh", reduction="mean", symbolic=False,
            eta=0.3)
    assert g.dim == 96  # above DENSE_LIMIT: "auto" takes Lanczos
    T = rng.normal(size=(20, g.dim))
    dense = spectral_radii(g, T, method="dense")
    lam = np.linalg.eigvalsh(g.numeric.hessian(T))
    np.testing.assert_allclose(dense, np.maximum(np.abs(1 - 0.3 * lam[:, 0]), np.abs(1 - 0.3 * lam[:, -1])),
                               rtol=1e-12)
    for k, rtol in ((40, 2e-3), (96, 1e-9)):
        lan = spectral_radii(g, T, krylov=k)
        assert (lan <= dense * (1 + 1e-9)).all()
        np.testing.assert_allclose(lan, dense, rtol=rtol)


def test_spectral_radii_errors():
    from gdmaps.core.stability import spectral_radii

    a, b = sp.symbols("a b")
    gd = GDMap((a * b - 1) ** 2 / 2, [a, b], eta=0.7)
    with pytest.raises(InvalidArgumentError, match="method must be one of"):
        spectral_radii(gd, [[1.0, 1.0]], method="qr")
    with pytest.raises(InvalidArgumentError, match="method='lanczos' needs Hessian-vector products"):
        spectral_radii(gd, [[1.0, 1.0]], method="lanczos")
    with pytest.raises(InvalidArgumentError, match=r"points must have shape \(2,\) or \(N, 2\)"):
        spectral_radii(gd, [[1.0, 1.0, 1.0]])


def test_spectral_radii_of_a_relu_loss_whose_hessian_rows_are_constants():
    # H = diag(0, 2) off the kink: rho(I - eta H) = max(1, |1 - 2 eta|) = 1 at eta = 0.1
    from gdmaps import GDMap, spectral_radii

    g = GDMap("relu(x - y) + y**2", ["x", "y"], 0.1)
    rho = spectral_radii(g, np.array([[0.5, 0.2], [-1.0, 0.3]]))
    assert np.allclose(rho, 1.0)
