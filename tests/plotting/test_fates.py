"""plot_fate_map: above eta* the stable set of the saddle (a = -b) and exact minima stall, none converges."""

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

from gdmaps import GDMap
from gdmaps.basins.iterate import Fate
from gdmaps.plotting import plot_fate_map

a, b = sp.symbols("a b")


def test_above_eta_star_only_a_null_set_of_the_grid_converges():
    g = GDMap((a * b - 1) ** 2 / 2, [a, b], 1.1)
    fig = plot_fate_map(g, [[-1, 1], [-1, 1]], resolution=41, steps=400)
    fates = np.asarray(fig.axes[0].images[0].get_array())
    xs = np.linspace(-1, 1, 41)
    A, B = np.meshgrid(xs, xs)
    # by hand: on a = -b = u GD is u -> u (1 - eta (1 + u^2)), which shrinks to the saddle at
    # 0 while eta (1 + u^2) < 2, i.e. |u| < 0.9045 at eta = 1.1; the grid also holds two exact
    # minima, (1, 1) and (-1, -1), fixed points with lambda_max(H) = 2 > 2/eta. The saddle and
    # the minima are unstable: orbits exactly on the line, or at a minimum, stall there; grid
    # points a rounding error off the line pass the saddle and leave it. None converges.
    exact_line = A == -B
    minima = np.isclose(A * B, 1) & np.isclose(A, B)
    stalled = fates == Fate.UNSTABLE
    assert not (fates == Fate.CONVERGED).any()
    assert stalled[exact_line & (np.abs(A) < 0.9)].all() \
        and not stalled[(np.abs(A + B) > 1e-12) & ~minima].any()
    assert stalled[minima].all() and (exact_line & (np.abs(A) < 0.9)).sum() >= 9
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(t.startswith("stalled at an unstable point") for t in labels)
    plt.close(fig)
