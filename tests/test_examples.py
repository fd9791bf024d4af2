"""Every script in examples/ runs to completion; the new ones print the exact values and write figures."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
CHECKED = {"edge_of_stability.py", "convergent_set.py"}  # run by their own tests below


def run(script: Path, tmp_path: Path) -> tuple[str, Path]:
    """Run ``script`` from a tmp dir, with an output folder argument when it takes one."""
    out = tmp_path / "out"
    args = [str(out)] if "sys.argv" in script.read_text() else []
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.run([sys.executable, str(script), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{script.name} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc.stdout, out


def test_there_are_examples():
    assert CHECKED <= {p.name for p in EXAMPLES}


OTHERS = [p for p in EXAMPLES if p.name not in CHECKED]


@pytest.mark.parametrize("script", OTHERS, ids=[p.name for p in OTHERS])
def test_example_runs(script, tmp_path):
    run(script, tmp_path)


def test_edge_of_stability(tmp_path):
    stdout, out = run(ROOT / "examples" / "edge_of_stability.py", tmp_path)
    for suffix in (".png", ".pdf"):
        assert (out / f"edge_of_stability{suffix}").stat().st_size > 0
    assert "eta = 1 = 1.0000000000" in stdout
    assert "eta = -1 + sqrt(5) = 1.2360679775" in stdout
    located = [float(v) for v in re.findall(r"period \d+ -> \d+ at eta = ([\d.]+)", stdout)]
    assert len(located) >= 4
    assert located[0] == pytest.approx(1.0, abs=1e-9)
    assert located[1] == pytest.approx(5 ** 0.5 - 1, abs=1e-9)
    ratios = [float(v) for v in re.findall(r"\) = ([\d.]+)$", stdout, flags=re.M)]
    assert len(ratios) >= 2
    assert ratios[-1] == pytest.approx(4.6692, abs=0.05)


def test_convergent_set(tmp_path):
    stdout, out = run(ROOT / "examples" / "convergent_set.py", tmp_path)
    for name in ("phase_transition", "set_dimension"):
        for suffix in (".png", ".pdf"):
            assert (out / f"{name}{suffix}").stat().st_size > 0
    assert "at eta=0.5: " in stdout and "at eta=1.5: 0/2000 converged" in stdout
    m = re.search(r"eta = 1\.2: ([\d.]+) \+- ([\d.]+) \(in 2-D\)", stdout)
    assert m, stdout
    assert float(m.group(1)) == pytest.approx(1.0, abs=0.15)
