"""gdmaps bifurcation: located and exact bifurcation points against their closed forms."""

import json
import math

import pytest

from gdmaps.cli.main import main

FAST = ["--values", "60", "--starts", "10", "--transient", "300", "--switch", "2"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_logistic_cascade_json(capsys, tmp_path):
    code, out, _ = run(capsys, "bifurcation", "--map", "logistic", "--range", "2.8:3.56", *FAST,
                       "--json", "--out", str(tmp_path / "b.png"))
    data = json.loads(out)
    pd = [b["value"] for b in data["bifurcations"] if b["kind"] == "period-doubling"]
    # r_1 = 3, r_2 = 1 + sqrt(6) (closed forms), r_3 = 3.5440903596 (a root of a degree-12
    # polynomial; Wikipedia "Feigenbaum constants", and exact_bifurcations)
    assert code == 0 and len(pd) == 3
    assert abs(pd[0] - 3) < 1e-12 and abs(pd[1] - (1 + math.sqrt(6))) < 1e-12
    assert abs(pd[2] - 3.5440903596) < 1e-9
    assert {e["value"] for e in data["exact"]} == {"3", "1 + sqrt(6)"}
    assert (tmp_path / "b.png").stat().st_size > 1000
    lam = data["largest_lyapunov"]
    assert len(lam) == 60 and max(lam) < 0.01  # no chaos before r_inf = 3.5699


def test_gd_quartic_summary(capsys):
    code, out, _ = run(capsys, "bifurcation", "--loss", "(x**2 - 1)**2/4", "--range", "0.5:1.27",
                       *FAST)
    assert code == 0
    # eta = 2 / L''(1) = 1 for both minima; the 2-cycle's multiplier 9 - 2(1 + eta)^2 = -1
    assert "eta = 1  (period 1, 2 orbits)" in out
    assert f"eta = {math.sqrt(5) - 1:.12g}  (period 2, 2 orbits)" in out
    assert "eta = -1 + sqrt(5)" in out


@pytest.mark.parametrize("argv, message", [
    (["--map", "logistic", "--range", "3:2"], "--range must have LO < HI"),
    (["--map", "logistic", "--range", "a:b"], "--range must be LO:HI"),
    (["--map", "henon", "--range", "0:1"], "--vary"),
    (["--map", "logistic", "--range", "2.8:3", "--vary", "q"], "q"),
    (["--map", "logistic", "--range", "2.8:3", "--values", "0"], "--values must be a whole number >= 1"),
])
def test_bad_input_exits_2_in_one_line(capsys, argv, message):
    code, out, err = run(capsys, "bifurcation", *argv)
    assert code == 2 and message in err and err.count("\n") == 1


def test_a_curve_of_minima_is_said_not_continued(capsys):
    # (ab - 1)^2/2: the minima ab = 1 form a curve; only the saddle at 0 is isolated
    code, out, _ = run(capsys, "bifurcation", "--range", "0.5:1.2", *FAST)
    assert code == 0 and "fixed points found on continua" in out
    assert "continued from the fixed point [0.0, 0.0]" in out
