"""Certified orbits (Krawczyk test) against closed forms and independent mpmath roots.

Closed forms used (derived by hand, re-checked with SymPy below):
- Henon f(x, y) = (1 - a x^2 + y, b x): fixed points y = b x with
  x = (-(1 - b) +- sqrt((1 - b)^2 + 4 a)) / (2 a) (Henon 1976).
- Henon period 2: x_0 -> x_1 -> x_0 with y_0 = b x_1, y_1 = b x_0 and
  (1 - b) x_1 = 1 - a x_0^2, (1 - b) x_0 = 1 - a x_1^2. Subtracting gives
  x_0 + x_1 = (1 - b) / a (x_0 != x_1), adding then x_0 x_1 = ((1 - b)^2 - a) / a^2,
  so x_0, x_1 are the roots of a^2 x^2 - a (1 - b) x + (1 - b)^2 - a.
- Logistic f(x) = r x (1 - x) at r = 1 + sqrt(8): the period-3 window opens by a
  saddle-node (tangent) bifurcation, f^3(x) - x has three double roots there.
- Every other truth is a root refined by Newton in mpmath at 50 digits.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdmaps import GDMap, Map
from gdmaps.core.errors import FreeParameterError, InvalidArgumentError
from gdmaps.orbits import krawczyk
from gdmaps.orbits.krawczyk import RefinementError, certify_orbit, refine_mpmath
from gdmaps.maps import henon, logistic
from gdmaps.orbits.orbit import Enclosure

A, B = sp.Rational(7, 5), sp.Rational(3, 10)


def exact_value(v):
    """A number to compare with floats exactly: mpf as it is, SymPy rationals as Fractions."""
    if isinstance(v, (int, sp.Integer, sp.Rational)):
        return Fraction(int(sp.Rational(v).p), int(sp.Rational(v).q))
    return v


def inside(enc: Enclosure, orbit) -> bool:
    """Is the orbit (mpf or exact values, shape (p, d)) inside the box? Exact comparisons."""
    orbit = np.asarray(orbit, dtype=object).reshape(enc.lower.shape)
    return all(Fraction(enc.lower[k, i]) <= exact_value(orbit[k, i]) <= Fraction(enc.upper[k, i])
               if not isinstance(orbit[k, i], mpmath.mpf)
               else enc.lower[k, i] <= orbit[k, i] <= enc.upper[k, i]
               for k in range(orbit.shape[0]) for i in range(orbit.shape[1]))


def mp(expr):
    """A SymPy number as an mpf with 60 digits (it keeps them outside the context)."""
    with mpmath.workdps(60):
        return mpmath.mpf(sp.N(expr, 60))


# -- Henon: closed forms -----------------------------------------------------------
@pytest.mark.parametrize("sign", [1, -1])
def test_henon_fixed_points_are_certified_around_the_closed_form(sign):
    x = (-(1 - B) + sign * sp.sqrt((1 - B) ** 2 + 4 * A)) / (2 * A)
    exact = [mp(x), mp(B * x)]
    enc = certify_orbit(henon(), [float(exact[0]), float(exact[1])])
    assert enc.certified, enc.reason
    assert enc.reason.startswith("Krawczyk: K(X) inside the interior of X")
    assert enc.lower.shape == (1, 2) and np.all(enc.lower <= enc.upper)
    assert inside(enc, exact)
    assert enc.radius < 1e-10
    assert inside(enc, refine_mpmath(henon(), enc.lower))


def test_henon_period_two_orbit_closed_form_is_certified():
    a, b = sp.symbols("a b")
    disc = a**2 * (1 - b) ** 2 - 4 * a**2 * ((1 - b) ** 2 - a)
    x0, x1 = [(a * (1 - b) + s * sp.sqrt(disc)) / (2 * a**2) for s in (1, -1)]

    def f(p):
        return (1 - a * p[0] ** 2 + p[1], b * p[0])

    p0, p1 = (x0, b * x1), (x1, b * x0)
    vals = {a: A, b: B}
    # re-check the closed form: f(p0) = p1, f(p1) = p0, and p0 is not a fixed point
    for src, dst in ((p0, p1), (p1, p0)):
        assert all(sp.simplify((fi - di).subs(vals)) == 0 for fi, di in zip(f(src), dst))
    assert sp.simplify((x0 - x1).subs(vals)) != 0
    exact = [[mp(c.subs(vals)) for c in p0], [mp(c.subs(vals)) for c in p1]]
    enc = certify_orbit(henon(), [[float(v) for v in row] for row in exact])
    assert enc.certified, enc.reason
    assert "minimal period 2" in enc.reason
    assert inside(enc, exact) and enc.radius < 1e-10
    assert inside(enc, refine_mpmath(henon(), enc.lower))


def test_epsilon_inflation_grows_a_box_that_fails_first():
    x = (-(1 - B) + sp.sqrt((1 - B) ** 2 + 4 * A)) / (2 * A)
    enc = certify_orbit(henon(), [float(x) + 0.1, 0.1894], newton_steps=0)
    assert enc.certified and "1 expansion(s)" in enc.reason
    assert inside(enc, [mp(x), mp(B * x)])
    other = -(1 - B) / A - x  # the second fixed point is outside the large box
    assert not inside(enc, [mp(other), mp(B * other)])


def henon_orbit_from_attractor(period, seed=0):
    """A periodic orbit by plain Newton on f^period - id from iterates on the attractor."""
    h = henon()
    x = np.random.default_rng(seed).uniform(-0.1, 0.1, 2)
    for _ in range(1000):
        x = h(x)
    for _ in range(3000):
        x = h(x)
        y = x.copy()
        for _ in range(30):
            z, J = y.copy(), np.eye(2)
            with np.errstate(all="ignore"):
                for _ in range(period):
                    J, z = h.numeric.jacobian(z) @ J, h(z)
            try:
                y = y - np.linalg.solve(J - np.eye(2), z - y)
            except np.linalg.LinAlgError:
                break
            if not np.all(np.abs(y) < 10):
                break
        orbit = [y]
        for _ in range(period - 1):
            orbit.append(h(orbit[-1]))
        orbit = np.array(orbit)
        closes = np.all(np.abs(h(orbit[-1]) - orbit[0]) < 1e-9)
        minimal = all(np.max(np.abs(orbit[k] - orbit[0])) > 1e-6 for k in range(1, period))
        if np.all(np.isfinite(orbit)) and closes and minimal:
            return orbit
    raise AssertionError(f"no period-{period} orbit found")


def test_henon_period_14_orbit_is_certified_quickly():
    orbit = henon_orbit_from_attractor(14)
    certify_orbit(henon(), orbit)  # compile once
    start = time.perf_counter()
    enc = certify_orbit(henon(), orbit)
    elapsed = time.perf_counter() - start
    assert enc.certified, enc.reason
    assert "period-14 orbit (minimal period 14)" in enc.reason
    assert enc.lower.shape == (14, 2) and enc.radius < 1e-10
    assert inside(enc, refine_mpmath(henon(), orbit))
    assert elapsed < 2.0


# -- soundness on random quadratic maps --------------------------------------------
u, v = sp.symbols("u v")
MONOMIALS = [sp.S.One, u, v, u**2, u * v, v**2]


def newton_orbits(m, period, starts):
    """Plain float Newton on f^period - id; returns the orbits it converged to."""
    found = []
    for y in starts:
        for _ in range(40):
            z, J = y.copy(), np.eye(2)
            with np.errstate(all="ignore"):
                for _ in range(period):
                    J, z = m.numeric.jacobian(z) @ J, m(z)
                try:
                    y = y - np.linalg.solve(J - np.eye(2), z - y)
                except np.linalg.LinAlgError:
                    break
            if not np.all(np.abs(y) < 1e3):
                break
        orbit = [y]
        for _ in range(period - 1):
            orbit.append(m(orbit[-1]))
        orbit = np.array(orbit)
        if np.all(np.isfinite(orbit)) and np.all(np.abs(m(orbit[-1]) - orbit[0]) < 1e-10):
            found.append(orbit)
    return found


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.fractions(min_value=-2, max_value=2, max_denominator=8), min_size=12, max_size=12),
       st.sampled_from([1, 2]))
def test_certified_boxes_hold_the_mpmath_root_and_no_other(coefs, period):
    c = [sp.Rational(q.numerator, q.denominator) for q in coefs]
    m = Map([sum(ci * mi for ci, mi in zip(c[:6], MONOMIALS)),
             sum(ci * mi for ci, mi in zip(c[6:], MONOMIALS))], [u, v])
    starts = np.random.default_rng(0).uniform(-3, 3, (25, 2))
    orbits = []
    for orbit in newton_orbits(m, period, starts):  # one representative per orbit
        if not any(np.max(np.abs(np.roll(orbit, -k, axis=0) - o)) < 1e-8
                   for o in orbits for k in range(period)):
            orbits.append(orbit)
    roots = []  # every orbit found, refined in mpmath, with each cyclic shift
    for orbit in orbits:
        try:
            r = refine_mpmath(m, orbit)
        except RefinementError:
            continue
        roots += [np.roll(r, -k, axis=0) for k in range(period)]
    for orbit in orbits:
        for radius in (None, 1e-3, 0.3):
            enc = certify_orbit(m, orbit, radius=radius)
            if not enc.certified:
                assert enc.reason.startswith("not certified: ")
                continue
            own = refine_mpmath(m, (enc.lower + enc.upper) / 2)
            assert inside(enc, own)
            distinct = [r for r in roots if inside(enc, r)]
            for r in distinct:  # every root found in the box is the same root
                assert max(abs(r[k, i] - own[k, i]) for k in range(period) for i in range(2)) < 1e-40


# -- multiple and non-isolated roots are never certified ------------------------------
def logistic_tangent_orbit():
    with mpmath.workdps(50):
        r = 1 + mpmath.sqrt(8)
        f = lambda x: r * x * (1 - x)  # noqa: E731
        g = lambda x: f(f(f(x))) - x  # noqa: E731
        x0 = mpmath.findroot(lambda x: mpmath.diff(g, x), mpmath.mpf("0.16"))  # g' = 0: the double root
        assert abs(g(x0)) < mpmath.mpf(10) ** -40
        return [x0, f(x0), f(f(x0))]


@pytest.mark.parametrize("kwargs", [{}, {"radius": 1e-12}, {"radius": 1e-6}, {"radius": 1e-3},
                                    {"newton_steps": 0, "max_expansions": 30}])
@pytest.mark.parametrize("shift", [0.0, 1e-9, -1e-7, 1e-5])
def test_saddle_node_period_three_orbit_of_the_logistic_map_is_not_certified(kwargs, shift):
    m = logistic(1 + sp.sqrt(8))
    orbit = np.array([[float(x) + shift] for x in logistic_tangent_orbit()])
    enc = certify_orbit(m, orbit, **kwargs)
    assert not enc.certified
    assert enc.reason.startswith("not certified: ")


def test_double_fixed_point_is_not_certified():
    x = sp.Symbol("x")
    m = Map([x + x**2], [x])
    for start in (0.0, 1e-9, -1e-4):
        for radius in (None, 1e-8, 1e-2):
            enc = certify_orbit(m, [start], radius=radius)
            assert not enc.certified, enc.reason
    assert "singular" in certify_orbit(m, [0.0]).reason
    assert "nearly singular" in certify_orbit(m, [1e-9], newton_steps=0).reason
    with pytest.raises(RefinementError, match="singular"):
        refine_mpmath(m, [0.0])


def test_ball_arithmetic_alone_refuses_multiple_roots(monkeypatch):
    """With the condition-number shortcut off, the Krawczyk test itself must fail."""
    monkeypatch.setattr(krawczyk, "_SINGULAR", math.inf)
    x = sp.Symbol("x")
    a, b = sp.symbols("a b")
    cases = [(logistic(1 + sp.sqrt(8)), [[float(v)] for v in logistic_tangent_orbit()]),
             (Map([x + x**2], [x]), [1e-12]),
             (GDMap((a * b - 1) ** 2 / 2, [a, b], eta=sp.Rational(1, 2)), [2.0, 0.5])]
    for m, point in cases:
        for radius in (None, 1e-12, 1e-6, 1e-2):
            enc = certify_orbit(m, point, radius=radius, newton_steps=0)
            assert not enc.certified, enc.reason
            assert "K(X) is not inside X" in enc.reason or "singular" in enc.reason


@pytest.mark.parametrize("point", [[1.0, 1.0], [2.0, 0.5], [1.1, 0.95]])
def test_point_on_a_curve_of_minima_is_not_certified(point):
    a, b = sp.symbols("a b")
    g = GDMap((a * b - 1) ** 2 / 2, [a, b], eta=sp.Rational(1, 2))
    enc = certify_orbit(g, point)
    assert not enc.certified
    assert "singular" in enc.reason and "non-isolated" in enc.reason


# -- transcendental and piecewise maps -------------------------------------------------
def test_transcendental_map_fixed_point_is_certified_and_matches_mpmath():
    x, y = sp.symbols("x y")
    m = Map([sp.cos(x) + y / 3, sp.sin(x * y) / 2 + sp.exp(-x) / 4], [x, y])
    start = np.array([0.8, 0.3])
    for _ in range(50):  # plain Newton in floats
        start = start - np.linalg.solve(m.numeric.jacobian(start) - np.eye(2), m(start) - start)
    enc = certify_orbit(m, start)
    assert enc.certified, enc.reason
    # independent truth: mpmath's own root finder on hand-written mpmath functions
    with mpmath.workdps(50):
        root = mpmath.findroot([lambda p, q: mpmath.cos(p) + q / 3 - p,
                                lambda p, q: mpmath.sin(p * q) / 2 + mpmath.exp(-p) / 4 - q],
                               (mpmath.mpf(start[0]), mpmath.mpf(start[1])))
    assert inside(enc, [root[0], root[1]])
    assert inside(enc, refine_mpmath(m, start))


def test_transcendental_period_two_orbit():
    x = sp.Symbol("x")
    m = Map([3 * sp.sin(x) + sp.pi / 7], [x])
    orbit = newton_orbits_1d(m, 2, np.linspace(-3, 3, 40))
    assert orbit is not None
    enc = certify_orbit(m, orbit)
    assert enc.certified, enc.reason
    assert inside(enc, refine_mpmath(m, orbit))


def newton_orbits_1d(m, period, starts):
    for x in starts:
        for _ in range(60):
            z, d = x, 1.0
            for _ in range(period):
                d, z = d * float(m.numeric.jacobian([z])[0, 0]), float(m([z])[0])
            if d == 1:
                break
            x = x - (z - x) / (d - 1)
        orbit = [x]
        for _ in range(period - 1):
            orbit.append(float(m([orbit[-1]])[0]))
        if abs(float(m([orbit[-1]])[0]) - orbit[0]) < 1e-12 and abs(orbit[1] - orbit[0]) > 1e-3:
            return np.array(orbit).reshape(-1, 1)
    return None


def test_max_and_piecewise_away_from_their_kinks_are_certified():
    x = sp.Symbol("x")
    m = Map([sp.Max(x, 0) / 2 + sp.Rational(1, 4)], [x])  # fixed point 1/2, on the smooth side
    enc = certify_orbit(m, [0.49])
    assert enc.certified, enc.reason
    assert inside(enc, [sp.Rational(1, 2)])
    pw = Map([sp.Piecewise((x / 2 - 1, x < 1), (2 * x - sp.Rational(3, 2), True))], [x])
    enc = certify_orbit(pw, [-2.1])  # fixed point -2; the other piece has 3/2
    assert enc.certified and inside(enc, [-2])
    enc = certify_orbit(pw, [1.4])
    assert enc.certified and inside(enc, [sp.Rational(3, 2)])


@pytest.mark.parametrize("expr, start, words", [
    (sp.Max(sp.Symbol("x"), 0) / 2 + 2 * sp.Min(sp.Symbol("x"), 0), 0.0, "kink"),
    (sp.Piecewise((sp.Symbol("x") / 2 + sp.Rational(1, 2), sp.Symbol("x") < 1),
                  (2 * sp.Symbol("x") - 1, True)), 1.0, "boundary between the pieces"),
    (sp.Abs(sp.Symbol("x")) / 3, 1e-3, "kink at 0"),
    (sp.Function("g")(sp.Symbol("x")), 0.5, "not supported"),
    (sp.log(sp.Symbol("x")) + 2, -1.0, "not finite"),
])
def test_maps_that_ball_arithmetic_cannot_settle_are_not_certified(expr, start, words):
    enc = certify_orbit(Map([expr], [sp.Symbol("x")]), [start])
    assert not enc.certified
    assert enc.reason.startswith("not certified: ") and words in enc.reason


# -- the rest of the contract ----------------------------------------------------------
def test_a_fixed_point_given_as_period_two_is_certified_without_minimal_period():
    fixed = [refine_mpmath(henon(), [0.63, 0.19])[0].astype(float)] * 2
    enc = certify_orbit(henon(), fixed)
    assert enc.certified and "minimal period not proven" in enc.reason


def test_one_dimensional_orbit_given_flat():
    m = logistic(sp.Rational(7, 2))
    enc = certify_orbit(m, [sp.Rational(5, 7)])
    assert enc.certified and enc.lower.shape == (1, 1)
    assert inside(enc, [sp.Rational(5, 7)])


def test_arguments_are_checked():
    with pytest.raises(InvalidArgumentError, match="points"):
        certify_orbit(henon(), [[0.0, 0.0, 0.0]])
    with pytest.raises(InvalidArgumentError, match="radius"):
        certify_orbit(henon(), [0.6, 0.2], radius=-1.0)
    with pytest.raises(InvalidArgumentError, match="points"):
        certify_orbit(henon(), [np.nan, 0.0])
    a, x = sp.symbols("a x")
    with pytest.raises(FreeParameterError, match="a"):
        certify_orbit(Map([a * x], [x]), [0.0])
    with pytest.raises(FreeParameterError):
        refine_mpmath(Map([a * x], [x]), [0.0])


def test_refine_mpmath_reaches_the_requested_digits():
    x = refine_mpmath(henon(), [0.63, 0.19], dps=80)
    exact = (-(1 - B) + sp.sqrt((1 - B) ** 2 + 4 * A)) / (2 * A)
    with mpmath.workdps(100):
        assert abs(x[0, 0] - mpmath.mpf(sp.N(exact, 100))) < mpmath.mpf(10) ** -78
    with pytest.raises(RefinementError, match="converge"):
        refine_mpmath(Map([sp.Symbol("x") ** 2 + 1], [sp.Symbol("x")]), [0.3], maxiter=20)
