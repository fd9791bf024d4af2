"""Basin figures: 2-D cell maps, and 2-D slices of a 3-D one checked against ``locate``."""

import numpy as np
import pytest
import sympy as sp
from matplotlib.collections import PathCollection, QuadMesh

from gdmaps import GDMap
from gdmaps.basins.cell_map import cell_map
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.plotting import plot_basins, save_figure

X, Y, Z = sp.symbols("x y z")
REGION3 = [[-2.0, 2.0], [-2.0, 2.0], [-1.0, 1.0]]


@pytest.fixture(scope="module")
def quad_well():
    return GDMap((X**2 - 1)**2 / 4 + (Y**2 - 1)**2 / 4 + Z**2 / 2, [X, Y, Z], 0.1)


@pytest.fixture(scope="module")
def res3(quad_well):
    return cell_map(quad_well, REGION3, (15, 15, 5), steps=10, refine=1, seed=0)


@pytest.fixture(scope="module")
def res2():
    g = GDMap((X**2 - 1)**2 / 4 + Y**2 / 2, [X, Y], 0.1)
    return cell_map(g, [[-2, 2], [-1, 1]], (11, 5), steps=10, refine=1)


def _mesh(fig):
    (mesh,) = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]
    return mesh


def _codes(res, points):
    """Colour code of the cell holding each point: 0 escape, 1 uncertain, 2 + i basin i."""
    lab = res.labels[res.locate(points)]
    return np.where(lab >= 0, lab + 2, np.where(lab == -1, 0, 1))


@pytest.mark.parametrize("dims, at", [((0, 1), [0.0, 0.0, 0.3]), ((0, 2), [0.0, 1.3, 0.0]),
                                      ((2, 1), [-0.7, 0.0, 0.0])])
def test_slice_colours_are_the_labels_at_each_point(res3, dims, at):
    fig = plot_basins(res3, dims=dims, at=at)
    grid = np.asarray(_mesh(fig).get_array()).reshape(30 if dims[1] < 2 else 10, -1)  # (rows, cols)
    R = np.array(REGION3)
    ny, nx = grid.shape
    xs = np.linspace(*R[dims[0]], 2 * nx + 1)[1::2]  # centres of the fine grid
    ys = np.linspace(*R[dims[1]], 2 * ny + 1)[1::2]
    P = np.tile(np.asarray(at, float), (nx * ny, 1))
    gx, gy = np.meshgrid(xs, ys)
    P[:, dims[0]], P[:, dims[1]] = gx.ravel(), gy.ravel()
    assert np.array_equal(grid.ravel(), _codes(res3, P))
    ax = fig.axes[0]
    names = "xyz"
    assert ax.get_xlabel() == f"${names[dims[0]]}$" and ax.get_ylabel() == f"${names[dims[1]]}$"
    fixed = ({0, 1, 2} - set(dims)).pop()
    assert ax.get_title() == f"slice ${names[fixed]}$ = {at[fixed]:g}"
    assert ax.get_xlim() == tuple(R[dims[0]]) and ax.get_ylim() == tuple(R[dims[1]])


def test_attractor_marks_on_and_off_the_slice(res3):
    n_att = sum(len(c) for c in res3.attractor_cells)
    assert len(res3.attractor_cells) == 4
    # z = 0.3: every attractor cell lies in z in [-0.2, 0.2): off the slice, projected rings
    ax = plot_basins(res3, at=[0, 0, 0.3]).axes[0]
    assert len(ax.patches) == 0
    (rings,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    centres = np.concatenate(res3.attractor_centres)[:, :2]
    assert len(rings.get_offsets()) == len(np.unique(centres, axis=0))
    assert np.allclose(np.sort(np.abs(rings.get_offsets()), axis=0), np.sort(np.abs(centres), axis=0))
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[-1] == "attractor cells off the slice" and "attractor cells" not in texts
    # z = 0 (the default, the centre of the region): all of them on the slice, black boxes
    ax = plot_basins(res3).axes[0]
    assert len(ax.patches) == n_att
    assert not [c for c in ax.collections if isinstance(c, PathCollection)]
    assert ax.get_title() == "slice $z$ = 0"
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "attractor cells"
    ax = plot_basins(res3, at=[0, 0, 0.3], mark_attractors=False, legend=False).axes[0]
    assert len(ax.collections) == 1 and ax.get_legend() is None


def test_two_dimensional_figure_is_unchanged(res2, tmp_path):
    fig = plot_basins(res2)
    ax = fig.axes[0]
    assert ax.get_title() == "" and len(ax.collections) == 1
    assert len(ax.patches) == sum(len(c) for c in res2.attractor_cells)
    grid = np.asarray(_mesh(fig).get_array()).reshape(10, 22)
    xs, ys = np.linspace(-2, 2, 45)[1::2], np.linspace(-1, 1, 21)[1::2]
    gx, gy = np.meshgrid(xs, ys)
    assert np.array_equal(grid.ravel(), _codes(res2, np.column_stack([gx.ravel(), gy.ravel()])))
    same = plot_basins(res2, dims=(0, 1))
    assert np.array_equal(np.asarray(_mesh(same).get_array()), np.asarray(_mesh(fig).get_array()))
    swapped = plot_basins(res2, dims=(1, 0))
    assert np.array_equal(np.asarray(_mesh(swapped).get_array()).reshape(22, 10), grid.T)
    assert swapped.axes[0].get_xlabel() == "$y$"
    assert save_figure(fig, tmp_path / "b.png").stat().st_size > 1000


def test_slice_figure_saves(res3, tmp_path):
    path = save_figure(plot_basins(res3, dims=(0, 2), at=[0, 1, 0]), tmp_path / "s.pdf")
    assert path.stat().st_size > 1000


@pytest.mark.parametrize("kw, err, words", [
    ({"dims": (1, 1)}, InvalidArgumentError, "dims must be two distinct axes in [0, 3), got (1, 1)"),
    ({"dims": (0, 5)}, InvalidArgumentError, "[0, 3)"),
    ({"dims": ("x", "y")}, InvalidTypeError, "dims[0] must be an integer"),
    ({"at": [0, 0]}, InvalidArgumentError, "at must be a point with 3 coordinates, got 2"),
    ({"at": [3, 0, 0]}, InvalidArgumentError, "at[0] = 3 outside [-2, 2]"),
])
def test_bad_slice_arguments(res3, kw, err, words):
    with pytest.raises(err) as exc:
        plot_basins(res3, **kw)
    assert words in str(exc.value)


def test_two_dimensional_rejects_at_and_one_dimensional_is_refused(res2):
    with pytest.raises(InvalidArgumentError, match="leave at as None"):
        plot_basins(res2, at=[0.0, 0.0])
    one_d = cell_map(GDMap(X**2, [X], 0.1), [-1, 1], 5, steps=5)
    with pytest.raises(InvalidArgumentError, match="dimension >= 2, got a 1-D one"):
        plot_basins(one_d)
