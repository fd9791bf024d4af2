"""Cell mapping: attractors, basin shares against Monte Carlo, escape, refinement, plotting."""

import json
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp

from gdmaps import Fate, GDMap, clopper_pearson, iterate
from gdmaps.basins.cell_map import ESCAPE, SINK, UNCERTAIN, CellMap, cell_map
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.maps.classic import henon
from gdmaps.plotting.basins import plot_basins

X, Y = sp.symbols("x y")
REGION = [[-2.0, 2.0], [-1.0, 1.0]]


@pytest.fixture(scope="module")
def double_well():
    return GDMap((X**2 - 1)**2 / 4 + Y**2 / 2, [X, Y], 0.1)


@pytest.fixture(scope="module")
def dw_result(double_well):
    return cell_map(double_well, REGION, (31, 15), steps=10, samples_per_cell=4, seed=1)


def _total(res):
    return math.fsum(res.basin_share.values()) + res.escape_share + res.uncertain_share


def test_double_well_two_attractors(dw_result):
    res = dw_result
    assert isinstance(res, CellMap)
    assert len(res.attractor_cells) == 2
    for i, target in enumerate([(-1.0, 0.0), (1.0, 0.0)]):
        boxes = res.attractors[i]
        inside = ((boxes[:, :, 0] <= target) & (target <= boxes[:, :, 1])).all(axis=1)
        assert inside.any(), f"attractor {i} does not contain {target}"
        assert res.labels[res.attractor_cells[i]].tolist() == [i] * len(res.attractor_cells[i])
    assert res.escape_share == 0.0


def test_shares_sum_to_one_exactly(dw_result, double_well):
    for res in (dw_result, cell_map(double_well, REGION, (13, 7), steps=10, refine=2),
                cell_map(henon(1.0, 0.3), [[-2, 2], [-2, 2]], 24, refine=1)):
        assert sum(res.exact_shares.values()) == 1
        assert _total(res) == pytest.approx(1.0, abs=1e-12)
        # float shares come from the exact ones
        assert res.escape_share == float(res.exact_shares["escape"])


def test_basin_shares_match_monte_carlo(dw_result, double_well):
    res = dw_result
    n = 20_000
    rng = np.random.default_rng(12345)
    lo, hi = np.array(REGION).T
    x0 = lo + (hi - lo) * rng.random((n, 2))
    run = iterate(double_well, x0, 400, tol=1e-10)
    assert run.counts["converged"] == n
    assert np.allclose(np.abs(run.final[:, 0]), 1.0, atol=1e-6)
    u = res.boundary_share
    assert u < 0.1 and res.uncertain_share == 0
    for i, k in enumerate([int((run.final[:, 0] < 0).sum()), int((run.final[:, 0] > 0).sum())]):
        lo_ci, hi_ci = clopper_pearson(k, n)
        share = res.basin_share[i]
        low, high = res.basin_bounds[i]
        # bounding: cells labelled i <= true fraction <= those + boundary cells
        assert high - low == pytest.approx(u)
        assert low <= hi_ci and lo_ci <= high and low <= share <= high
        # the estimate splits the boundary cells by the fates of their samples: 15 cells of
        # 5 samples each, standard error about u / sqrt(4 * 75) = 0.002
        assert lo_ci - 0.01 <= share <= hi_ci + 0.01
    # symmetry x -> -x
    assert res.basin_share[0] == pytest.approx(res.basin_share[1], abs=0.02)


def test_refinement_reduces_uncertain_share(double_well):
    coarse = cell_map(double_well, REGION, (11, 5), steps=10)
    fine = cell_map(double_well, REGION, (11, 5), steps=10, refine=2)
    # refinement shrinks the boundary cells (the uncertain share, which counts only the
    # points of boundary cells whose orbits reach no basin, is 0 either way)
    assert coarse.boundary_share > 0
    assert fine.boundary_share < coarse.boundary_share
    assert coarse.uncertain_share == fine.uncertain_share == 0
    assert fine.n_cells > coarse.n_cells
    assert fine.levels.max() >= 1
    # the refined cells still partition the region
    vol = np.prod(fine.boxes[:, :, 1] - fine.boxes[:, :, 0], axis=1).sum()
    assert vol == pytest.approx(8.0)


def test_refinement_on_map_with_escape():
    m = henon(1.0, 0.3)
    coarse = cell_map(m, [[-2, 2], [-2, 2]], 24)
    fine = cell_map(m, [[-2, 2], [-2, 2]], 24, refine=1)
    assert fine.boundary_share < coarse.boundary_share
    assert fine.escape_share == pytest.approx(coarse.escape_share, abs=0.01)


def test_henon_escape_and_attractor():
    m = henon(1.0, 0.3)
    res = cell_map(m, [[-2, 2], [-2, 2]], 32, samples_per_cell=4)
    assert res.escape_share > 0.05
    assert len(res.attractor_cells) == 1
    assert res.basin_share[0] > 0.3
    run = iterate(m, np.array([[0.1, 0.1]]), 3000, tol=1e-300, keep_trajectory=True)
    tail = run.trajectory[500:, 0]
    assert np.isfinite(tail).all()
    cells = res.locate(tail)
    assert (cells >= 0).all()
    assert np.isin(cells, res.attractor_cells[0]).all()
    # a point whose orbit leaves the box for good: its cell is an escape cell
    out = (1.95, -1.95)
    orbit = iterate(m, np.array([out]), 6, tol=1e-300, keep_trajectory=True).trajectory[1:, 0]
    assert (np.abs(orbit).max(axis=1) > 2).all() and np.abs(orbit[-1]).max() > 1e6
    assert res.labels[res.locate([out])[0]] == ESCAPE
    assert res.graph.has_node(SINK)
    # Monte Carlo: the share of points whose orbits diverge
    x0 = np.random.default_rng(5).uniform(-2, 2, (20_000, 2))
    lo, hi = clopper_pearson(int((iterate(m, x0, 500).fate == Fate.DIVERGED).sum()), len(x0))
    assert lo - 0.02 <= res.escape_share <= hi + 0.02


def test_transient_excursions_are_not_escape():
    # Henon at a = 0.2: the image of the corner (1.95, 1.95) leaves [-2, 2]^2 for one step
    # and comes back; no orbit of the box diverges (Monte Carlo), so nothing escapes
    m = henon(0.2, 0.3)
    corner = np.array([[1.95, 1.95]])
    assert np.abs(m(corner)).max() > 2 and np.abs(m(m(corner))).max() < 2
    x0 = np.random.default_rng(6).uniform(-2, 2, (20_000, 2))
    assert not (iterate(m, x0, 500).fate == Fate.DIVERGED).any()
    res = cell_map(m, [[-2, 2], [-2, 2]], 32)
    assert res.escape_share == 0 and res.basin_share[0] == 1
    assert res.labels[res.locate(corner)[0]] == 0
    assert res.excursion == 40
    # the old rule (an image outside the box is escape) calls a large share escape
    assert cell_map(m, [[-2, 2], [-2, 2]], 32, excursion=0).escape_share > 0.05


def test_excursion_of_several_steps_comes_back():
    # a hand-built map: points with x > 1 jump to x + 10 (far outside [-2, 2]) and return
    # to x / 4 one step later; points with x <= 1 contract to 0. Every orbit stays bounded.
    from gdmaps import Map

    (x,) = sp.symbols("x", seq=True)
    f = Map([sp.Piecewise((x + 10, (x > 1) & (x < 3)), (x / 4 - 2, x >= 3), (x / 2, True))], [x])
    res = cell_map(f, [[-2, 2]], 40)
    assert len(res.attractor_cells) == 1 and res.escape_share == 0 and res.basin_share[0] == 1
    old = cell_map(f, [[-2, 2]], 40, excursion=0)
    assert old.escape_share == pytest.approx(0.25, abs=0.03)
    # an excursion longer than the bound is escape: x -> 2 x outside the box, never back
    g = Map([sp.Piecewise((2 * x, sp.Abs(x) > 1), (x / 2, True))], [x])
    res = cell_map(g, [[-2, 2]], 40, excursion=3)
    assert res.escape_share == pytest.approx(0.5, abs=0.03)


def test_graph_structure(dw_result):
    G = dw_result.graph
    assert G.number_of_nodes() == dw_result.n_cells + 1
    assert G.out_degree(SINK) == 0
    assert all(G.out_degree(c) >= 1 for c in range(dw_result.n_cells))
    assert set(np.unique(dw_result.labels)) <= {UNCERTAIN, ESCAPE, 0, 1}


def test_seeded_and_repr(double_well):
    a = cell_map(double_well, REGION, (11, 5), steps=10, seed=3)
    b = cell_map(double_well, REGION, (11, 5), steps=10, seed=3)
    assert a.basin_share == b.basin_share and np.array_equal(a.labels, b.labels)
    assert repr(a).startswith("<CellMap 2-D, 55 cells: 2 attractors") and "\n" not in repr(a)
    d = json.loads(json.dumps(a.to_dict()))
    assert d["n_attractors"] == 2 and d["cells"] == [11, 5]
    assert d["cell_size"] == pytest.approx([4 / 11, 2 / 5])


def test_non_finite_images_go_to_sink():
    m = GDMap(X**4 + Y**2, [X, Y], 1.0)  # diverges fast away from the origin
    res = cell_map(m, [[-3, 3], [-3, 3]], 7, steps=30)
    assert res.escape_share > 0
    assert res.labels[res.locate([[2.9, 0.0]])[0]] == ESCAPE


def test_one_dimensional_map():
    from gdmaps import Map
    (x,) = sp.symbols("x", seq=True)
    res = cell_map(Map([x / 2], [x]), [-1, 1], 9)
    assert len(res.attractor_cells) == 1 and res.basin_share[0] == 1.0


def test_bad_arguments(double_well):
    with pytest.raises(InvalidArgumentError):
        cell_map(double_well, REGION, (3, 3, 3))
    with pytest.raises(InvalidArgumentError):
        cell_map(double_well, [[1, -1], [0, 1]], 4)
    with pytest.raises(InvalidArgumentError):
        cell_map(double_well, REGION, 0)
    with pytest.raises(InvalidTypeError):
        cell_map(double_well, REGION, 4.5)
    with pytest.raises(InvalidTypeError):
        cell_map("not a map", REGION, 4)


def test_plot_basins(dw_result, double_well, tmp_path):
    fig = plot_basins(dw_result)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0].startswith("basin 0") and any(t.startswith("escape") for t in texts)
    assert len(ax.collections) == 1
    plt.close(fig)
    fine = cell_map(double_well, REGION, (11, 5), steps=10, refine=1)
    fig, ax = plt.subplots()
    assert plot_basins(fine, ax=ax, legend=False) is fig
    from gdmaps.plotting.figures import save_figure
    assert save_figure(fig, tmp_path / "b.png").exists()
    plt.close(fig)
    one_d = cell_map(GDMap(X**2, [X], 0.1), [-1, 1], 5, steps=5)
    with pytest.raises(InvalidArgumentError):
        plot_basins(one_d)


# --- slices of a 3-D cell map ------------------------------------------------------------------

Z = sp.Symbol("z")
REGION3 = [[-2.0, 2.0], [-2.0, 2.0], [-1.0, 1.0]]


@pytest.fixture(scope="module")
def quad_well():
    """Separable: L = (x^2-1)^2/4 + (y^2-1)^2/4 + z^2/2; minima (+-1, +-1, 0), saddles on x=0 or y=0."""
    return GDMap((X**2 - 1)**2 / 4 + (Y**2 - 1)**2 / 4 + Z**2 / 2, [X, Y, Z], 0.1)


@pytest.fixture(scope="module")
def qw_result(quad_well):
    return cell_map(quad_well, REGION3, (15, 15, 5), steps=10, seed=0)


def test_slice_selects_the_z_layer(qw_result):
    res = qw_result
    cut = res.slice([0.0, 0.0, 0.3])
    assert len(cut) == 15 * 15 and np.array_equal(cut, np.sort(cut))
    # independent truth: the z-interval of the box holds 0.3 (0.3 is no cell edge)
    truth = np.flatnonzero((res.boxes[:, 2, 0] <= 0.3) & (0.3 < res.boxes[:, 2, 1]))
    assert np.array_equal(cut, truth)
    assert np.allclose(res.boxes[cut, 2], [0.2, 0.6])
    # default: the centre of the region, z = 0; other axes
    assert np.allclose(res.boxes[res.slice(), 2], [-0.2, 0.2])
    xz = res.slice([0.5, 1.9, 0.0], dims=(0, 2))
    assert len(xz) == 15 * 5 and np.allclose(res.boxes[xz, 1], [2 - 4 / 15, 2])
    assert np.array_equal(res.slice([0.5, 0.0, 0.3], dims=(1, 0)), res.slice([0.0, 0.0, 0.3]))


@pytest.mark.parametrize("k", range(6))
def test_slice_on_cell_edges_is_half_open(qw_result, k):
    res = qw_result
    lows = np.unique(res.boxes[:, 2, 0])
    z = lows[k] if k < 5 else 1.0  # every lower edge, and the region's top edge
    cut = res.slice([0.0, 0.0, z])
    assert len(cut) == 225
    assert np.all(res.boxes[cut, 2, 0] == lows[min(k, 4)])  # [low, high): the cell above the edge


def test_slice_agrees_with_locate_and_tiles_after_refinement(quad_well):
    res = cell_map(quad_well, REGION3, (7, 7, 3), steps=10, refine=1, seed=2)
    assert res.levels.max() == 1
    rng = np.random.default_rng(7)
    for z in (-1.0, -0.35, 0.0, 0.3, 1.0):
        cut = res.slice([0.0, 0.0, z])
        # the projected boxes tile [-2, 2]^2: total area 16 and random points hit exactly one
        b = res.boxes[cut]
        assert np.prod(b[:, :2, 1] - b[:, :2, 0], axis=1).sum() == pytest.approx(16.0)
        P = rng.uniform(-2, 2, (500, 2))
        inside = ((b[None, :, :2, 0] <= P[:, None]) & (P[:, None] < b[None, :, :2, 1])).all(axis=2)
        assert (inside.sum(axis=1) == 1).all()
        # locate of points of the slice lands on its cells
        found = res.locate(np.column_stack([P, np.full(len(P), z)]))
        assert np.isin(found, cut).all()


def test_slice_labels_match_simulated_centres(quad_well, qw_result):
    res = qw_result
    assert len(res.attractor_cells) == 4
    signs = np.array([np.sign(c.mean(axis=0)) for c in res.attractor_centres])
    assert np.array_equal(signs[:, :2], [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    assert np.all(np.abs(np.array([c.mean(axis=0) for c in res.attractor_centres])[:, :2]) > 0.9)
    cut = res.slice([0.0, 0.0, 0.3])
    centres = res.centres[cut]
    run = iterate(quad_well, centres, 2000, tol=1e-12)
    # cells that straddle the saddle lines x = 0 or y = 0 have no single truth: leave them out
    half = res.cell_size[:2] / 2
    clear = (np.abs(centres[:, :2]) > half).all(axis=1)
    assert run.counts["converged"] == len(cut)
    truth = np.sign(run.final[clear, :2])
    assert np.allclose(np.abs(run.final[clear]), [1, 1, 0], atol=1e-6)
    labels = res.labels[cut][clear]
    decided = labels >= 0
    assert decided.sum() >= 150  # of 196: the test compares many cells
    assert np.array_equal(signs[labels[decided], :2], truth[decided])
    assert set(labels[~decided]) <= {UNCERTAIN}


def test_slice_of_two_dimensional_map_is_everything(dw_result):
    assert np.array_equal(dw_result.slice(), np.arange(dw_result.n_cells))
    assert np.array_equal(dw_result.slice(dims=(1, 0)), np.arange(dw_result.n_cells))


@pytest.mark.parametrize("kw, err, words", [
    ({"dims": (0, 0)}, InvalidArgumentError, "dims must be two distinct axes in [0, 3), got (0, 0)"),
    ({"dims": (0, 3)}, InvalidArgumentError, "got (0, 3)"),
    ({"dims": (0,)}, InvalidArgumentError, "two distinct axes"),
    ({"dims": (0, 1.5)}, InvalidTypeError, "dims[1] must be an integer"),
    ({"dims": (-1, 0)}, InvalidArgumentError, "dims[0] must be an integer >= 0, got -1"),
    ({"dims": 3}, InvalidTypeError, "dims must be a pair of axes, got 3"),
    ({"at": [0, 0]}, InvalidArgumentError, "at must be a point with 3 coordinates, got 2"),
    ({"at": [0, 0, 1.5]}, InvalidArgumentError, "at[2] = 1.5 outside [-1, 1]"),
    ({"at": [0, -2.5, 0]}, InvalidArgumentError, "at[1] = -2.5 outside [-2, 2]"),
    ({"at": [0, 0, np.nan]}, InvalidArgumentError, "finite"),
])
def test_slice_bad_arguments(qw_result, kw, err, words):
    with pytest.raises(err) as exc:
        qw_result.slice(**kw)
    assert words in str(exc.value)


def test_slice_two_dimensional_rejects_at(dw_result):
    with pytest.raises(InvalidArgumentError, match="leave at as None"):
        dw_result.slice([0.0, 0.0])


@pytest.mark.parametrize("nz", [6, 11, 12])  # (low - R0) / h rounds below k on some edges here
def test_slice_and_locate_follow_the_boxes_on_rounded_edges(quad_well, nz):
    res = cell_map(quad_well, REGION3, (3, 3, nz), steps=2, samples_per_cell=0)
    lows = np.unique(res.boxes[:, 2, 0])
    assert len(lows) == nz
    for k, z in enumerate(lows):
        cut = res.slice([0.0, 0.0, z])
        assert len(cut) == 9 and np.all(res.boxes[cut, 2, 0] == z), f"edge {k}: z = {z!r}"
        assert res.boxes[res.locate([[0.1, 0.1, z]])[0], 2, 0] == z
        if k:  # the float just below an edge belongs to the cell below
            below = np.nextafter(z, -np.inf)
            assert np.all(res.boxes[res.slice([0.0, 0.0, below]), 2, 0] == lows[k - 1])
            assert res.boxes[res.locate([[0.1, 0.1, below]])[0], 2, 0] == lows[k - 1]


def test_refining_leaky_cells_finds_the_henon_attractor():
    # at a = 1.4 the attractor passes close to its basin boundary: coarse cells hold
    # escaping points too, so no terminal component exists until its cells are refined
    m = henon(1.4, 0.3)
    assert cell_map(m, [[-2, 2], [-2, 2]], 40).attractor_cells == ()
    res = cell_map(m, [[-2, 2], [-2, 2]], 40, refine=4)
    assert len(res.attractor_cells) == 1
    orbit = iterate(m, np.array([[0.1, 0.1]]), 3000, keep_trajectory=True).trajectory[1000:, 0]
    assert np.isin(res.locate(orbit), res.attractor_cells[0]).mean() > 0.95
    # the share of [-2, 2]^2 that stays bounded (Monte Carlo) lies between the basin's
    # share and the basin's plus the uncertain share
    x0 = np.random.default_rng(3).uniform(-2, 2, (20_000, 2))
    k = int((iterate(m, x0, 2000).fate != Fate.DIVERGED).sum())
    lo, hi = clopper_pearson(k, len(x0))
    assert res.basin_share[0] <= hi and lo <= res.basin_share[0] + res.uncertain_share


@pytest.mark.parametrize("r", [4.1, 4.5])
def test_refinement_never_makes_a_repeller_an_attractor(r):
    # past r = 4 almost every point of the logistic map leaves [0, 1]: the invariant
    # Cantor set repels, and stays leaky at every level of refinement
    from gdmaps.maps import logistic

    res = cell_map(logistic(r), [[-0.25, 1.25]], 60, refine=6)
    assert res.attractor_cells == ()
    # a grid point close to the Cantor set can stay longer than `follow` transitions: it
    # counts as uncertain, not escape (one point of 16 in a cell of width 1/64 at r = 4.1)
    assert res.escape_share > 1 - 1e-4 and res.escape_share + res.uncertain_share == 1
    assert cell_map(logistic(r), [[-0.25, 1.25]], 60, refine=6, follow=400).escape_share == 1


NEWTON = ("x: 2*x/3 + (x**2 - y**2)/(3*(x**2 + y**2)**2);"
          " y: 2*y/3 - 2*x*y/(3*(x**2 + y**2)**2)")


def _newton_truth(n, iters=60):
    """Basin shares of Newton's method for z^3 = 1 on the n x n cell centres of [-2, 2]^2, by
    plain numpy complex arithmetic (independent of gdmaps), ordered like the cell map's
    attractors (by first coordinate: e^(-2 pi i/3), e^(2 pi i/3), 1)."""
    t = -2 + 4 * (np.arange(n) + 0.5) / n
    z = t[None, :] + 1j * t[:, None]
    with np.errstate(all="ignore"):
        for _ in range(iters):
            z = z - (z**3 - 1) / (3 * z**2)
    roots = np.exp(2j * np.pi * np.array([-1, 1, 0]) / 3)
    d = np.abs(z[..., None] - roots)
    assert (d.min(axis=-1) < 1e-6).all()  # every centre converged
    return [float((d.argmin(axis=-1) == i).mean()) for i in range(3)]


@pytest.fixture(scope="module")
def newton():
    from gdmaps.maps import from_text

    return from_text(NEWTON)


def test_newton_basin_shares_match_an_independent_grid(newton):
    # the 600^2 grid gives 0.32354, 0.32354, 0.35292; a 2000^2 grid 0.32358, 0.32358, 0.35283
    # (the truth), so the grid here is within 1e-4 of it
    truth = _newton_truth(600)
    assert truth == pytest.approx([0.3236, 0.3236, 0.3528], abs=2e-4)
    res = cell_map(newton, [[-2, 2], [-2, 2]], 41)  # every knob at its default, 41 = the CLI's
    assert len(res.attractor_cells) == 3
    for i, root in enumerate(np.exp(2j * np.pi * np.array([-1, 1, 0]) / 3)):
        assert np.abs(res.attractor_centres[i].mean(axis=0) - [root.real, root.imag]).max() < 0.05
        assert res.basin_share[i] == pytest.approx(truth[i], abs=0.02)
        low, high = res.basin_bounds[i]
        assert low <= truth[i] <= high
    # only the pole at 0 (the centre point of the middle cell is exactly 0) may escape
    assert res.escape_share < 1e-3 and res.uncertain_share < 1e-3
    assert res.boundary_share > 0.1  # the fractal boundary: a fifth of the cells are split
    # the old rule, an image outside the box is escape: orbits that pass near the pole
    # leave the box for a few steps and come back, and were called escaping
    assert cell_map(newton, [[-2, 2], [-2, 2]], 41, excursion=0).escape_share > 0.01
    low_old = [res.basin_bounds[i][0] for i in range(3)]
    assert max(t - v for t, v in zip(truth, low_old)) > 0.05  # counting labelled cells only


def test_newton_symmetric_region_gives_symmetric_split(newton):
    # y -> -y maps the box, the map and each boundary cell's grid onto themselves, so the
    # grid points of a cell on the real axis split evenly between the two complex roots
    res = cell_map(newton, [[-2, 2], [-2, 2]], 21, samples_per_cell=0)
    assert res.basin_share[0] == pytest.approx(res.basin_share[1], abs=1e-12)


@pytest.mark.parametrize("kw", [{"excursion": -1}, {"follow": -1}, {"boundary_samples": 0},
                                {"refine": -1}])
def test_bad_new_knobs(double_well, kw):
    with pytest.raises(InvalidArgumentError, match=next(iter(kw))):
        cell_map(double_well, REGION, 5, **kw)
