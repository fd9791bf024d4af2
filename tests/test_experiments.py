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
    # ... and with the gradient tolerance scaled by n too, the two runs are the same orbits:
    # the measured edges differ by exactly the factor n
    assert float(total["grad_tol"]) == pytest.approx(16 * float(mean["grad_tol"]))
    assert float(total["eta_jump"]) * 16 == pytest.approx(float(mean["eta_jump"]), rel=1e-3)
    # every net whose transition was seen has a measured edge inside the swept grid
    seen = [r for r in rows.values() if r["eta_half"] != "-"]
    assert len(seen) >= 3


def _seed_transition():
    import importlib.util

    path = ROOT / "experiments" / "seed_transition.py"
    spec = importlib.util.spec_from_file_location("seed_transition", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("seed_transition", module)  # its dataclasses look themselves up there
    spec.loader.exec_module(sys.modules["seed_transition"])
    module = sys.modules["seed_transition"]
    return module


def test_minimum_filter_rejects_a_flat_critical_point_far_above_the_best_loss():
    """A bias-free ReLU net on positive inputs whose hidden weights are all negative has every unit
    dead on every data point: the net is 0 on a neighbourhood of that point, so the gradient and
    the Hessian vanish there (sharpness 0, a predicted edge 2/s = inf) and the loss is
    mean(y^2)/2 = 1/2 for standardized targets. GD stops at such points (the stability check
    passes: Df = I), and some Glorot starts end on them. The filter must drop them and keep the
    best minimum GD found."""
    import numpy as np

    from gdmaps import Fate, iterate
    from gdmaps.basins.sharpness import sharpness
    from gdmaps.core.samplers import network_init
    from gdmaps.models import mlp

    st = _seed_transition()
    rng = np.random.default_rng(1)
    X = rng.uniform(0.5, 1.5, (2, 16))
    y = np.sin(3 * X[0]) * X[1]
    y = (y - y.mean()) / y.std()
    g = mlp(X, y[None], [2], "relu", reduction="mean")
    dead = np.concatenate([-np.ones(4), [0.7, -0.3]])[None]  # hidden weights < 0, any output weights
    assert g.numeric.loss(dead)[0] == pytest.approx(0.5, abs=1e-12)  # mean(y^2) / 2
    assert np.abs(g.numeric.gradient(dead)).max() == 0.0
    assert sharpness(g, dead)[0] == 0.0
    assert iterate(g.at(0.5), dead, 50).fate[0] == Fate.CONVERGED  # the stability-checked rule accepts it
    it = iterate(g.at(0.5), network_init(g, "glorot", 16, seed=0), 6000, grad_tol=1e-6)
    found = it.final[it.fate == Fate.CONVERGED]
    points = np.vstack([found, dead])
    loss = g.numeric.loss(points)
    gnorm = np.linalg.norm(g.numeric.gradient(points), axis=-1)
    assert loss.min() < 0.4  # GD's best is well below the dead level 1/2
    assert np.sum(np.isclose(loss, 0.5, atol=1e-9)) >= 2  # GD itself ends on dead points too
    mask = st.minimum_mask(loss, gnorm, grad_tol=1e-5)
    assert not mask[np.isclose(loss, 0.5, atol=1e-9)].any()
    assert mask[int(np.argmin(loss))]
    assert np.all(loss[mask] <= (1 + st.GAP) * loss.min() + 1e-9)
    # a point with a large gradient is no minimum either, whatever its loss
    assert not st.minimum_mask([0.0], [1.0], grad_tol=1e-5, best=0.0)[0]
