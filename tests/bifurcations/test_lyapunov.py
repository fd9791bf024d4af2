"""lyapunov_spectrum: closed forms, a published value and the determinant identity.

Published value: Henon map at a = 1.4, b = 0.3, largest exponent 0.41922 (natural log,
per iteration): J. C. Sprott, "Chaos and Time-Series Analysis", Oxford University Press
(2003), Appendix A (table of common chaotic maps). Other QR computations quote 0.4204
(e.g. the "Lyapunov spectrum" QR-decomposition pages); both are within the 0.01 checked here.
"""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.bifurcations.lyapunov import LyapunovSpectrum, lyapunov_spectrum
from gdmaps.maps import henon, logistic

x, y, a, b = sp.symbols("x y a b")


def test_logistic_r4_is_ln2():
    # truth: r = 4 is conjugate to the tent map (x = sin^2(pi theta / 2)): exponent ln 2
    s = lyapunov_spectrum(logistic(4.0), [0.1234], 100_000)
    assert isinstance(s, LyapunovSpectrum)
    assert s.exponents.shape == (1, 1) and s.history.shape == (1, 10, 1)
    assert abs(s.exponents[0, 0] - np.log(2)) < 5e-3
    assert s.converged[0] and not s.diverged[0]
    assert "converged: stderr" in repr(s)


def test_henon_published_and_area_contraction():
    # truth: largest 0.41922 (Sprott 2003, header); sum = log|det J| = log b exactly (det J = -b)
    X = np.random.default_rng(0).uniform(0.0, 0.3, (4, 2))
    s = lyapunov_spectrum(henon(1.4, 0.3), X, 50_000)
    assert abs(s.exponents[:, 0].mean() - 0.41922) < 0.01
    np.testing.assert_allclose(s.exponents.sum(axis=1), np.log(0.3), rtol=0, atol=1e-6)
    assert np.all(s.exponents[:, 0] > s.exponents[:, 1])  # descending


def test_sum_is_the_orbit_average_of_log_det_for_a_non_constant_det():
    # truth: Q_k orthogonal, so sum_i log R_k[i, i] = log|det Df(x_k)| step by step; GD on
    # (ab - 1)^2 / 2 at eta = 1.5 is chaotic and det(I - eta H) varies along the orbit
    g = GDMap((a * b - 1) ** 2 / 2, [a, b]).at(1.5)
    x0, steps, transient = np.array([0.3, -0.4]), 5000, 200
    s = lyapunov_spectrum(g, x0, steps, transient=transient)
    assert s.exponents[0, 0] > 0.1  # chaotic
    num, p = g.numeric, x0.copy()
    for _ in range(transient):
        p = num.step(p)
    logdet = np.empty(steps)
    for k in range(steps):
        logdet[k] = np.log(abs(np.linalg.det(num.jacobian(p))))
        p = num.step(p)
    assert logdet.std() > 0.1  # the determinant is not constant
    np.testing.assert_allclose(s.exponents.sum(), logdet.mean(), rtol=0, atol=1e-9)


def test_gd_at_a_stable_minimum_is_log_of_one_minus_eta_lambda():
    # truth: at the minimum (1, 1) of L = (x^2 - 1)^2 / 4 + (y - x)^2 the Hessian is
    # [[4, -2], [-2, 2]] with eigenvalues 3 +- sqrt(5); Df = I - eta H, so the exponents are
    # log|1 - eta lambda_i|
    eta = 0.3
    g = GDMap((x**2 - 1) ** 2 / 4 + (y - x) ** 2, [x, y]).at(eta)
    s = lyapunov_spectrum(g, [0.8, 1.3], 2000)
    lam = np.array([3 - np.sqrt(5), 3 + np.sqrt(5)])
    want = np.sort(np.log(np.abs(1 - eta * lam)))[::-1]
    np.testing.assert_allclose(s.exponents[0], want, rtol=0, atol=1e-9)
    assert s.converged[0]


def test_batched_over_parameter_values_equals_one_by_one():
    vals = np.array([2.9, 3.3, 3.5, 3.7, 3.83, 4.0])
    s = lyapunov_spectrum(logistic(3.0), [0.3], 3000, transient=300, parameter="r", values=vals)
    one = [lyapunov_spectrum(logistic(v), [0.3], 3000, transient=300).exponents[0] for v in vals]
    np.testing.assert_allclose(s.exponents, np.array(one), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(s.values, vals)
    av = np.array([1.0, 1.2, 1.4])
    h = lyapunov_spectrum(henon(), [0.1, 0.1], 2000, transient=300, parameter="a", values=av)
    one = [lyapunov_spectrum(henon(v, 0.3), [0.1, 0.1], 2000, transient=300).exponents[0] for v in av]
    np.testing.assert_allclose(h.exponents, np.array(one), rtol=1e-10, atol=1e-10)


def test_diverged_orbits_are_flagged_without_warnings():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = lyapunov_spectrum(logistic(4.0), [[0.3], [1.5]], 500, transient=100)
    assert s.diverged.tolist() == [False, True]
    assert np.isnan(s.exponents[1]).all() and not s.converged[1]
    assert "1 diverged" in repr(s)
    assert s.to_dict()["exponents"][1] == [None]


def test_errors_name_the_argument():
    with pytest.raises(InvalidArgumentError, match="steps must be >= blocks"):
        lyapunov_spectrum(logistic(4.0), [0.3], 5)
    with pytest.raises(InvalidArgumentError, match=r"x0 must have shape \(1,\)"):
        lyapunov_spectrum(logistic(4.0), [0.3, 0.2, 0.1], 100)
    with pytest.raises(InvalidArgumentError, match="parameter and values go together"):
        lyapunov_spectrum(logistic(4.0), [0.3], 100, parameter="r")
    with pytest.raises(InvalidArgumentError, match="x0 has 2 starts but values has 3"):
        lyapunov_spectrum(logistic(4.0), [[0.3], [0.2]], 100, parameter="r", values=[3.1, 3.2, 3.3])


def test_chaotic_means_positive_beyond_noise():
    # logistic: r = 4 is chaotic (ln 2); r = 3.2 has a stable 2-cycle (negative exponent);
    # at r = 3.5699457 (the accumulation point) the exponent is 0 up to noise
    lam = lyapunov_spectrum(logistic(3.0), [0.3], 20_000, parameter="r",
                            values=np.array([4.0, 3.2, 3.5699457]))
    assert lam.chaotic.tolist() == [True, False, False]
