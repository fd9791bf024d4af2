"""decompose: components and dimensions of varieties known by hand."""

import pytest
import sympy as sp

from gdmaps.exact.varieties import NotPolynomialError, decompose

x, y, z, a, b = sp.symbols("x y z a b")


def test_curve_and_point():
    comps = decompose([b * (a * b - 1), a * (a * b - 1)], [a, b])
    assert [(c.dimension, c.equations) for c in comps] == [(1, (a * b - 1,)), (0, (a, b))]
    assert comps[1].points == ((0, 0),)


def test_embedded_point_is_dropped_and_lines_kept():
    # xy = 0 and xz = 0: the plane x = 0 and the line y = z = 0 (the origin is inside both)
    comps = decompose([x * y, x * z], [x, y, z])
    assert sorted((c.dimension, c.equations) for c in comps) == [(1, (y, z)), (2, (x,))]


def test_no_real_points_and_empty_variety():
    (c,) = decompose([x**2 + 1, y], [x, y])
    assert c.dimension == 0 and c.points == ()
    assert decompose([x, x - 1], [x]) == ()


def test_non_polynomial_is_refused():
    with pytest.raises(NotPolynomialError, match="not polynomial"):
        decompose([sp.sin(x)], [x])
