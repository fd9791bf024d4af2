"""plot_orbit_diagram: panels, dots, the exponent panel and a continuation overlay."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdmaps import InvalidArgumentError
from gdmaps.bifurcations.lyapunov import lyapunov_spectrum
from gdmaps.maps import henon, logistic
from gdmaps.bifurcations.orbit_diagram import orbit_diagram
from gdmaps.plotting import plot_orbit_diagram
from gdmaps.plotting.bifurcation import MIN_GAP, STABLE, UNSTABLE, math_title
from gdmaps.plotting.figures import save_figure

VALS = np.linspace(2.8, 4.0, 60)


@pytest.fixture(scope="module")
def diagram():
    return orbit_diagram(logistic(3.0), "r", VALS, starts=10, keep=2, transient=300, region=[0, 1])


def fake_continuation():
    """Closed form: the logistic fixed point x* = 1 - 1/r, f'(x*) = 2 - r: stable for 1 < r < 3,
    period doubling at r = 3 (f' = -1), unstable after; and the period-2 orbit
    (r + 1 +- sqrt((r - 3)(r + 1))) / (2 r), stable for 3 < r < 1 + sqrt(6)."""
    r = np.linspace(2.8, 4.0, 41)
    fixed = SimpleNamespace(values=r, orbits=(1 - 1 / r)[:, None, None], stable=r < 3, period=1,
                            bifurcations=[SimpleNamespace(kind="period-doubling", value=3.0,
                                                          orbit=np.array([[2 / 3]]))])
    r2 = np.linspace(3.0, 3.6, 25)
    s = np.sqrt((r2 - 3) * (r2 + 1))
    two = np.stack([(r2 + 1 - s) / (2 * r2), (r2 + 1 + s) / (2 * r2)], axis=1)[:, :, None]
    r_pd = 1 + np.sqrt(6)
    s_pd = np.sqrt((r_pd - 3) * (r_pd + 1))
    orbit_pd = np.array([[(r_pd + 1 - s_pd) / (2 * r_pd)], [(r_pd + 1 + s_pd) / (2 * r_pd)]])
    period2 = SimpleNamespace(values=r2, orbits=two, stable=r2 < r_pd, period=2,
                              bifurcations=[SimpleNamespace(kind="period-doubling", value=r_pd,
                                                            orbit=orbit_pd)])
    return SimpleNamespace(branches=[fixed, period2])


def test_diagram_alone_draws_every_finite_point_rasterized(diagram):
    fig = plot_orbit_diagram(diagram, title="logistic")
    (ax,) = fig.axes
    (dots,) = ax.lines
    assert dots.get_rasterized() and len(dots.get_xdata()) == 60 * 20
    assert ax.get_xlim() == (2.8, 4.0) and ax.get_xlabel() == "$r$" and ax.get_title() == "logistic"


def test_lyapunov_panel_shares_the_parameter_axis(diagram):
    lam = lyapunov_spectrum(logistic(3.0), [0.3], 400, transient=100, parameter="r", values=VALS)
    fig = plot_orbit_diagram(diagram, lyapunov=lam)
    top, bottom = fig.axes
    assert top.get_shared_x_axes().joined(top, bottom)
    curve = bottom.lines[-1]
    np.testing.assert_array_equal(curve.get_xdata(), VALS)
    assert any(np.all(np.asarray(l.get_ydata()) == 0) for l in bottom.lines)  # the zero line
    assert "exponent" in bottom.get_ylabel()


def test_continuation_overlay_solid_where_stable_muted_dashed_after(diagram, tmp_path):
    fig = plot_orbit_diagram(diagram, continuation=fake_continuation())
    ax = fig.axes[0]
    solid = [l for l in ax.lines if l.get_color() == STABLE["color"] and l.get_linestyle() == "-"]
    dashed = [l for l in ax.lines if l.get_color() == UNSTABLE["color"]]
    # one style for every stable piece, one muted style for every unstable one: fixed point
    # (1 line each) and both points of the period-2 orbit (2 lines each)
    assert len(solid) == 3 and len(dashed) == 3
    assert {l.get_linestyle() for l in dashed} == {"--"} and {l.get_linewidth() for l in dashed} == {0.6}
    xs, ys = solid[0].get_xdata(), np.asarray(solid[0].get_ydata())
    drawn = np.isfinite(ys)
    assert xs[drawn].max() < 3.0  # stable only before r = 3
    np.testing.assert_allclose(ys[drawn], 1 - 1 / xs[drawn])
    xd = dashed[0].get_xdata()[np.isfinite(np.asarray(dashed[0].get_ydata()))]
    assert xd.max() == 4.0 and xd.min() < 3.0  # dashed from the last stable point on
    pd = [l for l in ax.lines if l.get_marker() == "D"]
    assert [float(l.get_xdata()[0]) for l in pd] == [3.0, 1 + np.sqrt(6)]
    np.testing.assert_allclose(pd[0].get_ydata(), [2 / 3])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["stable orbit", "unstable orbit", "period doubling"]
    assert save_figure(fig, tmp_path / "od.pdf").stat().st_size < 200_000


def cascade():
    """Period doublings of the logistic map (r_1 .. r_7, gaps shrinking by Feigenbaum's 4.669),
    each branch one point on a flat line: only the marker thinning matters here."""
    r = [3.0, 3.449490, 3.544090, 3.564407, 3.568759, 3.569692, 3.569891]
    branches = []
    for k, value in enumerate(r):
        n = 2**k
        v = np.linspace(value - 0.01, value + 0.01, 3)
        branches.append(SimpleNamespace(
            values=v, orbits=np.full((3, n, 1), 0.5), stable=[True, True, False], period=n,
            bifurcations=[SimpleNamespace(kind="period-doubling", value=value,
                                          orbit=np.linspace(0.3, 0.9, n)[:, None])]))
    return SimpleNamespace(branches=branches), r


def test_period_doubling_markers_thinned_near_the_accumulation_point(diagram):
    cont, r = cascade()
    fig = plot_orbit_diagram(diagram, continuation=cont)
    ax = fig.axes[0]
    drawn = sorted({float(l.get_xdata()[0]) for l in ax.lines if l.get_marker() == "D"})
    # gaps 0.449, 0.095, 0.020 (< 2% of the 1.2 wide axis: dropped), then smaller
    assert drawn == r[:3]
    gaps = np.diff(drawn)
    assert gaps.min() >= MIN_GAP * 1.2
    (mark,) = [l for l in ax.lines if l.get_marker() == "v"]
    assert float(mark.get_xdata()[0]) == r[-1]  # one mark where the cascade ends
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == r"4 more period doublings, to $r \approx 3.5699$"


def test_title_as_mathematics(diagram):
    import sympy as sp

    from gdmaps import GDMap

    fig = plot_orbit_diagram(diagram, title=logistic(3.0))
    title = fig.axes[0].get_title()
    assert title == r"$x \mapsto r x \left(1 - x\right)$, varying $r$"
    assert "**" not in title and "->" not in title
    a, b = sp.symbols("a b")
    assert math_title(GDMap((a * b - 1) ** 2 / 2, [a, b]), "eta") == (
        r"gradient descent on $L(a, b) = \left(a b - 1\right)^{2} / 2$, varying $\eta$")
    fig.canvas.draw()  # mathtext parses
    # a formula too long for a title is left out; so are more than six variables
    long = GDMap(sum((a * b - k) ** 2 for k in range(1, 12)) / 2, [a, b])
    assert math_title(long, "eta") == r"gradient descent on $L(a, b)$, varying $\eta$"
    w = sp.symbols("w1:9")
    assert math_title(GDMap((sp.Mul(*w) - 1) ** 2 / 2, list(w))) == (
        r"gradient descent on $L(\theta)$, $\theta \in \mathbb{R}^{8}$")
    with pytest.raises(InvalidArgumentError, match="target must be a Map or a GDMap, got str"):
        math_title("x -> r*x*(1 - x)", "r")


def test_coord_and_axes(diagram):
    h = orbit_diagram(henon(), "a", np.linspace(1.0, 1.4, 20), starts=5, transient=200)
    fig = plot_orbit_diagram(h, coord=1)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(),
                               h.points[:, :, 1].ravel()[np.isfinite(h.points[:, :, 1].ravel())])
    assert fig.axes[0].get_ylabel() == "$y$" and fig.axes[0].get_xlabel() == "$a$"  # Henon state (x, y)
    fig2, ax = plt.subplots()
    assert plot_orbit_diagram(diagram, ax=ax) is fig2


def test_errors_name_the_argument(diagram):
    with pytest.raises(InvalidArgumentError, match="coord must be < 1.*got 1"):
        plot_orbit_diagram(diagram, coord=1)
    no_values = lyapunov_spectrum(logistic(3.5), [0.3], 20, transient=0)
    with pytest.raises(InvalidArgumentError, match="lyapunov must be computed over parameter values"):
        plot_orbit_diagram(diagram, lyapunov=no_values)
    bad = SimpleNamespace(branches=[SimpleNamespace(
        values=[3.0], orbits=np.zeros((1, 1, 1)), stable=[True], period=1,
        bifurcations=[SimpleNamespace(kind="hopf", value=3.0, orbit=[[0.5]])])])
    with pytest.raises(InvalidArgumentError, match="bifurcation kind must be one of.*'hopf'"):
        plot_orbit_diagram(diagram, continuation=bad)
