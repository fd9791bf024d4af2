"""The command line: every command runs, JSON parses, bad input exits 2 in one line."""

import io
import json
import re
import sys

import numpy as np
import pytest

from gdmaps.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_default_writes_report(tmp_path, capsys):
    code, out, _ = run(capsys, "analyze", "--starts", "300", "--out", str(tmp_path))
    assert code == 0 and "Jacobian" in out and f"wrote {tmp_path / 'report.md'}" in out
    report = (tmp_path / "report.md").read_text()
    assert "I - \\eta H" in report and "| 1.5 | 1.5 | 0 |" in report  # nothing converges past eta* = 1
    assert "Not computed" not in report


def test_analyze_json_counts_add_up(capsys):
    code, out, _ = run(capsys, "analyze", "--starts", "200", "--etas", "0.5,1.2", "--json",
                       "--skip", "dimension,orbit-diagram")
    data = json.loads(out)
    assert code == 0 and [r["eta"] for r in data["fates"]] == [0.5, 1.2]
    for r in data["fates"]:
        assert r["converged"] + r["diverged"] + r["moving"] + r["unstable"] == 200
    assert data["fates"][0]["converged"] > 150 and data["fates"][1]["converged"] == 0
    # everything the report shows: eta*, the certificates, the critical set
    assert data["critical_rate"]["eta_star"] == "1" and data["critical_rate"]["exactness"] == "exact"
    assert [c["status"] for c in data["certificates"]] == ["fails", "holds"]
    assert len(data["critical_set"]["components"]) == 2
    assert data["dimension"] == {"skipped": True, "part": "dimension",
                                 "reason": "skipped on request (skip='dimension')"}


def test_analyze_json_is_the_library_result(capsys):
    import gdmaps
    from gdmaps.cli.options import dumps

    argv = ["--loss", "(x**2 - 1)**2/4 + y**2/2", "--starts", "100", "--steps", "300", "--seed", "3"]
    code, out, _ = run(capsys, "analyze", *argv, "--json")
    direct = gdmaps.analyze("(x**2 - 1)**2/4 + y**2/2", starts=100, steps=300, seed=3)
    assert code == 0 and json.loads(out) == json.loads(dumps(direct.to_dict()))


def test_analyze_bad_skip_is_one_line(capsys):
    code, _, err = run(capsys, "analyze", "--skip", "basins")
    assert code == 2 and "--skip must name parts among critical-set," in err


@pytest.mark.parametrize("argv", [
    ["--map", "henon", "--starts", "50", "--steps", "100"],
    ["--map", "x: r*x*(1 - x)", "-p", "r=2.5", "--init", "uniform", "--region", "0.4"],
    ["--model", "scalar_chain", "-p", "depth=3", "--eta", "0.5", "--starts", "100"],
    ["--loss", "(a*b - y)**2/2; y = 2", "--eta", "0.2", "--starts", "100"],
    ["--loss", "(a*b - y)**2/2", "--params", "a,b", "-p", "y=2", "--eta", "0.2"],
])
def test_iterate_json(argv, capsys):
    code, out, _ = run(capsys, "iterate", *argv, "--json")
    data = json.loads(out)
    counts = data["converged"] + data["diverged"] + data["moving"] + data["unstable"]
    assert code == 0 and counts == data["starts"]


def test_iterate_logistic_converges_to_its_fixed_point(capsys):
    # r = 2.5: every x0 in (0, 1) converges to 1 - 1/r
    code, out, _ = run(capsys, "iterate", "--map", "logistic", "-p", "r=2.5", "--init", "uniform",
                       "--region", "0.05,0.95", "--json")
    assert json.loads(out)["converged"] == 1000


def test_linear_network_from_npz(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 5))
    np.savez(tmp_path / "d.npz", X=X, Y=X[:1])
    code, out, _ = run(capsys, "iterate", "--model", "linear_network", "-p",
                       f"data={tmp_path / 'd.npz'}", "-p", "widths=2", "--eta", "0.01", "--json")
    assert code == 0 and json.loads(out)["starts"] == 1000


def test_mlp_and_relu_models(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 30))
    np.savez(tmp_path / "d.npz", X=X, Y=np.tanh(X[:1] - X[1:]))
    code, out, _ = run(capsys, "iterate", "--model", "mlp", "-p", f"data={tmp_path / 'd.npz'}",
                       "-p", "widths=8", "-p", "activation=relu", "--eta", "0.01", "--starts", "20",
                       "--region", "0.5", "--json")
    assert code == 0 and json.loads(out)["starts"] == 20
    # the ReLU example: eta* = 50/353 (about 0.142) under the sum normalization
    code, out, _ = run(capsys, "iterate", "--model", "relu_example", "--eta", "0.1", "--json")
    assert code == 0 and json.loads(out)["converged"] > 0


@pytest.mark.parametrize("argv, message", [
    (["iterate", "--eta", "-1"], "--eta must be a finite number > 0, got '-1'"),
    (["iterate", "--map", "lorenz"], "must be one of 'logistic', 'henon'"),
    (["iterate", "--map", "x: 1 +* x"], "cannot read the expression"),
    (["iterate", "--loss", "(a*b - 1)**2", "-p", "q=1"], "q=... is not a parameter"),
    (["iterate", "--model", "linear_network"], "needs -p data=NAME"),
    (["iterate", "--map", "henon", "--eta", "0.1"], "--eta is the step size of a GD map"),
    (["iterate", "--starts", "0"], "--starts must be a whole number >= 1, got '0'"),
    (["analyze", "--map", "henon"], "not a plain map"),
])
def test_bad_input_is_one_line_and_status_2(argv, message, capsys):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_certify_json_and_latex(tmp_path, capsys):
    code, out, _ = run(capsys, "certify", "--eta", "1.2", "--json", "--latex", str(tmp_path / "p.tex"))
    data = json.loads(out)
    assert code == 0 and data["status"] == "holds" and data["eta_star"] == "1"
    assert "\\begin{proof}" in (tmp_path / "p.tex").read_text()
    code, out, _ = run(capsys, "certify", "--model", "scalar_chain", "-p", "depth=3", "--eta", "0.5",
                       "--target", "critical-points", "--json")
    assert json.loads(out)["status"] == "fails"  # eta* = 2/3 for depth 3, y = 1


def test_fixed_points_and_orbits_commands(tmp_path, capsys):
    code, out, _ = run(capsys, "fixed-points", "--map", "henon", "--region=-3,3,-3,3", "--certify",
                       "--json")
    pts = json.loads(out)["points"]
    assert code == 0 and len(pts) == 2 and all(p["certified"] for p in pts)
    code, out, _ = run(capsys, "fixed-points", "--model", "scalar_chain", "-p", "depth=3")
    assert code == 0 and "degenerate" in out
    code, out, _ = run(capsys, "fixed-points", "--map", "henon", "--region=-1.5,1.5,-0.5,0.5",
                       "--out", str(tmp_path / "f.png"))
    assert code == 0 and (tmp_path / "f.png").stat().st_size > 1000


def test_sweep_writes_rows_and_figure_and_resumes(tmp_path, capsys):
    argv = ["sweep", "--etas", "0.5:1.5:3", "--starts", "300", "--steps", "300",
            "--out", str(tmp_path)]
    code, out, err = run(capsys, *argv, "--json")
    rows = json.loads(out)
    assert code == 0 and [r["eta"] for r in rows] == [0.5, 1.0, 1.5]
    assert rows[0]["converged"] > 0 and rows[2]["converged"] == 0
    assert (tmp_path / "phase_transition.png").stat().st_size > 1000
    code, out, err = run(capsys, *argv)  # everything done already: nothing reruns
    assert code == 0 and "sweep: eta" not in err


def test_analyze_out_writes_the_phase_transition(tmp_path, capsys):
    code, _, _ = run(capsys, "analyze", "--starts", "200", "--steps", "300", "--out", str(tmp_path))
    assert code == 0 and (tmp_path / "phase_transition.png").exists()
    report = (tmp_path / "report.md").read_text()
    assert "![phase transition](phase_transition.png)" in report
    # past eta* the default loss converges from curves only (the minima, the saddle's line)
    dim = float(re.search(r"a set of dimension (\S+) ", report).group(1))
    assert abs(dim - 1) < 0.1 and (tmp_path / "convergent_set.png").stat().st_size > 1000
    # on the diagonal a = b the default map is GD on (a^2 - 1)^2/4, whose cascade doubles at
    # eta = 1 and sqrt(5) - 1 (closed forms) and accumulates at 1.3023 (continuation): chaos
    # cannot start before the second doubling
    first = float(re.search(r"first positive at eta = (\S+) =", report).group(1))
    assert 1.24 < first < 1.4 and (tmp_path / "bifurcation.png").stat().st_size > 1000


def test_analyze_custom_loss_draws_every_figure(tmp_path, capsys):
    code, _, err = run(capsys, "analyze", "--loss", "(a*b*c - 1)**2/2", "--starts", "200", "--steps", "300",
                       "--out", str(tmp_path))
    assert code == 0 and "Traceback" not in err
    report = (tmp_path / "report.md").read_text()
    for stem in ("phase_transition", "fate_maps", "convergent_set", "bifurcation"):
        assert f"]({stem}.png)" in report and (tmp_path / f"{stem}.png").stat().st_size > 1000


def test_basins_double_well_is_symmetric(tmp_path, capsys):
    code, out, _ = run(capsys, "basins", "--loss", "(x**2 - 1)**2/4 + y**2/2", "--eta", "0.1",
                       "--region=-2,2,-1,1", "--cells", "31,15", "--steps", "10", "--json",
                       "--out", str(tmp_path / "b.png"))
    data = json.loads(out)
    shares = list(data["basin_share"].values())
    assert code == 0 and len(shares) == 2 and shares[0] == pytest.approx(shares[1])
    assert (tmp_path / "b.png").stat().st_size > 1000


@pytest.mark.parametrize("command", ["analyze", "iterate", "fixed-points", "orbits", "certify", "sweep",
                                     "basins", "bifurcation"])
def test_help_shows_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0 and "example:" in capsys.readouterr().out


def test_top_level_help_lists_every_command(capsys):
    # argparse %-formats each command's one-line help: a bare "95% intervals" once crashed it
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0 and "95% intervals" in out
    assert all(c in out for c in ("analyze", "sweep", "basins", "bifurcation"))


@pytest.mark.parametrize("rule, kwargs", [
    ([], {}),
    (["--grad-tol", "1e-6"], {"grad_tol": 1e-6}),
    (["--loss-min", "0", "--loss-tol", "1e-4"], {"loss_min": 0.0, "loss_tol": 1e-4}),
    (["--no-stability", "--tol", "1e-3"], {"stability": False, "tol": 1e-3}),
])
def test_iterate_convergence_rule_options_match_the_library(rule, kwargs, capsys):
    import sympy as sp

    from gdmaps import GDMap, iterate
    from gdmaps.core.samplers import sample

    assert main(["iterate", "--eta", "0.9", "--starts", "300", "--json", *rule]) == 0
    got = json.loads(capsys.readouterr().out)
    a, b = sp.symbols("a b")
    direct = iterate(GDMap((a * b - 1) ** 2 / 2, [a, b], 0.9), sample("normal", 300, 2, seed=0), 1000,
                     **kwargs).counts
    assert {k: got[k] for k in direct} == direct


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, as a user's shell is."""

    def isatty(self):
        return True


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_bar_on_a_terminal_unless_quiet(monkeypatch, quiet):
    monkeypatch.setattr("gdmaps.core.progress.DELAY", 0.0)  # show it however quick the run
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    argv = ["sweep", "--etas", "0.5:1.5:3", "--starts", "100", "--steps", "100", "--json"]
    assert main(argv + (["--quiet"] if quiet else [])) in (0, None)
    assert ("gdmaps sweep" in err.getvalue()) is not quiet
