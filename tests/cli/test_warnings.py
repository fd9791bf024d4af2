"""Issue 11, section 4: no warning escapes any command. Overflow, NaN and divergence are
outcomes the commands classify (a fate "diverged", a start dropped), never warnings."""

import subprocess
import sys

import pytest

SMALL = ["--starts", "40", "--steps", "60"]

COMMANDS = [
    ["analyze", *SMALL, "--etas", "0.5,1.5", "--out", "{tmp}/report"],
    ["analyze", *SMALL, "--json"],
    ["iterate", "--eta", "0.5", *SMALL],
    ["iterate", "--map", "henon", *SMALL, "--json"],
    ["fixed-points"],
    ["fixed-points", "--map", "henon", "--region=-3,3,-3,3", "--certify", "--out", "{tmp}/f.png"],
    ["orbits", "--map", "henon", "--region=-2,2,-2,2", "--period", "1-3", "--out", "{tmp}/o.png"],
    ["certify", "--eta", "1.2", "--latex", "{tmp}/p.tex"],
    ["certify", "--model", "scalar_chain", "-p", "depth=3", "--eta", "0.5", "--json"],
    ["sweep", "--etas", "0.5:1.5:3", *SMALL, "--out", "{tmp}/sweep"],
    ["basins", "--eta", "0.5", "--region=-2,2,-2,2", "--cells", "15", "--refine", "1",
     "--out", "{tmp}/b.png"],
    ["bifurcation", "--map", "logistic", "--range", "2.8:4", "--values", "40", "--starts", "10",
     "--transient", "100", "--switch", "2", "--out", "{tmp}/bif.png"],
    ["manifolds", "--map", "henon", "--out", "{tmp}/m.png"],
    ["lyapunov", "--map", "logistic", "-p", "r=4", "--json"],
    ["lyapunov", "--map", "henon", "--starts", "5", "--region=-1e300,1e300,-1e300,1e300"],
    # hostile but valid: starts and boxes at the edge of the float range
    ["iterate", "--eta", "0.5", "--init", "uniform", "--region", "1e300", *SMALL],
    ["iterate", "--map", "henon", "--region", "1e300", *SMALL],
    ["fixed-points", "--eta", "0.5", "--region=-1e300,1e300,-1e300,1e300"],
    ["fixed-points", "--map", "henon", "--region=-1e300,1e300,-1e300,1e300", "--certify"],
    ["orbits", "--map", "henon", "--region=-1e300,1e300,-1e300,1e300", "--period", "2"],
    ["basins", "--map", "henon", "--region=-1e300,1e300,-1e300,1e300", "--cells", "5"],
    ["sweep", "--etas", "1:30:3", *SMALL, "--region", "1e100", "--json"],
    ["bifurcation", "--range", "1e300:1e301", "--values", "20", "--starts", "5", "--transient", "50"],
    ["iterate", "--eta", "1e300", *SMALL],
    ["certify", "--eta", "1e300"],
    # losses whose numeric searches overflow (the eta* search inside analyze, sweep, certify)
    ["analyze", *SMALL, "--etas", "0.5", "--loss", "exp(1000)*x", "--out", "{tmp}/exp"],
    ["sweep", "--etas", "0.5:1.5:2", *SMALL, "--loss", "exp(1000)*x", "--json"],
    ["certify", "--eta", "1", "--loss", "exp(1000)*x", "--json"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a)[:50] for a in COMMANDS])
@pytest.mark.filterwarnings("error")
def test_no_warning_in_process(argv, cli, tmp_path):
    code, out, err = cli(*[a.format(tmp=tmp_path) for a in argv], seconds=120)
    assert code in (0, 1, 3), err  # certify exits with its verdict
    assert "Warning" not in err and "Traceback" not in err, err


@pytest.mark.filterwarnings("error")
def test_bad_sweep_grid_warns_nothing_and_quotes_the_input(cli):
    code, _, err = cli("sweep", "--etas", "1:inf:3")
    assert code == 2 and "'inf' in '1:inf:3'" in err and "nan" not in err


@pytest.mark.parametrize("argv", [
    ["fixed-points", "--eta", "0.5", "--region=-1e300,1e300,-1e300,1e300"],
    ["iterate", "--eta", "0.5", "--init", "uniform", "--region", "1e300", "--starts", "20"],
    ["sweep", "--etas", "1:inf:3"],
])
def test_no_warning_under_python_W_error(argv):
    """The console entry point under ``python -W error``: warnings would be errors here."""
    proc = subprocess.run([sys.executable, "-W", "error", "-m", "gdmaps.cli.main", *argv],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 2), proc.stderr
    assert "Warning" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
