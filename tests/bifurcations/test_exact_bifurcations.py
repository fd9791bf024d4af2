"""Exact bifurcation points: closed forms derived by hand, checked by the multipliers."""

import mpmath
import numpy as np
import pytest
import sympy as sp

from gdmaps.core.errors import FreeParameterError, GdmapsError, InvalidArgumentError
from gdmaps.bifurcations.exact_bifurcations import (EliminationTooLargeError, ExactBifurcation,
                                                    exact_bifurcations, gd_period_doubling)
from gdmaps.core.gd import ETA, GDMap
from gdmaps.core.map import Map
from gdmaps.maps import henon, logistic, standard
from gdmaps.exact.varieties import NotPolynomialError

x, y, r, a, b = sp.symbols("x y r a b")


def _pick(results, kind, value):
    hits = [res for res in results if res.kind == kind and sp.simplify(res.value - value) == 0]
    assert hits, f"no {kind} at {value} in {results}"
    return hits


# -- logistic f(x) = r x (1 - x) -----------------------------------------------------------------

def test_logistic_fixed_points():
    # f'(x) = r (1 - 2x). Fixed points 0 and 1 - 1/r, with multipliers r and 2 - r.
    # +1: r = 1 at x = 0 (where the two branches cross: transcritical, since x = 0 is a
    # fixed point for every r); -1: r = 3 at x = 2/3, and r = -1 at x = 0.
    res = exact_bifurcations(logistic(3.5), "r")
    assert [(q.kind, q.value) for q in res] == [
        ("period-doubling", -1), ("transcritical", 1), ("period-doubling", 3)]
    tc = res[1]
    assert tc.orbit == ((0,),) and tc.multipliers == (1,)
    pd = res[2]
    assert pd.orbit == ((sp.Rational(2, 3),),) and pd.multipliers == (-1,)
    assert float(pd) == 3.0 and pd.float == 3.0 and float(pd.evalf()) == 3.0
    assert repr(pd) == "<period-doubling of a fixed point at r = 3>"
    # the domain keeps only r in [0, 4]
    assert [q.value for q in exact_bifurcations(logistic(3.5), "r", domain=(0, 4))] == [1, 3]


def test_logistic_period_two():
    # Multiplier of the 2-cycle: f'(x0) f'(x1) = r^2 (1 - 2x0)(1 - 2x1) = 4 + 2r - r^2
    # (x0 + x1 = (r+1)/r, x0 x1 = (r+1)/r^2). -1 at r^2 - 2r - 5 = 0: r = 1 +- sqrt(6).
    # +1 at r = 3 or -1: where the cycle collapses onto a fixed point (not prime period 2:
    # spurious, must be dropped).
    res = exact_bifurcations(logistic(3), r, period=2)
    assert {(q.kind, q.value) for q in res} == {
        ("period-doubling", 1 + sp.sqrt(6)), ("period-doubling", 1 - sp.sqrt(6))}
    (pd,) = exact_bifurcations(logistic(3), "r", period=2, domain=(0, 4))
    assert repr(pd) == "<period-doubling of a period-2 orbit at r = 1 + sqrt(6)>"
    assert pd.multipliers == (-1,)
    # the orbit: x = (r + 1 +- sqrt((r - 3)(r + 1))) / (2r), and (r - 3)(r + 1) = 2 here
    rv = 1 + sp.sqrt(6)
    want = sorted((rv + 1 + s * sp.sqrt(2)) / (2 * rv) for s in (-1, 1))
    got = sorted((pt[0] for pt in pd.orbit), key=float)
    assert all(sp.simplify(g - w) == 0 for g, w in zip(got, want))
    # numeric check: iterate the map at r = 1 + sqrt(6), product of derivatives = -1
    with mpmath.workdps(50):
        rn = mpmath.mpf(1) + mpmath.sqrt(6)
        x0 = mpmath.mpf(str(sp.N(got[0], 50)))
        x1 = rn * x0 * (1 - x0)
        assert abs(rn * x1 * (1 - x1) - x0) < 1e-40
        assert abs(rn**2 * (1 - 2 * x0) * (1 - 2 * x1) + 1) < 1e-40


def test_logistic_period_three_window():
    # The period-3 window opens with a fold at r = 1 + sqrt(8) (Saha & Strogatz, Math. Mag. 68,
    # 42-47, 1995: writing the 3-cycle with symmetric functions of its points, the discriminant
    # of the cycle's cubic vanishes at r^2 - 2r - 7 = 0).
    res = exact_bifurcations(logistic(3), "r", period=3, domain=(0, 4))
    fold = _pick(res, "fold", 1 + 2 * sp.sqrt(2))[0]
    assert fold.multipliers == (1,)
    assert fold.orbit is None  # roots of an irreducible cubic with three real roots: no real radicals
    orbit = np.array(fold.numeric_orbit)[:, 0]
    rn = float(fold)
    assert np.allclose(rn * orbit * (1 - orbit), np.roll(orbit, -1))
    assert np.isclose(np.prod(rn * (1 - 2 * orbit)), 1)
    # the 3-cycle born there period-doubles at an algebraic r = 3.8414990075...
    pd = _pick(res, "period-doubling", [q.value for q in res if q.kind == "period-doubling"][0])[0]
    assert abs(float(pd) - 3.8414990075) < 1e-9


def test_logistic_period_four_is_algebraic():
    # r_3 = 3.5440903595519228536... (Feigenbaum's cascade; a root of a degree-12 polynomial)
    res = exact_bifurcations(logistic(3), "r", period=4, kinds=("period-doubling",), domain=(3, 3.6))
    (pd,) = res
    assert isinstance(pd.value, sp.CRootOf) and pd.orbit is None
    assert abs(float(pd) - 3.5440903595519228536) < 1e-13
    assert pd.multipliers == (-1,)
    orbit = np.array(pd.numeric_orbit)[:, 0]
    assert np.allclose(float(pd) * orbit * (1 - orbit), np.roll(orbit, -1))


# -- Henon (x, y) -> (1 - a x^2 + y, b x), b = 3/10 ---------------------------------------------

def test_henon_fixed_points():
    # Fixed points: a x^2 + (1 - b) x - 1 = 0; tr Df = -2 a x, det = -b.
    # Fold: double root, (1 - b)^2 + 4a = 0: a = -(1 - b)^2/4 = -49/400.
    # PD: 1 + tr + det = 0 -> x = (1 - b)/(2a); in the fixed-point equation:
    # (1 - b)^2/(4a) + (1 - b)^2/(2a) = 1 -> a = 3(1 - b)^2/4 = 147/400.
    res = exact_bifurcations(henon(1.4, 0.3), "a")
    assert [(q.kind, q.value) for q in res] == [
        ("fold", sp.Rational(-49, 400)), ("period-doubling", sp.Rational(147, 400))]
    fold, pd = res
    assert fold.orbit == ((sp.Rational(20, 7), sp.Rational(6, 7)),)
    assert set(fold.multipliers) == {1, sp.Rational(-3, 10)}
    assert pd.orbit == ((sp.Rational(20, 21), sp.Rational(2, 7)),)
    assert set(pd.multipliers) == {-1, sp.Rational(3, 10)}


def test_henon_period_two():
    # 2-cycle (x0, b x1) <-> (x1, b x0): x1 = 1 - a x0^2 + b x1 and x0 = 1 - a x1^2 + b x0.
    # Subtracting: x0 + x1 = (1 - b)/a; adding: x0 x1 = ((1 - b)^2 - a)/a^2.
    # D f = [[-2 a x, 1], [b, 0]]; D f(x1) D f(x0) = [[4 a^2 x0 x1 + b, -2 a x1], [-2 a b x0, b]].
    # D f^2 has det b^2 and trace 4 a^2 x0 x1 + 2b = 4((1 - b)^2 - a) + 2b.
    # PD: 1 + tr + det = 0 -> a = (1 - b)^2 + (1 + b)^2/4 = 49/100 + 169/400 = 73/80.
    (pd,) = exact_bifurcations(henon(1.4, 0.3), "a", period=2, kinds=("period-doubling",))
    assert pd.value == sp.Rational(73, 80)
    assert set(pd.multipliers) == {-1, sp.Rational(-9, 100)}
    # numeric: iterate twice and multiply the Jacobians
    m = henon(73 / 80, 0.3)
    p0, p1 = (np.array(pt, dtype=float) for pt in pd.orbit)
    assert np.allclose(m(p0), p1) and np.allclose(m(p1), p0)
    J = m.numeric.jacobian(p1) @ m.numeric.jacobian(p0)
    assert np.allclose(sorted(np.linalg.eigvals(J).real), [-1, -0.09])


# -- gradient descent on L(x) = (x^2 - 1)^2 / 4 -------------------------------------------------

def test_gd_double_well():
    # g(x) = x - eta (x^3 - x); g'(x) = 1 - eta (3x^2 - 1). At x = +-1, g' = 1 - 2 eta = -1 at
    # eta = 1 = 2 / L''(1). At x = 0, g' = 1 + eta > 1: never a bifurcation for eta > 0.
    g = GDMap((x**2 - 1)**2 / 4, [x])
    res = exact_bifurcations(g, "eta")
    assert [(q.kind, q.value, q.orbit) for q in res] == [
        ("period-doubling", 1, ((-1,),)), ("period-doubling", 1, ((1,),))]
    assert res[0].parameter is ETA
    fields = lambda res: [(b.kind, b.value, b.orbit, b.multipliers) for b in res]  # noqa: E731
    assert fields(gd_period_doubling(g, [1])) == fields(gd_period_doubling(g.at(0.5), [1]))
    (pd,) = gd_period_doubling(g, [1])
    assert pd.value == 1 and pd.multipliers == (-1,)


def test_gd_double_well_period_two():
    # g is odd. The symmetric 2-cycles {x, -x} solve g(x) = -x: x^2 = (2 + eta)/eta, with
    # multiplier g'(x)^2 = (1 + eta - 3(2 + eta))^2 = (5 + 2 eta)^2 > 1: never bifurcates.
    # The other 2-cycles {x0, x1}: with s = x0 + x1, q = x0 x1, subtracting g(x0) = x1 and
    # g(x1) = x0 gives 2 + eta = eta (s^2 - q); adding them gives s (1 - s^2 + 3q) = 0, so
    # (s != 0) q = (s^2 - 1)/3, s^2 = (3 + eta)/eta and q = 1/eta; real when
    # s^2 - 4q = (eta - 1)/eta > 0: born at eta = 1 from the PD of x = +-1 (one cycle near +1,
    # its mirror near -1). Multiplier g'(x0) g'(x1) with g'(u) = 1 + eta - 3 eta u^2:
    # (1 + eta)^2 - 3 eta (1 + eta)(s^2 - 2q) + 9 eta^2 q^2 = 9 - 2 (1 + eta)^2,
    # = -1 at (1 + eta)^2 = 5: eta = sqrt(5) - 1. There q = 1/eta = (1 + sqrt(5))/4,
    # and the orbit is {sqrt(2)/2, (sqrt(2) + sqrt(10))/4} (product (1 + sqrt(5))/4 = q).
    g = GDMap((x**2 - 1)**2 / 4, [x])
    res = exact_bifurcations(g, "eta", period=2)
    assert len(res) == 2  # one cycle near +1, its mirror image near -1
    for pd in res:
        assert pd.kind == "period-doubling" and pd.value == sp.sqrt(5) - 1
    pos = [q for q in res if float(q.orbit[0][0]) > 0][0]
    want = {sp.sqrt(2) / 2, sp.expand((sp.sqrt(2) + sp.sqrt(10)) / 4)}
    assert {sp.expand(pt[0]) for pt in pos.orbit} == want
    with mpmath.workdps(50):
        eta = mpmath.sqrt(5) - 1
        step = lambda u: u - eta * (u**3 - u)  # noqa: E731
        x0 = mpmath.sqrt(2) / 2
        x1 = step(x0)
        assert abs(step(x1) - x0) < 1e-45
        deriv = lambda u: 1 - eta * (3 * u**2 - 1)  # noqa: E731
        assert abs(deriv(x0) * deriv(x1) + 1) < 1e-45


def test_gd_two_dimensional_minima():
    # L = (ab - 1)^2/2 at (1, 1): H = [[b^2, 2ab - 1], [2ab - 1, a^2]] = [[1, 1], [1, 1]],
    # eigenvalues 0 and 2: eta = 2/2 = 1, multipliers 1 - eta*0 = 1 and 1 - 2 = -1.
    g = GDMap((a * b - 1)**2 / 2, [a, b])
    (pd,) = gd_period_doubling(g, [1, 1])
    assert pd.value == 1 and sorted(pd.multipliers) == [-1, 1]
    # diagonal quadratic, eigenvalues 1 and 3: eta = 2 and 2/3
    q = GDMap((a**2 + 3 * b**2) / 2, [a, b])
    res = gd_period_doubling(q, [0, 0])
    assert [p.value for p in res] == [sp.Rational(2, 3), 2]
    assert sorted(res[0].multipliers) == [-1, sp.Rational(1, 3)]
    # the generic search agrees on the quadratic (whose fixed point is the origin for every eta)
    assert [p.value for p in exact_bifurcations(q, "eta")] == [sp.Rational(2, 3), 2]


def test_gd_manifold_of_minima_fold_is_not_isolated():
    # On ab = 1, H has eigenvalue 0: det(DG - I) = det(-eta H) = 0 on a whole curve
    g = GDMap((a * b - 1)**2 / 2, [a, b])
    with pytest.raises(InvalidArgumentError, match="not isolated"):
        exact_bifurcations(g, "eta", kinds=("fold",))


def test_gd_period_doubling_needs_a_critical_point():
    g = GDMap((x**2 - 1)**2 / 4, [x])
    with pytest.raises(InvalidArgumentError, match="critical point"):
        gd_period_doubling(g, [2])


# -- delayed logistic (x, y) -> (y, r y (1 - x)) --------------------------------------------------

def test_delayed_logistic_neimark_sacker():
    # Fixed point x = y = 1 - 1/r; Df = [[0, 1], [-r y, r (1 - x)]] = [[0, 1], [1 - r, 1]].
    # det = r - 1 = 1 at r = 2, trace 1 (|trace| < 2): mu = (1 +- i sqrt(3))/2 = exp(+-i pi/3).
    m = Map([y, r * y * (1 - x)], [x, y], {r: 1.5})
    res = exact_bifurcations(m, "r", kinds=("neimark-sacker",))
    (ns,) = res
    assert ns.value == 2 and ns.orbit == ((sp.Rational(1, 2), sp.Rational(1, 2)),)
    assert set(ns.multipliers) == {(1 + sp.sqrt(3) * sp.I) / 2, (1 - sp.sqrt(3) * sp.I) / 2}
    assert repr(ns) == "<neimark-sacker of a fixed point at r = 2>"


def test_neimark_sacker_in_three_dimensions():
    # Add z -> z/2 + x y to the delayed logistic map: the Jacobian is block triangular, so the
    # multipliers are those of the 2-D map and 1/2; the second compound matrix finds r = 2.
    z = sp.Symbol("z")
    m = Map([y, r * y * (1 - x), z / 2 + x * y], [x, y, z], {r: 1.5})
    (ns,) = exact_bifurcations(m, "r", kinds=("neimark-sacker",))
    assert ns.value == 2 and ns.orbit == ((sp.Rational(1, 2),) * 3,)
    assert set(ns.multipliers) == {(1 + sp.sqrt(3) * sp.I) / 2, (1 - sp.sqrt(3) * sp.I) / 2,
                                   sp.Rational(1, 2)}


def test_pitchfork_and_rational_maps():
    # x -> r x - x^3: x = 0 is fixed for every r, multiplier r: +1 at r = 1 with d_r F = x = 0
    # and F_xx = -6x = 0 there: a pitchfork. The branch x^2 = r - 1 has multiplier
    # r - 3x^2 = 3 - 2r = -1 at r = 2 (two points, x = +-1); x = 0 has -1 at r = -1.
    res = exact_bifurcations(Map([r * x - x**3], [x], {r: 1}), "r")
    assert [(q.kind, q.value) for q in res] == [
        ("period-doubling", -1), ("pitchfork", 1), ("period-doubling", 2), ("period-doubling", 2)]
    assert {q.orbit for q in res[2:]} == {((1,),), ((-1,),)}
    # x -> r + x^2: fold where x^2 - x + r has a double root, r = 1/4 (x = 1/2, f' = 2x = 1);
    # PD where 2x = -1: x = -1/2, r = x - x^2 = -3/4.
    res = exact_bifurcations(Map([r + x**2], [x], {r: 1}), "r")
    assert [(q.kind, q.value) for q in res] == [("period-doubling", sp.Rational(-3, 4)),
                                                ("fold", sp.Rational(1, 4))]
    # rational: x -> r x / (1 + x^2). x = 0 has multiplier r; the branch x^2 = r - 1 has
    # f' = r (1 - x^2)/(1 + x^2)^2 = (2 - r)/r, never -1, and +1 only at r = 1 where it meets 0.
    res = exact_bifurcations(Map([r * x / (1 + x**2)], [x], {r: 1}), "r")
    assert [(q.kind, q.value) for q in res] == [("period-doubling", -1), ("pitchfork", 1)]


# -- errors -------------------------------------------------------------------------------------

def test_errors():
    with pytest.raises(NotPolynomialError, match="gdmaps.continuation"):
        exact_bifurcations(standard(1), "k")
    with pytest.raises(InvalidArgumentError, match="'q'"):
        exact_bifurcations(logistic(3), "q")
    with pytest.raises(InvalidArgumentError, match="kinds"):
        exact_bifurcations(logistic(3), "r", kinds=("hopf",))
    with pytest.raises(InvalidArgumentError, match="domain"):
        exact_bifurcations(logistic(3), "r", domain=(4, 0))
    with pytest.raises(FreeParameterError, match="b"):
        exact_bifurcations(Map([1 - a * x**2 + y, b * x], [x, y]), "a")
    with pytest.raises(EliminationTooLargeError, match="gdmaps.continuation"):
        exact_bifurcations(logistic(3), "r", period=3, max_bezout=50)
    assert issubclass(EliminationTooLargeError, GdmapsError)


def test_result_is_frozen():
    (pd,) = exact_bifurcations(logistic(3), "r", domain=(2, 4))
    assert isinstance(pd, ExactBifurcation)
    with pytest.raises(AttributeError):
        pd.value = 0
