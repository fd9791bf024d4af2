"""Classic maps against closed forms derived by hand and exact SymPy evaluation.

Sources for the closed forms and parameter values:
- Henon, "A two-dimensional mapping with a strange attractor",
  Commun. Math. Phys. 50, 69-77 (1976): a = 1.4, b = 0.3; det Df = -b.
- May, "Simple mathematical models with very complicated dynamics",
  Nature 261, 459-467 (1976): logistic fixed points and period-2 orbit.
- Chirikov, Phys. Rep. 52, 263-379 (1979); Greene, J. Math. Phys. 20,
  1183-1201 (1979): standard map, area preserving, k_c = 0.971635.
- Hammel, Jones & Moloney, J. Opt. Soc. Am. B 2, 552-564 (1985): Ikeda map, u = 0.9.
"""

import math

import numpy as np
import pytest
import sympy as sp

from gdmaps import InvalidArgumentError, InvalidTypeError, Map
from gdmaps.maps import NAMES, by_name, henon, ikeda, logistic, standard

RNG_SEED = 20240521


def henon_fixed_points(a, b, sqrt=math.sqrt):
    """x = (-(1-b) +- sqrt((1-b)^2 + 4a)) / (2a), y = b x."""
    disc = sqrt((1 - b) ** 2 + 4 * a)
    return [((-(1 - b) + s * disc) / (2 * a), b * (-(1 - b) + s * disc) / (2 * a))
            for s in (1, -1)]


# -- Henon --------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [(1.4, 0.3), (1.2, -0.3), (0.5, 0.9)])
def test_henon_fixed_points_numeric(a, b):
    m = henon(a, b)
    for point in henon_fixed_points(a, b):
        np.testing.assert_allclose(m(np.array(point)), point, rtol=0, atol=1e-12)


def test_henon_fixed_points_exact():
    a, b = sp.Rational(7, 5), sp.Rational(3, 10)
    m = henon(a, b)
    x, y = m.state
    for px, py in henon_fixed_points(a, b, sqrt=sp.sqrt):
        image = [e.subs({x: px, y: py}) for e in m.exprs]
        assert sp.simplify(image[0] - px) == 0
        assert sp.simplify(image[1] - py) == 0


def test_henon_default_is_henon_1976():
    assert henon().values == {sp.Symbol("a"): sp.Rational(7, 5), sp.Symbol("b"): sp.Rational(3, 10)}


def test_henon_jacobian_determinant_is_minus_b():
    m = henon()
    b = sp.Symbol("b")
    template_jac = sp.Matrix(m.template).jacobian(sp.Matrix(m.state))
    assert sp.simplify(template_jac.det() + b) == 0
    X = np.random.default_rng(RNG_SEED).uniform(-2, 2, size=(50, 2))
    np.testing.assert_allclose(np.linalg.det(m.numeric.jacobian(X)), -0.3, rtol=1e-12)


def test_henon_subs_rebinds_without_recompiling():
    m = henon()
    m2 = m.subs(a=1.2)
    np.testing.assert_allclose(m2([1.0, 0.0]), [1 - 1.2, 0.3], rtol=1e-15)
    assert m2.numeric.kernel is m.numeric.kernel


# -- logistic -------------------------------------------------------------------

@pytest.mark.parametrize("r", [0.5, 2.8, 3.2, 3.9])
def test_logistic_fixed_points(r):
    m = logistic(r)
    for x in (0.0, 1 - 1 / r):
        np.testing.assert_allclose(m([x]), [x], rtol=0, atol=1e-12)


@pytest.mark.parametrize("r", [3.2, 3.5, 3.9])
def test_logistic_period_two_orbit(r):
    m = logistic(r)
    disc = math.sqrt((r - 3) * (r + 1))
    plus, minus = (r + 1 + disc) / (2 * r), (r + 1 - disc) / (2 * r)
    np.testing.assert_allclose(m([plus]), [minus], rtol=1e-12)
    np.testing.assert_allclose(m(m([plus])), [plus], rtol=1e-12)
    np.testing.assert_allclose(m(m([minus])), [minus], rtol=1e-12)
    assert abs(plus - minus) > 0.1  # a genuine 2-cycle, not the fixed point


def test_logistic_period_two_orbit_exact():
    r = sp.Rational(7, 2)
    m = logistic(r)
    (x,) = m.state
    plus = (r + 1 + sp.sqrt((r - 3) * (r + 1))) / (2 * r)
    twice = m.exprs[0].subs(x, m.exprs[0]).subs(x, plus)
    assert sp.simplify(twice - plus) == 0


# -- standard -------------------------------------------------------------------

def test_standard_preserves_area():
    m = standard(0.971635)
    jac = sp.Matrix(m.template).jacobian(sp.Matrix(m.state))
    assert sp.simplify(jac.det()) == 1
    X = np.random.default_rng(RNG_SEED).uniform(-10, 10, size=(50, 2))
    np.testing.assert_allclose(np.linalg.det(m.numeric.jacobian(X)), 1.0, rtol=1e-12)


def test_standard_convention_kick_then_drift_on_the_lift():
    k, theta, p = 0.7, 2.0, 5.0
    p_new = p + k * math.sin(theta)
    out = standard(k)([theta, p])
    np.testing.assert_allclose(out, [theta + p_new, p_new], rtol=1e-15)
    assert out[0] > 2 * math.pi  # not reduced mod 2 pi
    assert standard(k).state == sp.symbols("theta p")


def test_standard_greene_value_is_exact_decimal():
    assert standard(0.971635).values[sp.Symbol("k")] == sp.Rational("0.971635")


# -- Ikeda ----------------------------------------------------------------------

@pytest.mark.parametrize("x, y", [(0.3, -0.7), (1.0, 0.0), (-2.5, 1.5)])
def test_ikeda_hand_evaluation(x, y):
    u = 0.9
    t = 0.4 - 6 / (1 + x * x + y * y)
    expected = [1 + u * (x * math.cos(t) - y * math.sin(t)),
                u * (x * math.sin(t) + y * math.cos(t))]
    np.testing.assert_allclose(ikeda(u)([x, y]), expected, rtol=1e-14, atol=1e-15)


# -- compiled batch against exact SymPy evaluation ------------------------------

MAPS = [
    ("logistic", logistic(3.7), 0.0, 1.0),
    ("henon", henon(), -1.5, 1.5),
    ("standard", standard(0.971635), -math.pi, math.pi),
    ("ikeda", ikeda(0.9), -2.0, 2.0),
]


@pytest.mark.parametrize("name, m, lo, hi", MAPS, ids=[row[0] for row in MAPS])
def test_batch_equals_exact_evaluation(name, m, lo, hi):
    X = np.random.default_rng(RNG_SEED).uniform(lo, hi, size=(20, m.dim))
    got = m(X)
    exact = np.array([[float(e.subs(dict(zip(m.state, map(sp.Float, row)))).evalf(30))
                       for e in m.exprs] for row in X])
    np.testing.assert_allclose(got, exact, rtol=1e-12, atol=1e-300)
    assert got.shape == X.shape


@pytest.mark.parametrize("name, m, lo, hi", MAPS, ids=[row[0] for row in MAPS])
def test_returns_map_with_every_parameter_bound(name, m, lo, hi):
    assert isinstance(m, Map)
    assert m.free_parameters == ()
    assert set(m.values) == set(m.parameters)
    assert set(m.parameters) <= set().union(*(e.free_symbols for e in m.template))


# -- by_name and validation -------------------------------------------------------

def test_names():
    assert NAMES == ("logistic", "henon", "standard", "ikeda")


@pytest.mark.parametrize("name, params, builder", [
    ("logistic", {"r": 3.5}, lambda: logistic(3.5)),
    ("henon", {}, henon),
    ("henon", {"b": 0.2}, lambda: henon(b=0.2)),
    ("standard", {"k": 1}, lambda: standard(1)),
    ("ikeda", {"u": 0.9}, lambda: ikeda(0.9)),
])
def test_by_name(name, params, builder):
    m, expected = by_name(name, **params), builder()
    assert m.exprs == expected.exprs and m.state == expected.state


def test_by_name_unknown_name_lists_known():
    known = "'logistic', 'henon', 'standard', 'ikeda'"
    with pytest.raises(InvalidArgumentError, match=f"name must be one of {known}; got 'lorenz'"):
        by_name("lorenz")


def test_by_name_bad_parameters():
    unknown = r"by_name\('henon'\) got unknown parameters c; it takes henon\(a=1.4, b=0.3\)"
    with pytest.raises(InvalidArgumentError, match=unknown):
        by_name("henon", c=1)
    missing = r"by_name\('logistic'\) is missing the parameters r; it takes logistic\(r\)"
    with pytest.raises(InvalidArgumentError, match=missing):
        by_name("logistic")


@pytest.mark.parametrize("builder, name", [(logistic, "r"), (standard, "k"), (ikeda, "u"),
                                           (henon, "a")])
@pytest.mark.parametrize("value, error, shown", [
    (math.inf, InvalidArgumentError, "inf"),
    (math.nan, InvalidArgumentError, "nan"),
    (sp.I, InvalidArgumentError, "I"),
    (sp.oo, InvalidArgumentError, "oo"),
    (sp.Symbol("q"), InvalidArgumentError, "q"),
    ("1.4", InvalidTypeError, "'1.4' of type str"),
    (True, InvalidTypeError, "True of type bool"),
    (1 + 2j, InvalidTypeError, r"\(1\+2j\) of type complex"),
    (None, InvalidTypeError, "None of type NoneType"),
])
def test_parameters_must_be_finite_reals(builder, name, value, error, shown):
    with pytest.raises(error, match=f"{name} must be a finite real number, got {shown}"):
        builder(**{name: value})


def test_exact_parameters_stay_exact():
    m = logistic(sp.sqrt(2) + 2)
    assert m.values == {sp.Symbol("r"): sp.sqrt(2) + 2}
    np.testing.assert_allclose(m([0.5]), [(math.sqrt(2) + 2) / 4], rtol=1e-15)
    r = {sp.Symbol("r"): sp.Rational(37, 10)}
    assert logistic(np.float64(3.7)).values == logistic(3.7).values == r
