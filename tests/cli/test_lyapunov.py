"""gdmaps lyapunov: exponents at one parameter value against closed forms."""

import json
import math

import pytest


def test_logistic_at_4_has_exponent_ln2(cli):
    """x -> 4x(1 - x) is conjugate to the tent map (x = sin^2(pi u / 2)), whose slope is 2
    everywhere: lambda = ln 2 for almost every start."""
    code, out, err = cli("lyapunov", "--map", "logistic", "-p", "r=4", "--json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert len(data["exponents"]) == 4 and not any(data["diverged"])
    for (lam,), (se,) in zip(data["exponents"], data["stderr"]):
        assert abs(lam - math.log(2)) < 2e-3 and se < 1e-3  # 1e5 steps: stderr ~ 5e-5
    code, out, _ = cli("lyapunov", "--map", "logistic", "-p", "r=4", "--x0", "0.1234", "--steps", "20000")
    assert code == 0 and "0.693" in out and "from [0.1234]" in out


def test_henon_exponents_sum_to_log_b(cli):
    """Henon's Jacobian [[-2ax, 1], [b, 0]] has determinant -b everywhere: the exponents sum to
    ln b = ln 0.3 exactly (QR keeps the sum to rounding), the largest is 0.42 (Henon's attractor,
    e.g. Sprott, Chaos and Time-Series Analysis, table: 0.41922)."""
    code, out, _ = cli("lyapunov", "--map", "henon", "--x0", "0.1,0.1", "--steps", "50000", "--json")
    data = json.loads(out)
    (l1, l2), = data["exponents"]
    assert code == 0 and abs(l1 + l2 - math.log(0.3)) < 1e-9
    assert abs(l1 - 0.41922) < 0.01


def test_gd_on_a_quadratic_has_exponent_log_abs_1_minus_eta_lambda(cli):
    """GD on L = 3x^2/2 is x -> (1 - 3 eta) x: a linear map, lambda = ln|1 - 3 eta| exactly."""
    code, out, _ = cli("lyapunov", "--loss", "3*x**2/2", "--eta", "0.5", "--x0", "1", "--steps", "100",
                       "--transient", "0", "--json")
    data = json.loads(out)
    assert code == 0 and data["exponents"][0][0] == pytest.approx(math.log(0.5), abs=1e-12)


def test_diverged_orbit_is_said(cli):
    code, out, _ = cli("lyapunov", "--map", "henon", "--x0", "3,3", "--steps", "100")
    assert code == 0 and "diverged" in out


@pytest.mark.parametrize("argv, message", [
    (["--map", "logistic", "-p", "r=4", "--x0", "0.1,0.2"], "--x0 must be 1 finite numbers"),
    (["--map", "logistic", "-p", "r=4", "--x0", "nan"], "--x0 must be"),
    (["--map", "logistic"], "-p r=VALUE is required"),
    (["--map", "logistic", "-p", "r=4", "--steps", "5"], "--steps must be a whole number >= 10"),
    (["--map", "logistic", "-p", "r=4", "--steps", "1e9"], "over the limit steps"),
    (["--map", "logistic", "-p", "r=4", "--starts", "1e6", "--steps", "1e4"], "over the limit work"),
    (["--map", "logistic", "-p", "r=4", "--x0", "0.1", "--region=0,1"], "--region"),
    (["--loss", "x**2"], "--eta is required"),
])
def test_bad_input_exits_2_in_one_line(cli, argv, message):
    code, out, err = cli("lyapunov", *argv)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_help(cli):
    code, out, _ = cli("lyapunov", "--help")
    assert code == 0 and "example:" in out and "--limit NAME=N" in " ".join(out.split())
