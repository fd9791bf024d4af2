"""plot_orbits: markers follow stability; saved files are byte-identical on reruns."""

import numpy as np

from gdmaps import iterate
from gdmaps.orbits.fixed_points import fixed_points
from gdmaps.maps import henon
from gdmaps.plotting import plot_orbits, save_figure


def _figure():
    run = iterate(henon(), np.zeros((2, 2)), 800, keep_trajectory=True)
    return plot_orbits(fixed_points(henon()), cloud=run)


def test_markers_and_legend():
    fig = _figure()
    ax = fig.axes[0]
    assert len(ax.collections) == 3  # the cloud, then the two saddles
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["period 1, saddle"]
    np.testing.assert_allclose(sorted(ax.collections[1].get_offsets()[:, 0].tolist()
                                      + ax.collections[2].get_offsets()[:, 0].tolist()),
                               [(-0.7 - np.sqrt(6.09)) / 2.8, (-0.7 + np.sqrt(6.09)) / 2.8])


def test_saving_is_deterministic(tmp_path):
    for ext in ("png", "svg", "pdf"):
        a = save_figure(_figure(), tmp_path / f"a.{ext}").read_bytes()
        b = save_figure(_figure(), tmp_path / f"b.{ext}").read_bytes()
        assert a == b, ext
