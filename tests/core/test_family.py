"""Family: a parameter value per point gives what binding each value separately gives."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import FreeParameterError, GDMap, InvalidArgumentError
from gdmaps.core.family import Family
from gdmaps.maps import henon

x, y, a, b = sp.symbols("x y a b")


def test_per_point_values_match_bound_maps():
    fam = Family(henon(1.4, 0.3), "a")
    X = np.random.default_rng(0).uniform(-1, 1, (5, 2))
    p = np.linspace(1.0, 1.4, 5)
    want = np.array([henon(float(v), 0.3).numeric.step(X[i]) for i, v in enumerate(p)])
    np.testing.assert_allclose(fam.step(X, p), want, rtol=0, atol=1e-15)
    J = fam.jacobian(X, p)
    np.testing.assert_allclose(J[:, 0, 0], -2 * p * X[:, 0])  # d(1 - a x^2 + y)/dx
    np.testing.assert_allclose(J[:, 1, 0], 0.3)


def test_gd_step_size_is_the_parameter():
    g = GDMap((x**2 - 1) ** 2 / 4, [x])
    fam = Family(g, "eta")
    eta = np.array([0.5, 1.0])
    # x - eta (x^3 - x) at x = 2
    np.testing.assert_allclose(fam.step(np.array([[2.0], [2.0]]), eta)[:, 0], 2 - eta * 6)
    np.testing.assert_allclose(fam.jacobian([[1.0]], 1.5)[0, 0, 0], 1 - 1.5 * 2)  # 1 - eta L''(1)
    assert fam.value is None and Family(g.at(0.25), "eta").value == 0.25


def test_errors_name_the_parameter():
    with pytest.raises(InvalidArgumentError, match="'c' is not a parameter.*a, b"):
        Family(henon(), "c")
    free = GDMap((a * x - 1) ** 2, [x])  # a is free
    with pytest.raises(FreeParameterError, match="bind the other parameters first \\(a\\)"):
        Family(free, "eta")
