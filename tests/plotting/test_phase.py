"""plot_phase_transition draws the sweep it is given."""

import numpy as np
import sympy as sp

from gdmaps import GDMap
from gdmaps.plotting import plot_phase_transition, save_figure
from gdmaps.basins.sweep import sweep

a, b = sp.symbols("a b")


def test_panels_follow_the_rows(tmp_path):
    s = sweep(GDMap((a * b - 1) ** 2 / 2, [a, b]), [0.6, 0.9, 1.2], starts=300, steps=300,
              progress=False, eta_star=1.0)
    fig = plot_phase_transition(s)
    ax1, ax2 = fig.axes
    np.testing.assert_allclose(ax1.lines[0].get_ydata(), s.fractions)
    assert ax1.lines[-1].get_xdata()[0] == 1.0  # eta* marked
    assert save_figure(fig, tmp_path / "p.png").stat().st_size > 1000
