"""gdmaps certify: the exit status is the verdict, and the section-1 inputs of the
certificate issue get a verdict or a one-line error, never a traceback."""

import json

import pytest

from gdmaps.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, code, status", [
    # (ab - 1)^2/2: eta* = 1 (s_min = 2 at a = b = 1)
    (["--eta", "1.2"], 0, "holds"),
    (["--eta", "0.9"], 1, "fails"),
    # depth-3 chain with target critical-points: the origin has H = 0
    (["--model", "scalar_chain", "-p", "depth=3", "--eta", "1.2", "--target", "critical-points"],
     3, "inconclusive"),
    # L = x^3 has no global minimum: vacuous
    (["--loss", "x**3", "--eta", "1"], 0, "holds"),
])
def test_exit_status_is_the_verdict(capsys, argv, code, status):
    got, out, _ = run(capsys, "certify", *argv, "--json")
    assert got == code and json.loads(out)["status"] == status


@pytest.mark.parametrize("eta", ["1/0", "abc", "-1", "0", "1e999999999", "nan", "inf"])
def test_bad_step_sizes_exit_2_in_one_line(capsys, eta):
    code, _, err = run(capsys, "certify", "--eta", eta)
    assert code == 2 and "--eta" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_fraction_step_size_is_exact(capsys):
    # (ab - 2)^2/2: eta* = 1/2 exactly, so 1/2 itself is on the edge: inconclusive
    code, out, _ = run(capsys, "certify", "--loss", "(a*b - 2)**2/2", "--eta", "1/2", "--json")
    data = json.loads(out)
    assert code == 3 and data["eta"] == "1/2" and data["eta_star"] == "1/2"


def test_json_carries_the_bracket(capsys):
    # a polynomial with an exact eta* carries a certified bracket around it as well
    code, out, _ = run(capsys, "certify", "--loss", "(x - 0.2)**2*(x + 1)**2*((x - 1.2)**2 + 1)",
                       "--eta", "0.3", "--json")
    data = json.loads(out)
    lo, hi = data["eta_star_bracket"]
    assert code == 1 and data["eta_star"] == "25/72" and lo <= 25 / 72 <= hi
    assert data["global_minima"] == "proved"


def test_irrational_eta_star_does_not_crash_the_main_job(tmp_path, capsys):
    # depth-3 chain, y = 2: eta* = 2 / (3 * 2^(4/3)) is irrational; certificates at 0.9 and 1.1 eta*
    code, _, err = run(capsys, "analyze", "--model", "scalar_chain", "-p", "depth=3", "-p", "y=2",
                       "--starts", "100", "--etas", "0.2,0.3", "--out", str(tmp_path))
    report = (tmp_path / "report.md").read_text()
    assert code == 0 and "Traceback" not in err
    assert "**fails**" in report and "**holds**" in report
