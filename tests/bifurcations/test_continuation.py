"""continuation: branches, bifurcations located to the closed forms and published tables.

Published values: the period-doubling points of the quadratic map x -> a - x^2,
a_1..a_8 = 0.75, 1.25, 1.3680989, 1.3940462, 1.3996312, 1.4008286, 1.4010853, 1.4011402,
tabulated in Wikipedia, "Feigenbaum constants", section "Non-linear maps" (after
K. T. Alligood, T. D. Sauer, J. A. Yorke, "Chaos: An Introduction to Dynamical Systems",
Springer 1996, p. 503). The logistic map r x (1 - x) is conjugate to it by
x -> r (x - 1/2), with a = r (r - 2) / 4, which turns the table into r_n to 8 significant
digits. Ten and more digits come from an independent mpmath solve at 30 digits of
f^q(x) = x, (f^q)'(x) = -1 (q = 2^(n-1)). Feigenbaum's delta = 4.669201609102990671853...
(OEIS A006890).
"""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError, InvalidTypeError, Map
from gdmaps.bifurcations.continuation import BifurcationPoint, Branch, Continuation, Stop, continuation
from gdmaps.maps import henon, logistic

DELTA = 4.669201609102990
QUADRATIC_TABLE = [0.75, 1.25, 1.3680989, 1.3940462, 1.3996312, 1.4008286]  # a_1..a_6 (Alligood p. 503)


def _r_from_a(a):
    return 1 + math.sqrt(1 + 4 * a)  # the root > 2 of r (r - 2) / 4 = a


@pytest.fixture(scope="module")
def cascade():
    return continuation(logistic(2.8), [0.64], "r", (2.8, 3.5698), switch=6)


def _logistic_pd_mp(q, x0, r0):
    """(x, r) with f^q(x) = x and (f^q)'(x) = -1 for f = r x (1 - x), at 30 digits."""
    with mpmath.workdps(30):
        def F(x, r):
            y, d = x, mpmath.mpf(1)
            for _ in range(q):
                d *= r * (1 - 2 * y)
                y = r * y * (1 - y)
            return [y - x, d + 1]
        return mpmath.findroot(F, (mpmath.mpf(x0), mpmath.mpf(r0)))


def test_logistic_cascade_structure(cascade):
    assert [b.period for b in cascade.branches] == [1, 2, 4, 8, 16, 32, 64]
    assert [b.parent for b in cascade.branches] == [None, 0, 1, 2, 3, 4, 5]
    bifs = cascade.bifurcations
    assert [b.kind for b in bifs] == ["period-doubling"] * 6
    assert [b.period for b in bifs] == [1, 2, 4, 8, 16, 32]
    for br in cascade.branches:
        assert br.stopped.startswith("end of span at r = 3.5698")
        assert br.values[-1] == pytest.approx(3.5698, abs=1e-14)
        K = len(br.values)
        assert br.orbits.shape == (K, br.period, 1) and br.multipliers.shape == (K, 1)
        # every point solves the orbit equations
        r = br.values[:, None, None]
        resid = r * br.orbits * (1 - br.orbits) - np.roll(br.orbits, -1, axis=1)
        assert np.abs(resid).max() < 1e-11
    for b in bifs:
        assert abs(b.multipliers[0] + 1) < 1e-9


def test_logistic_first_two_closed_forms(cascade):
    r1, r2 = (b.value for b in cascade.bifurcations[:2])
    assert abs(r1 - 3) < 1e-12
    assert abs(r2 - (1 + math.sqrt(6))) < 1e-12
    # fixed point 1 - 1/r, multiplier 2 - r, stable until r = 3
    fixed = cascade.branches[0]
    np.testing.assert_allclose(fixed.orbits[:, 0, 0], 1 - 1 / fixed.values, atol=1e-13)
    np.testing.assert_allclose(fixed.multipliers[:, 0].real, 2 - fixed.values, atol=1e-12)
    away = np.abs(fixed.values - 3) > 1e-9  # at r = 3 itself |mu| = 1 to rounding
    np.testing.assert_array_equal(fixed.stable[away], (np.abs(2 - fixed.values) < 1)[away])


def test_logistic_cascade_against_table_and_mpmath(cascade):
    bifs = cascade.bifurcations
    for n, (b, a) in enumerate(zip(bifs, QUADRATIC_TABLE), start=1):
        assert b.value == pytest.approx(_r_from_a(a), abs=2e-7), n  # 7 decimals of the table
        x, r = _logistic_pd_mp(b.period, b.orbit[0, 0], b.value)
        assert abs(b.value - float(r)) < 1e-12 * b.value, (n, b.value, r)
    reference = [3.5440903596, 3.5644072661, 3.5687594195, 3.5696916098]
    for b, ref in zip(bifs[2:], reference):
        assert abs(b.value - ref) < 1e-10  # 10 significant digits
    v = [b.value for b in bifs]
    ratios = [(v[i] - v[i - 1]) / (v[i + 1] - v[i]) for i in range(1, len(v) - 1)]
    assert abs(ratios[-1] - DELTA) / DELTA < 0.01
    assert abs(ratios[-1] - DELTA) < abs(ratios[0] - DELTA)


def test_mpmath_reference_is_independent_of_the_start():
    # the 30-digit solve lands on the same r_3 from a rough guess: it checks, not echoes
    x, r = _logistic_pd_mp(4, 0.38, 3.54)
    assert abs(float(r) - 3.5440903595519228) < 1e-15


def test_gd_quartic_cascade():
    x = sp.Symbol("x")
    gd = GDMap((x**2 - 1) ** 2 / 4, [x])  # f(x) = x - eta (x^3 - x), f'(1) = 1 - 2 eta
    res = continuation(gd, [1.0], "eta", (0.5, 1.3025), switch=6)
    v = [b.value for b in res.bifurcations]
    assert all(b.kind == "period-doubling" for b in res.bifurcations) and len(v) >= 4
    assert abs(v[0] - 1) < 1e-12  # 2 / L''(1)
    # period 2 around x = 1: x0 x1 = 1/eta, x0^2 + x1^2 = 1 + 1/eta, so the multiplier
    # f'(x0) f'(x1) = (1 + eta)^2 - 3 eta (1 + eta)(x0^2 + x1^2) + 9 eta^2 (x0 x1)^2
    # = 9 - 2 (1 + eta)^2: born at eta = 1 (mu = 1), doubles at eta = sqrt(5) - 1 (mu = -1)
    assert abs(v[1] - (math.sqrt(5) - 1)) < 1e-12
    np.testing.assert_allclose(res.branches[0].multipliers[:, 0].real, 1 - 2 * res.branches[0].values,
                               atol=1e-12)
    ratios = [(v[i] - v[i - 1]) / (v[i + 1] - v[i]) for i in range(1, len(v) - 1)]
    assert abs(ratios[-1] - DELTA) / DELTA < 0.01
    errs = [abs(q - DELTA) for q in ratios]
    assert errs == sorted(errs, reverse=True)  # tending to delta


def test_henon_fold_and_period_doubling():
    # Fixed points: x = 1 - a x^2 + b x, i.e. a x^2 + (1 - b) x - 1 = 0: two roots while
    # (1 - b)^2 + 4 a > 0, merging in a fold at a = -(1 - b)^2 / 4. Jacobian [[-2 a x, 1], [b, 0]],
    # characteristic polynomial mu^2 + 2 a x mu - b; mu = -1 gives 2 a x = 1 - b; with the
    # fixed-point equation x (1 - b) / 2 + (1 - b) x = 1, so x = 2 / (3 (1 - b)) and
    # a = 3 (1 - b)^2 / 4.
    b = 0.3
    a0 = 1.0
    xf = (-(1 - b) + math.sqrt((1 - b) ** 2 + 4 * a0)) / (2 * a0)
    res = continuation(henon(a0, b), [xf, b * xf], "a", (1.0, -0.5))
    kinds = {bp.kind: bp for bp in res.bifurcations}
    assert set(kinds) == {"fold", "period-doubling"}
    assert abs(kinds["fold"].value + (1 - b) ** 2 / 4) < 1e-12
    assert abs(kinds["period-doubling"].value - 3 * (1 - b) ** 2 / 4) < 1e-12
    np.testing.assert_allclose(kinds["fold"].orbit[0], [2 / (1 - b), 2 * b / (1 - b)], atol=1e-6)
    assert np.min(np.abs(kinds["fold"].multipliers - 1)) < 1e-6
    # downward: the PD comes first along the branch, then the fold; then the other
    # fixed point runs off to infinity as a -> 0-
    br = res.branches[0]
    assert [bp.kind for bp in br.bifurcations] == ["period-doubling", "fold"]
    assert br.stopped.startswith("blew up") and br.stop is Stop.BLEW_UP and "raise bound" in br.stop.value
    assert br.values.min() == pytest.approx(-(1 - b) ** 2 / 4, abs=1e-12)


def test_neimark_sacker_of_delayed_logistic():
    x, y, r = sp.symbols("x y r")
    m = Map([y, r * y * (1 - x)], [x, y], {r: 1.5})
    res = continuation(m, [1 / 3, 1 / 3], "r", (1.5, 2.5))
    (ns,) = res.bifurcations
    assert ns.kind == "neimark-sacker"
    assert abs(ns.value - 2) < 1e-12  # det J = r - 1 = 1, trace 1
    np.testing.assert_allclose(np.abs(ns.multipliers), 1, atol=1e-10)
    np.testing.assert_allclose(sorted(ns.multipliers.imag), [-math.sqrt(3) / 2, math.sqrt(3) / 2], atol=1e-10)
    br = res.branches[0]
    np.testing.assert_array_equal(br.stable, br.values < 2 - 1e-12)


def test_downward_and_period_two_start():
    # start on the period-2 orbit at r = 3.4 and go down: in the period-2 equations the
    # branch turns at r = 3, where it meets the doubled fixed point (multiplier +1 there,
    # touched, not crossed), and comes back with its two points swapped. The turn is the
    # period doubling of the fixed point, reported as such.
    r0 = 3.4
    x0 = (r0 + 1 + math.sqrt((r0 - 3) * (r0 + 1))) / (2 * r0)
    res = continuation(logistic(r0), [x0], "r", (r0, 2.9), period=2)
    br = res.branches[0]
    assert br.period == 2 and br.values[0] == r0 and br.values[1] < r0
    (pd,) = res.bifurcations
    assert pd.kind == "period-doubling" and pd.period == 1 and abs(pd.value - 3) < 1e-12
    assert abs(pd.orbit[0, 0] - 2 / 3) < 1e-7 and abs(pd.multipliers[0] + 1) < 1e-7
    assert br.stopped == "left the span at r = 3.4" and br.stop is Stop.LEFT_SPAN
    np.testing.assert_allclose(br.orbits[-1], br.orbits[0][::-1], atol=1e-12)


def test_results_read_as_sentences(cascade):
    assert repr(cascade).startswith(
        "<Continuation in r: 7 branch(es), 6 bifurcation(s): period-doubling at 3,")
    assert repr(cascade.bifurcations[0]) == "<BifurcationPoint: period-doubling of a fixed point at 3>"
    assert repr(cascade.branches[1]).startswith("<Branch: period-2 orbits from 3.0")
    d = cascade.to_dict()
    assert d["parameter"] == "r" and len(d["branches"]) == 7 and len(d["bifurcations"]) == 6
    assert isinstance(cascade.branches[0], Branch) and isinstance(cascade.bifurcations[0], BifurcationPoint)
    assert isinstance(cascade, Continuation)
    with pytest.raises(AttributeError):
        cascade.parameter = "s"


def test_max_steps_is_reported():
    res = continuation(logistic(2.8), [0.64], "r", (2.8, 3.5), max_steps=3, max_step=0.01)
    assert res.branches[0].stopped.startswith("max_steps (3) reached")
    assert res.branches[0].stop is Stop.MAX_STEPS and "raise max_steps" in Stop.MAX_STEPS.value


def test_errors():
    with pytest.raises(InvalidArgumentError, match="'s' is not a parameter.*r"):
        continuation(logistic(2.8), [0.64], "s", (2.8, 3.0))
    # no fixed point of the Henon map for a < -(1 - b)^2 / 4: Newton cannot converge
    with pytest.raises(InvalidArgumentError, match="not near a period-1 orbit at a = -0.5: Newton"):
        continuation(henon(-0.5, 0.3), [0.3, 0.1], "a", (-0.5, 0.0))
    with pytest.raises(InvalidArgumentError, match="converged to an orbit of period 1, not 2"):
        continuation(logistic(2.8), [0.6], "r", (2.8, 3.0), period=2)
    with pytest.raises(InvalidArgumentError, match="span must be two different finite values of r"):
        continuation(logistic(2.8), [0.64], "r", (2.8, 2.8))
    with pytest.raises(InvalidArgumentError, match="span must be two numbers"):
        continuation(logistic(2.8), [0.64], "r", 2.8)
    with pytest.raises(InvalidArgumentError, match="period must be an integer >= 1, got 0"):
        continuation(logistic(2.8), [0.64], "r", (2.8, 3.0), period=0)
    with pytest.raises(InvalidTypeError, match="period must be an integer"):
        continuation(logistic(2.8), [0.64], "r", (2.8, 3.0), period=1.5)
    with pytest.raises(InvalidArgumentError, match=r"start must be a finite point of shape \(1,\)"):
        continuation(logistic(2.8), [0.64, 0.3, 0.1], "r", (2.8, 3.0))
