"""plot_fate_map: above eta* only the stable set of the saddle (a = -b) and exact minima converge."""

import numpy as np
import sympy as sp

from gdmaps import GDMap
from gdmaps.plotting import plot_fate_map

a, b = sp.symbols("a b")


def test_above_eta_star_only_a_null_set_of_the_grid_converges():
    g = GDMap((a * b - 1) ** 2 / 2, [a, b], 1.1)
    fig = plot_fate_map(g, [[-1, 1], [-1, 1]], resolution=41, steps=400)
    fates = fig.axes[0].images[0].get_array()
    xs = np.linspace(-1, 1, 41)
    A, B = np.meshgrid(xs, xs)
    conv = np.asarray(fates) == 1
    # by hand: on a = -b = u GD is u -> u (1 - eta (1 + u^2)), which shrinks to the saddle at
    # 0 while eta (1 + u^2) < 2, i.e. |u| < 0.9045 at eta = 1.1; the grid also holds two exact
    # minima, (1, 1) and (-1, -1), which are fixed points
    on_line = np.abs(A + B) < 1e-12
    minima = np.isclose(A * B, 1) & np.isclose(A, B)
    assert conv[on_line & (np.abs(A) < 0.9)].all() and not conv[on_line & (np.abs(A) > 0.91)].any()
    assert np.all(on_line[conv] | minima[conv])
