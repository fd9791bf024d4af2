"""plot_set_dimension draws the shares it is given."""

import numpy as np
import sympy as sp

from gdmaps import GDMap, convergent_set_dimension
from gdmaps.plotting import plot_set_dimension, save_figure

x, y = sp.symbols("x y")


def test_panels_follow_the_result(tmp_path):
    res = convergent_set_dimension(GDMap((x**2 - y**2) / 2, [x, y]), [[-1, 1], [-1, 1]],
                                   eta=0.5, starts=20_000, steps=60)
    fig = plot_set_dimension(res, title="saddle")
    ax1, ax2 = fig.axes
    i, j = res.fit
    np.testing.assert_allclose(ax1.lines[1].get_ydata(), res.converged[i:j] / res.starts)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), res.box_counts)
    assert save_figure(fig, tmp_path / "d.png").stat().st_size > 1000


def test_column_style_stacks_the_panels():
    from gdmaps.plotting import current_style, style

    res = convergent_set_dimension(GDMap((x**2 - y**2) / 2, [x, y]), [[-1, 1], [-1, 1]],
                                   eta=0.5, starts=5_000, steps=60)
    with style("column"):
        assert current_style() == "column"
        fig = plot_set_dimension(res)
    assert current_style() == "page"
    ax1, ax2 = fig.axes
    assert fig.get_size_inches()[0] == 3.3
    fig.canvas.draw()
    assert ax1.get_position().y0 > ax2.get_position().y1  # one above the other
