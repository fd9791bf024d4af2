"""convergent_set_dimension against sets whose dimension is known in closed form.

Linear GD on a quadratic saddle converges exactly from the stable eigenspace, so the
convergent set is a line (2-D) or a plane (3-D). With two unstable directions at rates
l1 >= l2 the documented estimate is d - (l1 + l2) / l1, an upper bound of d - 2.
(ab - 1)^2/2 past eta* = 1 converges from curves: the minima ab = 1, the stable line of
the saddle at 0 and their preimages, so D = 1.
"""

import math

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError, convergent_set_dimension
from gdmaps.maps import henon

x, y, z, a, b = sp.symbols("x y z a b")


def test_a_saddle_converges_from_a_line():
    res = convergent_set_dimension(GDMap((x**2 - y**2) / 2, [x, y]), [[-1, 1], [-1, 1]],
                                   eta=0.5, starts=200_000, steps=100)
    assert abs(res.dimension - 1) < 0.1
    assert abs(res.lyapunov - math.log(1.5)) < 0.03  # the unstable multiplier 1 + eta
    assert res.box_dimension is not None and abs(res.box_dimension - 1) < 0.1
    width, upper = res.finest
    assert width < 1e-3 and upper < 1e-3  # measure zero down to the resolution


def test_a_saddle_in_3d_converges_from_a_plane():
    res = convergent_set_dimension(GDMap((x**2 + y**2 - z**2) / 2, [x, y, z]), [[-1, 1]] * 3,
                                   eta=0.5, starts=200_000, steps=100)
    assert abs(res.dimension - 2) < 0.12


def test_two_unstable_directions_give_the_documented_upper_bound():
    # multipliers 1.5 and 1.2 away from the line y = z = 0 (true dimension 1)
    res = convergent_set_dimension(GDMap((x**2 - y**2 - z**2 / 2.5) / 2, [x, y, z]),
                                   [[-1, 1]] * 3, eta=0.5, starts=300_000, steps=100)
    bound = 3 - (math.log(1.5) + math.log(1.2)) / math.log(1.5)
    assert abs(res.dimension - bound) < 0.12
    assert res.dimension > 1


@pytest.mark.parametrize("eta", [1.05, 1.2])
def test_past_eta_star_the_convergent_set_is_a_curve(eta):
    res = convergent_set_dimension(GDMap((a * b - 1) ** 2 / 2, [a, b]), [[-3, 3], [-3, 3]],
                                   eta=eta, starts=300_000)
    assert abs(res.dimension - 1) < 0.1
    assert res.finest[1] < 3e-4
    # the shares fall with the width: the set is thinner than any band
    i, j = res.fit
    assert np.all(np.diff(res.converged[i:j]) <= 0)


def test_below_eta_star_a_positive_measure_is_refused():
    with pytest.raises(InvalidArgumentError, match="positive measure"):
        convergent_set_dimension(GDMap((a * b - 1) ** 2 / 2, [a, b]), [[-3, 3], [-3, 3]],
                                 eta=0.9, starts=20_000)


def test_a_cycle_within_delta_is_refused():
    # at eta = 1.01 the period-2 orbits around the minima step by less than 0.18
    with pytest.raises(InvalidArgumentError, match="Lower delta"):
        convergent_set_dimension(GDMap((a * b - 1) ** 2 / 2, [a, b]), [[-3, 3], [-3, 3]],
                                 eta=1.01, starts=20_000)


def test_a_region_away_from_the_set_is_refused():
    with pytest.raises(InvalidArgumentError, match="too few starts"):
        convergent_set_dimension(GDMap((x**2 - y**2) / 2, [x, y]), [[-1, 1], [0.5, 1]],
                                 eta=0.5, starts=2000, steps=40)


def test_bad_arguments():
    g = GDMap((x**2 - y**2) / 2, [x, y])
    with pytest.raises(InvalidArgumentError, match="delta"):
        convergent_set_dimension(g, [[-1, 1], [-1, 1]], eta=0.5, delta=-1)
    with pytest.raises(InvalidArgumentError, match="n"):
        convergent_set_dimension(g, [[-1, 1], [-1, 1]], eta=0.5, starts=5)
    with pytest.raises(InvalidArgumentError, match="step size of a GD map; this Map has none"):
        convergent_set_dimension(henon(), [[-1, 1], [-1, 1]], eta=0.5)


def test_to_dict_round_trips_the_fit():
    res = convergent_set_dimension(GDMap((x**2 - y**2) / 2, [x, y]), [[-1, 1], [-1, 1]],
                                   eta=0.5, starts=20_000, steps=60)
    d = res.to_dict()
    assert d["dimension"] == res.dimension and d["fit"] == list(res.fit)
    assert d["finest_share_upper95"] == res.finest[1]
