"""fixed_points: exact components, numeric points and certificates against closed forms."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.orbits.fixed_points import fixed_points
from gdmaps.maps import henon, logistic
from gdmaps.models import scalar_chain
from gdmaps.core.stability import Kind

a, b, y = sp.symbols("a b y")


def test_ab_minus_y_is_a_curve_plus_the_origin_for_symbolic_y():
    fp = fixed_points(GDMap((a * b - y) ** 2 / 2, [a, b]))
    assert [(c.dimension, c.equations) for c in fp.components] == [(1, (a * b - y,)), (0, (a, b))]
    assert fp.degenerate == ()  # H = 0 would need y = 0


def test_depth_three_chain_components_and_degenerate_origin():
    fp = fixed_points(scalar_chain(3, 1))
    w1, w2, w3 = scalar_chain(3, 1).state
    comps = sorted((c.dimension, str(c.equations)) for c in fp.components)
    assert comps == [(1, str((w1, w2))), (1, str((w1, w3))), (1, str((w2, w3))),
                     (2, str((w1 * w2 * w3 - 1,)))]
    # the origin is the only point where H = 0: linear stability says nothing there
    assert [(c.dimension, c.points) for c in fp.degenerate] == [(0, ((0, 0, 0),))]


def test_henon_exact_points_equal_the_closed_form():
    A, B = sp.Rational(7, 5), sp.Rational(3, 10)
    xs = [(-(1 - B) + s * sp.sqrt((1 - B) ** 2 + 4 * A)) / (2 * A) for s in (1, -1)]
    fp = fixed_points(henon())
    (c,) = fp.components
    assert c.dimension == 0
    assert {sp.nsimplify(sp.expand(p[0])) for p in c.points} == {sp.nsimplify(sp.expand(x)) for x in xs}
    for p in fp.points:
        assert p.stability.kind is Kind.SADDLE


def test_logistic_exact():
    pts = sorted(p[0] for comp in fixed_points(logistic(sp.Rational(5, 2))).components
                 for p in comp.points)
    assert pts == [0, sp.Rational(3, 5)]


def test_numeric_finds_henon_points_and_the_minima_curve():
    fp = fixed_points(henon(), [[-3, 3], [-3, 3]], method="numeric")
    xs = sorted(p.points[0, 0] for p in fp.points)
    np.testing.assert_allclose(xs, [(-0.7 - np.sqrt(0.49 + 5.6)) / 2.8, (-0.7 + np.sqrt(0.49 + 5.6)) / 2.8],
                               rtol=1e-12)
    gd = GDMap((a * b - 1) ** 2 / 2, [a, b], 1.2)
    fp = fixed_points(gd, [[-2, 2], [-2, 2]], method="numeric", starts=60)
    on_curve = [p for p in fp.points if p.local_dimension == 1]
    assert len(on_curve) > 5 and [p.points[0].tolist() for p in fp.isolated] == [[0.0, 0.0]]
    for p in on_curve:  # tangent of ab = 1 is (a, -b); normal multiplier 1 - eta (a^2 + b^2)
        (pa, pb) = p.points[0]
        assert pa * pb == pytest.approx(1, abs=1e-9)
        t = p.tangent[:, 0]
        assert abs(t @ np.array([pb, pa])) < 1e-8  # orthogonal to grad(ab) = (b, a)
        assert p.normal_multipliers[0].real == pytest.approx(1 - 1.2 * (pa**2 + pb**2), rel=1e-8)
        assert p.stability.unstable  # past eta* = 1 every minimum is unstable


def test_certified_henon_and_refusal_on_the_curve():
    pytest.importorskip("flint")
    fp = fixed_points(henon(), [[-3, 3], [-3, 3]], method="certified")
    assert len(fp.points) == 2 and all(p.certified for p in fp.points)
    gd = GDMap((a * b - 1) ** 2 / 2, [a, b], 0.5)
    fp = fixed_points(gd, [[0.5, 2], [0.5, 2]], method="certified", starts=10)
    assert fp.points and not any(p.certified for p in fp.points)
    assert "not isolated" in fp.points[0].enclosure.reason


@pytest.mark.parametrize("kwargs, message", [
    (dict(method="numeric"), "needs a region"),
    (dict(method="guess"), "method must be one of"),
    (dict(method="numeric", region=[[1, 0], [0, 1]]), "low < high"),
    (dict(method="numeric", region=[[0, 1]]), r"shape \(2, 2\)"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(InvalidArgumentError, match=message):
        fixed_points(henon(), **kwargs)


def test_symbolic_refuses_transcendental_maps():
    x, yy = sp.symbols("x yy")
    from gdmaps import Map
    with pytest.raises(InvalidArgumentError, match="polynomial or rational"):
        fixed_points(Map([sp.cos(x), yy / 2], [x, yy]))


NEWTON = ("x: 2*x/3 + (x**2 - y**2)/(3*(x**2 + y**2)**2);"
          " y: 2*y/3 - 2*x*y/(3*(x**2 + y**2)**2)")


def test_newton_map_poles_are_not_fixed_points():
    # Newton's map for z^3 = 1 over the reals: the numerators of f(x) - x also vanish at the
    # pole z = 0, where the map (and its Jacobian) is not finite; that point is removed (it
    # raised LinAlgError in the stability of the points), the three cube roots remain
    from gdmaps.maps import from_text

    m = from_text(NEWTON)
    fp = fixed_points(m)
    pts = sorted(tuple(np.round(p.points[0], 12)) for p in fp.points)
    roots = sorted((round(np.cos(t), 12), round(np.sin(t), 12)) for t in 2 * np.pi * np.arange(3) / 3)
    assert pts == roots
    assert all(p.stability.kind == Kind.ATTRACTING for p in fp.points)
    assert "removed" in fp.notes and fp.degenerate == ()
    for c in fp.components:
        assert not c.points or all(any(v != 0 for v in pt) for pt in c.points)
    num = fixed_points(m, [[-2, 2], [-2, 2]], method="certified")
    assert len(num.points) == 3 and all(p.certified for p in num.points)


def test_rational_map_in_one_variable():
    from gdmaps.maps import from_text

    fp = fixed_points(from_text("x: x/2 + 1/x"))  # fixed points +-sqrt(2); pole at 0
    assert sorted(float(p.points[0, 0]) for p in fp.points) == pytest.approx([-2**0.5, 2**0.5])


def test_cli_fixed_points_of_newton_map(capsys):
    from gdmaps.cli.main import main

    assert main(["fixed-points", "--map", NEWTON]) in (0, None)
    out = capsys.readouterr().out
    assert "3 point(s)" in out and "Traceback" not in out
