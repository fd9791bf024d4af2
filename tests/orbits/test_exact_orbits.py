"""exact_periodic_orbits: closed forms of the logistic and Henon maps."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.orbits.exact_orbits import exact_periodic_orbits
from gdmaps.maps import henon, logistic


@pytest.mark.parametrize("r", [sp.Rational(7, 2), sp.Rational(16, 5), 4])
def test_logistic_period_two_closed_form(r):
    # x = (r + 1 +- sqrt((r - 3)(r + 1))) / (2r)
    (orbit,) = exact_periodic_orbits(logistic(r), 2)
    expected = {sp.radsimp((r + 1 + s * sp.sqrt((r - 3) * (r + 1))) / (2 * r)) for s in (1, -1)}
    assert {sp.radsimp(p[0]) for p in orbit.points} == expected


def test_logistic_fixed_points_and_no_two_cycle_before_r_3():
    pts = sorted(o.points[0][0] for o in exact_periodic_orbits(logistic(sp.Rational(5, 2)), 1))
    assert pts == [0, sp.Rational(3, 5)]
    assert exact_periodic_orbits(logistic(sp.Rational(5, 2)), 2) == ()


def test_henon_period_two_closed_form():
    # x solves a^2 x^2 - a (1 - b) x + (1 - b)^2 - a = 0, y = b * (the other x)
    A, B = sp.Rational(7, 5), sp.Rational(3, 10)
    x = sp.Symbol("x")
    roots = set(sp.solve(A**2 * x**2 - A * (1 - B) * x + (1 - B) ** 2 - A, x))
    (orbit,) = exact_periodic_orbits(henon(), 2)
    assert {sp.radsimp(p[0]) for p in orbit.points} == {sp.radsimp(r) for r in roots}
    assert orbit.points[0][1] == sp.radsimp(B * orbit.points[1][0])
    mus = orbit.stability.multipliers
    assert np.prod(mus).real == pytest.approx(float(B) ** 2)


def test_continuum_of_fixed_points_is_refused():
    a, b = sp.symbols("a b")
    with pytest.raises(InvalidArgumentError, match="not isolated"):
        exact_periodic_orbits(GDMap((a * b - 1) ** 2 / 2, [a, b], 0.5), 1)
