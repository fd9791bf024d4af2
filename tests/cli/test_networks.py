"""Every command on --model mlp: it runs, or it says in one line why it does not apply.

NET is a tanh 1-3-1 network on the 20 points of sin(pi x) (6 weights x 20 points > 100: an
MLPMap, evaluated by backpropagation, with no SymPy loss built). A few numbers are checked
against an independent truth: the loss at theta = 0 (f = 0) is sum y^2 / 2, and GD at a step
size far past 2 / lambda_max(H(x0)) leaves nothing converged.
"""

import json

import numpy as np
import pytest

from gdmaps.models import data as datasets
from gdmaps.models.mlp import _Spec

NET = ("--model", "mlp", "-p", "data=sine", "-p", "widths=3")


@pytest.fixture(autouse=True)
def no_formula(monkeypatch):
    """A network evaluated by backprop never builds its SymPy loss, in any command."""
    def refuse(self):
        raise AssertionError("the SymPy side of an MLPMap was built")
    for name in ("loss", "gradient", "step"):
        monkeypatch.setattr(_Spec, name, property(refuse))


def _one_line_refusal(code, out, err, *words):
    assert code == 2 and out == "" and err.count("\n") == 1, (code, out, err)
    assert all(w in err for w in words), err


def test_iterate(cli):
    code, out, err = cli("iterate", *NET, "--eta", "0.05", "--starts", "40", "--steps", "300", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["map"].startswith("L = the sum squared error of a tanh 1-3-1 network on 20 points")
    assert sum(data[k] for k in ("converged", "diverged", "moving", "unstable")) == 40


def test_iterate_far_past_the_edge_converges_nowhere(cli):
    code, out, err = cli("iterate", *NET, "--eta", "50", "--starts", "40", "--steps", "200", "--json")
    assert code == 0, err
    assert json.loads(out)["converged"] == 0


def test_sweep(cli):
    code, out, err = cli("sweep", *NET, "--etas", "0.02:0.2:3", "--starts", "40", "--steps", "200", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [round(r["eta"], 3) for r in rows] == [0.02, 0.11, 0.2]


def test_analyze(cli, tmp_path):
    code, out, err = cli("analyze", *NET, "--starts", "20", "--steps", "100", "--skip",
                         "orbit-diagram,lyapunov,dimension,fate-maps", "--json", seconds=120)
    assert code == 0, err
    data = json.loads(out)
    assert data["loss"].startswith("L = the sum squared error of a tanh 1-3-1 network on 20 points")
    assert data["jacobian"] is None and "critical_set" in data["skipped"]


def test_certify_is_inconclusive_not_a_crash(cli):
    code, out, err = cli("certify", *NET, "--eta", "0.1", seconds=120)
    assert code == 3, err  # INCONCLUSIVE: floats prove no non-singularity
    assert "backpropagation" in out


def test_fixed_points_exact_refuses_in_one_line(cli):
    _one_line_refusal(*cli("fixed-points", *NET, "--eta", "0.1"), "no symbolic fixed-point set", "--region")


def test_fixed_points_numeric(cli):
    code, out, err = cli("fixed-points", *NET, "--eta", "0.1", "--region", "2", seconds=120)
    assert code == 0, err
    assert "FixedPoints" in out


def test_orbits(cli):
    code, out, err = cli("orbits", *NET, "--eta", "0.1", "--region", "1", "--period", "1", seconds=120)
    assert code == 0, err


def test_basins_refuses_a_grid_in_six_dimensions(cli):
    code, out, err = cli("basins", *NET, "--eta", "0.1", "--region", "1")
    _one_line_refusal(code, out, err, "6-D map")


def test_bifurcation(cli):
    code, out, err = cli("bifurcation", *NET, "--range", "0.05:0.3", "--values", "12", "--starts", "4",
                         "--transient", "50", "--keep", "2", "--json", seconds=120)
    assert code == 0, err
    assert "polynomial formula" in out or "exact" in out


def test_manifolds(cli):
    code, out, err = cli("manifolds", *NET, "--eta", "0.1", seconds=120)
    assert code == 0 or (code == 2 and err.count("\n") == 1), (code, err)


def test_lyapunov(cli):
    code, out, err = cli("lyapunov", *NET, "--eta", "0.05", "--steps", "200", "--json", seconds=120)
    assert code == 0, err
    assert len(json.loads(out)["exponents"][0]) == 6


def test_options_reach_the_model(cli):
    """bias, activation, loss and reduction as -p options; the loss at theta = 0 checks them:
    with f = 0 the mean cross-entropy of one-hot iris labels is log 3 per point."""
    from gdmaps.cli.main import build_parser
    from gdmaps.cli.targets import resolve_target

    args = build_parser().parse_args(["iterate", "--model", "mlp", "-p", "data=iris", "-p", "widths=4",
                                      "-p", "bias=true", "-p", "activation=relu", "-p",
                                      "loss=cross_entropy", "-p", "reduction=mean"])
    g = resolve_target(args)
    assert g.network.bias and g.network.activation == "relu" and g.network.criterion == "cross_entropy"
    assert g.dim == 4 * 4 + 4 + 3 * 4 + 3
    assert abs(g.numeric.loss(np.zeros(g.dim)) - np.log(3)) < 1e-12

    args = build_parser().parse_args(["iterate", *NET, "-p", "reduction=sum"])
    g = resolve_target(args)
    _, Y = datasets.dataset("sine")
    assert abs(g.numeric.loss(np.zeros(g.dim)) - 0.5 * float((Y ** 2).sum())) < 1e-12


@pytest.mark.parametrize("opt,words", [("bias=maybe", "-p bias must be true or false"),
                                       ("loss=hinge", "-p loss must be"),
                                       ("data=nowhere", "-p data must be one of")])
def test_bad_options_are_one_line(cli, opt, words):
    _one_line_refusal(*cli("iterate", *NET, "-p", opt, "--eta", "0.1"), words)


def test_csv_data(cli, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "\n".join(f"{x},{x * x}" for x in np.linspace(-1, 1, 30)))
    code, out, err = cli("iterate", "--model", "mlp", "-p", f"data={path}", "-p", "widths=4", "--eta", "0.01",
                         "--starts", "10", "--steps", "10")
    assert code == 0, err
    assert "1-4-1" in out and "30 points" in out
