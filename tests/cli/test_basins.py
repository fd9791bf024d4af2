"""``gdmaps basins`` on a 3-D map: --dims and --at choose the slice that --out draws."""

import json

import matplotlib.pyplot as plt
import pytest
import sympy as sp

from gdmaps import GDMap
from gdmaps.basins.cell_map import cell_map
from gdmaps.cli.main import main
from gdmaps.plotting import plot_basins, save_figure

LOSS = "(x**2 - 1)**2/4 + (y**2 - 1)**2/4 + z**2/2"
BASE = ["basins", "--loss", LOSS, "--eta", "0.1", "--region=-2,2,-2,2,-1,1", "--cells", "9,9,5",
        "--steps", "10"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def direct():
    """The same cell map, computed with the library."""
    x, y, z = sp.symbols("x y z")
    g = GDMap((x**2 - 1)**2 / 4 + (y**2 - 1)**2 / 4 + z**2 / 2, [x, y, z], 0.1)
    return cell_map(g, [[-2, 2], [-2, 2], [-1, 1]], (9, 9, 5), steps=10)


@pytest.mark.parametrize("options, dims, at", [
    (["--dims", "0,1", "--at", "0,0,0.3"], (0, 1), [0, 0, 0.3]),
    (["--dims", "x,z", "--at=0,-1.2,0"], (0, 2), [0, -1.2, 0]),
    (["--at=0.5,0.5,-0.5"], (0, 1), [0.5, 0.5, -0.5]),
    (["--dims", "2,1"], (2, 1), None),
])
def test_out_draws_the_chosen_slice(tmp_path, capsys, direct, options, dims, at):
    code, out, err = run(capsys, *BASE, *options, "--out", str(tmp_path / "cli.png"), "--json")
    assert code == 0 and err == "" and json.loads(out)["n_attractors"] == 4
    expected = save_figure(plot_basins(direct, dims=dims, at=at), tmp_path / "lib.png")
    assert (tmp_path / "cli.png").read_bytes() == expected.read_bytes()


def test_default_slice_is_the_centre_and_differs_from_another(tmp_path, capsys):
    assert run(capsys, *BASE, "--out", str(tmp_path / "a.png"))[0] == 0
    assert run(capsys, *BASE, "--at", "0,0,0", "--out", str(tmp_path / "b.png"))[0] == 0
    assert run(capsys, *BASE, "--at", "0,0,0.5", "--out", str(tmp_path / "c.png"))[0] == 0
    a, b, c = ((tmp_path / f"{n}.png").read_bytes() for n in "abc")
    assert a == b and a != c


@pytest.mark.parametrize("options, message", [
    (["--dims", "0,0"], "--dims must be two distinct axes in [0, 3), got (0, 0)"),
    (["--dims", "0,3"], "--dims must be two distinct axes in [0, 3), got (0, 3)"),
    (["--dims", "0,1,2"], "--dims must be two distinct axes in [0, 3), got (0, 1, 2)"),
    (["--dims", "x,w"], "--dims must be two axes (indices 0..2 or names x,y,z), got 'x,w'"),
    (["--at", "0,0"], "--at must be a point with 3 coordinates, got 2"),
    (["--at", "0,0,1.5"], "--at must lie in the region, got at[2] = 1.5 outside [-1, 1]"),
    (["--at", "0,zero,0"], "--at must be 3 numbers, one per coordinate, got '0,zero,0'"),
])
def test_bad_slice_options_exit_2_in_one_line(tmp_path, capsys, options, message):
    code, out, err = run(capsys, *BASE, *options, "--out", str(tmp_path / "x.png"))
    assert code == 2 and out == ""
    assert err == f"gdmaps basins: error: {message}\n"
    assert not (tmp_path / "x.png").exists()


def test_slice_options_need_out_and_a_higher_dimension(capsys):
    code, _, err = run(capsys, *BASE, "--at", "0,0,0.3")
    assert code == 2 and err.count("\n") == 1 and "give --out FILE too" in err
    code, _, err = run(capsys, "basins", "--loss", "(x**2 - 1)**2/4 + y**2/2", "--eta", "0.1",
                       "--region=-2,2,-1,1", "--cells", "5", "--at", "0,0", "--out", "never.png")
    assert code == 2 and err.count("\n") == 1 and "a 2-D map has none" in err


def test_help_documents_the_slice(capsys):
    with pytest.raises(SystemExit):
        main(["basins", "--help"])
    text = capsys.readouterr().out
    assert "--dims" in text and "--at" in text and "--dims 0,1 --at 0,0,0.3" in text
