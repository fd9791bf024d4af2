"""Every proof script in proofs/ runs to completion and writes its LaTeX.

Each script is a self-contained symbolic verification (SymPy, exact arithmetic) whose steps
are plain asserts; a failed step exits with status 1. The scripts run in a subprocess with
this interpreter, from a temporary working directory, with their output redirected by
GDMAPS_PROOFS_OUT (or --out) so the source tree is never written. None takes more than a
few seconds (the slowest, d_linear_whitened, about 7 s); a script that grows past ~10 s
belongs in SLOW.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROOFS = Path(__file__).resolve().parents[2] / "proofs"
SCRIPTS = sorted(p for p in PROOFS.glob("*.py") if not p.name.startswith("_"))
SLOW: set[str] = set()  # names of scripts that take more than ~10 s


def _run(script, tmp_path, *args, env=None, flags=()):
    # no bytecode cache: proofs/__pycache__ would be a write into the source tree
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, *flags, str(script), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_every_statement_has_a_script():
    names = {p.stem for p in SCRIPTS}
    assert names == {"a_ab_minus_y", "b_scalar_chain", "c_non_singularity", "d_linear_whitened",
                     "e_relu_example", "f_period_doubling", "g_deep_linear"}


@pytest.mark.parametrize("script", [pytest.param(s, id=s.stem, marks=[pytest.mark.slow] if s.stem in SLOW
                                                 else []) for s in SCRIPTS])
def test_script_verifies_and_writes_latex(script, tmp_path):
    out = tmp_path / "tex"
    proc = _run(script, tmp_path, env={"GDMAPS_PROOFS_OUT": str(out)})
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout}\n{proc.stderr}"
    tex = out / f"{script.stem}.tex"
    assert tex.is_file(), f"{script.name} did not write {tex}"
    text = tex.read_text(encoding="utf-8")
    assert text.startswith(r"\documentclass") and text.rstrip().endswith(r"\end{document}")
    assert "arXiv:2402.13108" in text and "arXiv:2510.24466" in text
    assert text.count(r"\begin{") == text.count(r"\end{"), "unbalanced LaTeX environments"
    # the human summary: one "ok" line per verified step, and where the LaTeX went
    assert " ok " in proc.stdout and str(tex) in proc.stdout


def test_out_argument_wins_over_the_environment(tmp_path):
    script = PROOFS / "a_ab_minus_y.py"
    proc = _run(script, tmp_path, "--out", str(tmp_path / "cli"),
                env={"GDMAPS_PROOFS_OUT": str(tmp_path / "env")})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cli" / "a_ab_minus_y.tex").is_file()
    assert not (tmp_path / "env").exists()


def test_scripts_refuse_to_run_without_asserts(tmp_path):
    # python -O strips assert statements: the scripts must not claim a proof then
    proc = _run(PROOFS / "a_ab_minus_y.py", tmp_path, env={"GDMAPS_PROOFS_OUT": str(tmp_path)},
                flags=("-O",))
    assert proc.returncode != 0 and "without -O" in proc.stderr
    assert not (tmp_path / "a_ab_minus_y.tex").exists()
