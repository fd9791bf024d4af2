"""experiments/seed_transition.py in its reduced size: it runs, writes its table and figure, and its
numbers hold together (the tiny net's predicted edge is the library's eta*, the sum and mean
reductions of one net differ by the number of data points n)."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # about 10 s of CPU; longer on a loaded machine

ROOT = Path(__file__).resolve().parents[1]


def test_seed_transition_quick(tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "experiments" / "seed_transition.py"), str(out),
                           "--quick"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("table.md", "table.csv", "seed_transition.png", "seed_transition.pdf"):
        assert (out / name).stat().st_size > 0
    rows = {(r["data"], r["activation"], r["widths"], r["reduction"]): r
            for r in csv.DictReader((out / "table.csv").open())}
    tiny = rows[("tiny", "tanh", "1", "sum")]
    # GD's flattest minimum on the tiny net is the one critical_learning_rate finds (to 1e-3),
    # and the library's eta* respects its own certified lower bound
    assert float(tiny["eta_pred=2/s_min"]) == pytest.approx(float(tiny["eta*_library"]), rel=1e-3)
    assert float(tiny["eta*_library"]) >= float(tiny["certified_lower"]) * (1 - 1e-9)
    # GD with "sum" at eta is GD with "mean" at n * eta (n = 16): the initial sharpness scales by n
    mean, total = rows[("synthetic", "tanh", "8", "mean")], rows[("synthetic", "tanh", "8", "sum")]
    assert float(total["s_init"]) == pytest.approx(16 * float(mean["s_init"]), rel=1e-3)
    # every net whose transition was seen has a measured edge inside the swept grid
    seen = [r for r in rows.values() if r["eta_half"] != "-"]
    assert len(seen) >= 3
