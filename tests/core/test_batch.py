"""The shared step loop: advance, divergence checks and compaction (gdmaps.core.batch).

Closed forms: x -> 2x doubles every coordinate, so after k steps a start x0 sits at 2^k x0
and leaves the ball of radius B at the first check after 2^k |x0| > B.
"""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.core.batch import Batch, advance, as_rows, escaped, sum_squares


def double(rows):
    return [2.0 * r for r in rows]


def test_advance_is_k_steps_and_zero_steps_is_the_identity():
    rows = [np.array([1.0, -3.0])]
    assert advance(double, rows, 0) is rows
    np.testing.assert_array_equal(advance(double, rows, 5)[0], [32.0, -96.0])


def test_as_rows_broadcasts_constants_and_keeps_float_rows():
    r = np.array([1.0, 2.0])
    out = as_rows([r, 3, np.array([1, 2])], 2)
    assert out[0] is r
    np.testing.assert_array_equal(out[1], [3.0, 3.0])
    assert out[2].dtype == np.float64


@pytest.mark.parametrize("norm", ["max", "euclidean"])
def test_escaped_counts_nan_and_inf_and_the_radius(norm):
    rows = [np.array([0.0, np.nan, np.inf, 3.0, 2.0]), np.array([0.0, 0.0, 0.0, 0.0, 2.0])]
    bad, nrm2 = escaped(rows, 2.5, norm=norm)
    # |(2, 2)|_max = 2 stays inside 2.5, its Euclidean norm 2.83 does not
    expected = [False, True, True, True, norm == "euclidean"]
    np.testing.assert_array_equal(bad, expected)
    assert (nrm2 is None) == (norm == "max")


def test_escaped_with_an_infinite_radius_keeps_finite_states_whose_square_overflows():
    rows = [np.array([1e200, np.inf, 1.0])]
    bad, nrm2 = escaped(rows, np.inf)
    np.testing.assert_array_equal(bad, [False, True, False])
    assert nrm2[0] == np.inf
    np.testing.assert_array_equal(escaped(rows, 1e300)[0], [True, True, False])


def test_sum_squares_is_the_squared_norm():
    np.testing.assert_array_equal(sum_squares([np.array([3.0, 1.0]), np.array([4.0, 1.0])]), [25.0, 2.0])


def test_batch_drops_diverged_orbits_and_carries_their_arrays():
    x0 = np.array([1.0, 1e3, -1.0, 1e5])
    p = np.array([10.0, 11.0, 12.0, 13.0])
    seen = []

    def step(rows, k, p):
        seen.append(p.copy())
        return advance(double, rows, k)

    b = Batch([x0], step, carry=(p,))
    b.advance(10)  # 2^10 = 1024: 1e3 -> 1.02e6, 1e5 -> 1.02e8
    np.testing.assert_array_equal(b.drop_escaped(1e8, norm="max"), [3])
    np.testing.assert_array_equal(b.ids, [0, 1, 2])
    np.testing.assert_array_equal(b.carry[0], [10.0, 11.0, 12.0])
    b.advance(7)  # 1e3 * 2^17 = 1.3e8
    np.testing.assert_array_equal(b.drop_escaped(1e8), [1])
    b.advance(0)
    assert b.size == 2 and len(seen) == 2
    np.testing.assert_array_equal(seen[-1], [10.0, 11.0, 12.0])
    np.testing.assert_array_equal(b.rows[0], [2.0**17, -(2.0**17)])


def test_batch_broadcasts_constant_components():
    b = Batch([np.array([1.0, 2.0]), np.array([0.0, 0.0])], lambda rows, k: [rows[0] + k, 5.0])
    b.advance(1)
    assert b.drop_escaped(1e8).size == 0
    np.testing.assert_array_equal(b.rows[1], [5.0, 5.0])


def test_batch_refuses_an_unknown_norm():
    b = Batch([np.zeros(2)], lambda rows, k: rows)
    with pytest.raises(InvalidArgumentError, match="norm"):
        b.drop_escaped(1.0, norm="l1")


def test_batch_on_a_gd_map_matches_the_closed_form():
    """GD on L = x^2 / 2 multiplies by 1 - eta: at eta = 3 by -2, so |x0| 2^k against blowup."""
    x = sp.Symbol("x")
    num = GDMap(x**2 / 2, [x], eta=3).numeric
    x0 = np.array([1.0, 1e-3, 0.0])
    b = Batch([x0], lambda rows, k: advance(num.step_rows, rows, k))
    b.advance(20)
    np.testing.assert_array_equal(b.drop_escaped(1e5), [0])  # 2^20 > 1e5 > 1e-3 * 2^20
    np.testing.assert_allclose(b.rows[0], [1e-3 * 2.0**20, 0.0])
