"""Issue 11, sections 2 and 4: every bad input gets one line naming the option, the value
and what is allowed (status 2, no traceback), and every job past a limit is refused before
it starts, fast, with how to raise the limit."""

import json

import numpy as np
import pytest

from gdmaps.cli.main import _cli_words
from gdmaps.core.errors import FreeParameterError

HENON = ["--map", "henon", "--region=-2,2,-2,2"]
FIVE_D = ["--loss", "(x**2 - 1)**2/4 + y**2/2 + z**2/2 + u**2/2 + v**2/2", "--eta", "0.1",
          "--region=-1,1,-1,1,-1,1,-1,1,-1,1"]

CASES = [
    # tracebacks (status 1) before
    (["analyze", "--etas", "abc"], ["--etas must be", "'abc'", "finite number > 0"]),
    (["certify", "--eta", "1/0"], ["--eta must be a positive number", "'1/0'", "denominator is 0"]),
    (["iterate", "--eta", "0.5", "--steps", "1e20"], ["--steps 1e20", "limit steps=1e8",
                                                      "--limit steps=N"]),
    (["iterate", "--eta", "0.5", "--starts", "1e13"], ["--starts 1e13", "limit points=",
                                                       "--limit points=N"]),
    (["sweep", "--etas", "1:2:nan"], ["--etas COUNT must be a whole number >= 1", "'nan'"]),
    (["sweep", "--etas", "1:2:inf"], ["--etas COUNT must be a whole number >= 1", "'inf'"]),
    (["sweep", "--etas", "1:2:1e12"], ["--etas COUNT 1e12", "limit etas=", "--limit etas=N"]),
    (["orbits", *HENON, "--period", "1000000000"], ["--period 1000000000", "limit period=64",
                                                    "--limit period=N"]),
    (["iterate", "--eta", "0.5", "--init", "normal", "--region", "1e308"],
     ["--region must be numbers", "at most 1e+300", "'1e308'"]),
    (["basins", *HENON, "--cells", "100000"], ["--cells 100000", "1e10 cells", "GB of memory",
                                               "--limit cells=N"]),
    (["certify", "--eta", "1", "--latex", "{tmp}"], ["--latex must be a file name", "directory"]),
    (["sweep", "--etas", "0.5:1.5:2", "--out", "{file}"], ["--out must be a directory", "a file"]),
    # past 90 s, or killed for memory, before
    (["iterate", "--loss", "x**2 + 9**9**9"], ["9**9**9"]),
    (["certify", "--eta", "1e999999999"], ["--eta must be a positive number", "'1e999999999'",
                                           "e-999 to e999"]),
    (["orbits", *HENON, "--period", "1-100000"], ["--period 1-100000", "limit period=64"]),
    (["basins", *HENON, "--cells", "10", "--refine", "50", "--limit", "cells=20000"],
     ["--refine 50", "limit cells=20,000", "--limit cells=N"]),
    (["iterate", "--model", "scalar_chain", "-p", "depth=500", "--eta", "0.1"],
     ["-p depth=500", "limit params=100", "--limit params=N"]),
    (["basins", *FIVE_D, "--cells", "40"], ["--cells 40 on a 5-D map", "1.02e8 cells",
                                            "--limit cells=N"]),
    # accepted before, refused now
    (["iterate", "--loss", "", "--eta", "0.5"], ["--loss must be non-empty", "got ''"]),
    (["iterate", "--map", ""], ["--map must be non-empty", "got ''"]),
    (["orbits", *HENON, "--period", "3-1"], ["--period must be", "'3-1'", "low <= high"]),
    (["analyze", "--etas", ","], ["--etas must be", "got '' in ','"]),
    (["bifurcation", "--range=-1:1"], ["--range must lie in eta > 0", "'-1:1'"]),
    (["bifurcation", "--map", "henon", "-p", "b=0.3", "--vary", "a", "--range", "0.1:1", "--coord", "5"],
     ["--coord must be a coordinate from 0 to 1", "got 5"]),
    # library wording (.at(eta), .subs(r=...)) in CLI words
    (["fixed-points", "--region=-2,2,-2,2"], ["--eta is required", "--eta 0.5"]),
    (["orbits", "--map", "x: r*x*(1 - x)", "--region=0,1"], ["-p r=VALUE is required"]),
    (["iterate", "--map", "x: r*x*(1 - x)"], ["-p r=VALUE is required"]),
    (["bifurcation", "--map", "x: r*x*(1 - x) + s", "--vary", "r", "--range", "1:2"],
     ["-p s=VALUE is required"]),
    (["iterate", "--map", "henon", "-p", "q=1"], ["-p q=... is not a parameter of --map henon",
                                                  "-p a=VALUE (default 1.4)"]),
    (["iterate", "--map", "logistic"], ["-p r=VALUE is required for --map logistic"]),
    (["iterate", "--loss", "(a*b - 1)**2", "--params", "a,q"], ["--params must appear in the loss"]),
    (["iterate", "--model", "scalar_chain", "-p", "depth=3", "-p", "foo=1"],
     ["-p foo=... is not an option of --model scalar_chain", "depth (int, default 2)"]),
    (["iterate", "--model", "relu_example", "-p", "reduction=max"], ["-p reduction must be one of"]),
    (["analyze", "--out=\x00"], ["--out must be a directory name", "NUL"]),
    (["basins", *HENON, "--cells", "1e300"], ["--cells 1e300 on a 2-D map gives 1e600 cells"]),
    (["fixed-points", "--loss", "exp(2)*x**2"], ["the exact fixed points (no --region) needs rational",
                                                 "give --region LO,HI,... for a numeric search"]),
    (["fixed-points", "--loss", "exp(x) + y**2"], ["the exact fixed points (no --region) needs a",
                                                   "give --region"]),
    # section 4: the message quotes what was typed, not what numpy made of it
    (["sweep", "--etas", "1:inf:3"], ["--etas STOP must be a finite step size > 0", "'inf' in '1:inf:3'"]),
    (["sweep", "--etas=-1:1:3"], ["--etas START", "'-1'"]),
    (["sweep", "--etas", "-1:1:3"], ["--etas: expected one argument", "write --etas=VALUE"]),
    # the limits and the way to raise them
    (["iterate", "--eta", "0.5", "--starts", "20", "--steps", "200", "--limit", "work=1000"],
     ["= 4000 map evaluations: over the limit work=1000"]),
    (["iterate", "--limit", "work=lots"], ["--limit work must be a whole number >= 1", "'lots'"]),
    (["iterate", "--limit", "cells=5"], ["--limit must be NAME=N with NAME one of", "'cells=5'"]),
    (["iterate", "--steps", "ten"], ["--steps must be a whole number >= 1", "'ten'"]),
    (["iterate", "--seed", "-1"], ["--seed must be a whole number >= 0", "'-1'"]),
    (["iterate", "--eta", "nan"], ["--eta must be a finite number > 0", "'nan'"]),
    (["iterate", "--eta", "0.5", "--region", "inf"], ["--region must be numbers", "'inf'"]),
    (["iterate", "--eta", "0.5", "--region", "0"], ["--region as one number r", "r > 0"]),
    (["iterate", "--map", "logistic", "-p", "r=nan"], ["-p r must be a finite number", "'nan'"]),
    (["fixed-points", "--eta", "0.5", "--region=2,-2,0,1"], ["--region must have low < high",
                                                            "coordinate 0"]),
    (["fixed-points", "--eta", "0.5", "--region=-1e309,1,0,1"], ["--region must be numbers",
                                                                 "'-1e309,1,0,1'"]),
    (["basins", *HENON, "--cells", "10,x"], ["--cells must be", "'10,x'"]),
    (["basins", *HENON, "--out", "basins.txt"], ["--out must end in .png, .pdf, .svg", "'basins.txt'"]),
    (["orbits", *HENON, "--out", "{tmp}/no/such/f.png"], ["--out", "does not exist"]),
    (["bifurcation", "--range", "0.5:1", "--switch", "40"], ["--switch 40", "limit period=64"]),
]


@pytest.mark.parametrize("argv, fragments", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
@pytest.mark.filterwarnings("error")
def test_bad_input_is_one_line_status_2(argv, fragments, cli, tmp_path):
    afile = tmp_path / "a_file"
    afile.write_text("")
    argv = [a.format(tmp=tmp_path, file=afile) for a in argv]
    code, out, err = cli(*argv, seconds=30)
    assert code == 2, (code, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"gdmaps {argv[0]}: error: ")
    for fragment in fragments:
        assert fragment in err, (fragment, err)


@pytest.mark.filterwarnings("error")
def test_uniform_starts_near_the_float_limit_diverge_without_a_warning(cli):
    # uniform on [-1e300, 1e300]^2: every start is finite, and GD on (ab - 1)^2/2 overflows at once
    code, out, err = cli("iterate", "--eta", "0.5", "--init", "uniform", "--region", "1e300",
                         "--starts", "50", "--json")
    assert code == 0 and json.loads(out)["diverged"] == 50 and err == ""


def test_refusals_are_fast(cli):
    """A job past a limit is refused before any work: well within a second or two."""
    import time

    for argv in (["iterate", "--eta", "0.5", "--steps", "1e20"], ["basins", *FIVE_D, "--cells", "40"],
                 ["orbits", *HENON, "--period", "1-100000"], ["sweep", "--etas", "1:2:1e12"]):
        start = time.perf_counter()
        code, _, _ = cli(*argv, seconds=20)
        assert code == 2 and time.perf_counter() - start < 5


def test_the_time_limit_stops_what_no_estimate_foresees(cli):
    # symbolic fixed points of a depth-16 chain take minutes; the backstop answers in one line
    code, _, err = cli("fixed-points", "--model", "scalar_chain", "-p", "depth=16", "--limit", "seconds=2",
                       seconds=30)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "stopped after 2 s, the limit seconds=2" in err and "--limit seconds=N" in err


def test_raising_a_limit_runs_the_job(cli):
    argv = ["iterate", "--eta", "0.5", "--starts", "20", "--steps", "200", "--json"]
    assert cli(*argv, "--limit", "work=1000")[0] == 2
    code, out, _ = cli(*argv, "--limit", "work=5000")
    assert code == 0 and json.loads(out)["starts"] == 20


def test_help_documents_limits_and_exit_statuses(cli):
    for command in ("analyze", "iterate", "fixed-points", "orbits", "certify", "sweep", "basins",
                    "bifurcation"):
        code, out, _ = cli(command, "--help")
        text = " ".join(out.split())
        assert code == 0 and "--limit NAME=N" in text and "exit status:" in text, command
        assert "2 bad input" in text
    _, out, _ = cli("certify", "--help")
    assert "0 HOLDS, 1 FAILS, 3 INCONCLUSIVE" in " ".join(out.split())
    _, out, _ = cli("basins", "--help")
    assert "cells=250,000" in " ".join(out.split()) or "cells 250,000" in " ".join(out.split())


def test_linear_network_with_zero_targets_has_no_critical_step_size(cli, tmp_path):
    """Y = 0: the minima are {W_2 W_1 X = 0}, W = 0 among them, where H = 0 (the loss is
    quartic there): s_min = 0, eta* = 2/s_min = +infinity, and no step size makes every minimum
    unstable; the certificate is INCONCLUSIVE and says why. Nothing prints zoo, nan or oo."""
    np.savez(tmp_path / "d.npz", X=np.eye(2), Y=np.zeros((1, 2)))
    argv = ["certify", "--model", "linear_network", "-p", f"data={tmp_path / 'd.npz'}", "-p", "widths=2",
            "--eta", "1"]
    code, out, _ = cli(*argv, "--json")
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    assert code == 3 and data["eta_star"] == "inf" and data["status"] == "inconclusive"
    code, out, _ = cli(*argv)
    assert code == 3 and "s_min = 0" in out.replace("\\_", "_")
    for bad in ("zoo", "nan", " oo"):
        assert bad not in out



def test_zero_targets_on_data_that_is_not_whitened(cli, tmp_path):
    # the numeric eta* search cannot see that H(0) = 0; the closed form (models.linear) can
    np.savez(tmp_path / "d.npz", X=[[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], Y=np.zeros((1, 3)))
    code, out, _ = cli("certify", "--model", "linear_network", "-p", f"data={tmp_path / 'd.npz'}",
                       "-p", "widths=2", "--eta", "1", "--json")
    data = json.loads(out)
    assert code == 3 and data["eta_star"] == "inf" and data["eta_star_exactness"] == "exact"


@pytest.mark.parametrize("message, words", [
    ("bind the other parameters first (s), e.g. .subs(s=...)", "-p s=VALUE"),
    ("this GD map has no step size yet: pass eta=... or fix it with .at(eta)",
     "no step size yet: give it with --eta"),
    ("fixed_points(method='numeric') needs values for the free parameters a; bind them first, e.g."
     " map.subs(a=...)", "the numeric search (--region) needs values for the free parameters a; bind them"
     " first, e.g. -p a=VALUE"),
])
def test_library_messages_speak_cli(message, words):
    assert words in _cli_words(FreeParameterError(message))


def test_a_typed_abs_loss_runs(cli):
    # Abs of a typed (not real) symbol is differentiated as the real function: sign(x) y
    code, out, err = cli("iterate", "--loss", "Abs(x)*y + y**2", "--eta", "0.1", "--starts", "50")
    assert code == 0 and "Traceback" not in err
