"""Every notebook in examples/ runs in a fresh kernel, and its key numbers are right.

Each notebook is executed with nbclient (kernel "python3", which jupyter_client resolves to the
Python running the tests when ipykernel is installed in it), with a timeout per cell. The
numbers printed in its outputs are then checked against truth derived here, independently of
gdmaps:

- (ab - 1)^2 / 2: eta* = 1/|y| = 1 (DESIGN.md); FAILS below, HOLDS above.
- Scalar chain of depth k = 3, y = 1: eta* = 2 / (k |y|^(2 - 2/k)) = 2/3.
- x^2/2 + y^2: det(I - eta H) = (1 - eta)(1 - 2 eta), singular exactly at eta = 1/2 and 1.
- (x^2 - 1)^2 / 4: the minima x = +-1 flip at eta = 2 / L''(1) = 1; the 2-cycle born there
  has multiplier -1 at the printed second doubling (checked here with numpy polynomial roots);
  on the fixed point the Lyapunov exponent is ln|1 - 2 eta|; the gap ratios tend to
  Feigenbaum's delta = 4.6692 (Feigenbaum, J. Stat. Phys. 19, 25, 1978).
- Henon map a = 1.4, b = 0.3: orbits of prime period 1..14 (Davidchack & Lai, Phys. Rev. E 60,
  6172, 1999, Table I; proved by Galias, Int. J. Bifurcation Chaos 11, 2427, 2001); the
  multipliers of a period-p orbit multiply to det(Df)^p = (-b)^p.
- tanh 1-2-1 network on x = +-1 -> y = +-1/2 (sum loss): eta* = (1 + sqrt 5)/2, the golden ratio
  (derived in the notebook's prose; s_min = sqrt(5) - 1).
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
CELL_TIMEOUT = 240  # seconds per cell; every notebook runs in well under a minute
HENON_COUNTS = [2, 1, 0, 1, 0, 2, 4, 7, 6, 10, 14, 19, 32, 44]  # Davidchack & Lai 1999, p = 1..14
PHI = (1 + math.sqrt(5)) / 2


def kernel_env() -> dict:
    """The environment of the kernel: this checkout importable, and the inline backend."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def execute(nb):
    """Run ``nb`` in a fresh python3 kernel started from examples/; returns it with outputs."""
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute(env=kernel_env())
    return nb


def text_of(nb) -> str:
    """All printed and displayed text of a notebook's outputs, in order."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                parts.append(out["text"])
            elif "data" in out and "text/plain" in out["data"]:
                parts.append(out["data"]["text/plain"] + "\n")
    return "".join(parts)


def images_of(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


_RUNS: dict[str, tuple[str, int, float]] = {}


def run(name: str) -> tuple[str, int, float]:
    """Execute examples/``name`` once per session: (output text, number of figures, seconds)."""
    if name not in _RUNS:
        nb = nbformat.read(EXAMPLES / name, as_version=4)
        for cell in nb.cells:  # start from nothing: the stored outputs must not leak into the check
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        start = time.perf_counter()
        execute(nb)
        _RUNS[name] = (text_of(nb), images_of(nb), time.perf_counter() - start)
    return _RUNS[name]


def number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not found in the outputs:\n{text[-3000:]}"
    return float(m.group(1))


def test_the_five_notebooks_are_there():
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01_quick_start.ipynb", "02_certificate.ipynb", "03_edge_of_stability.ipynb",
                     "04_henon_orbits.ipynb", "05_network_phase_transition.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_notebook_is_executed(path):
    """The committed notebooks carry their outputs: every code cell ran, in order, without error."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)
    assert images_of(nb) >= 1
    prose = sum(len(c.source) for c in nb.cells if c.cell_type == "markdown")
    assert prose > sum(len(c.source) for c in code) / 2, "a notebook is mostly prose and figures"


def test_kernel_is_this_python():
    """kernel_name="python3" resolves to the interpreter running the tests (where gdmaps is)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    out = text_of(execute(nb)).strip()
    assert Path(out).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_fast_with_figures(path):
    text, images, seconds = run(path.name)
    assert images >= 1
    assert seconds < 120, f"{path.name} took {seconds:.0f} s"  # 3-8 s on 2 idle cores


def test_quick_start():
    text, _, _ = run("01_quick_start.ipynb")
    assert number(r"eta\* = (\S+) \| s_min", text) == 1  # 1/|y| with y = 1
    assert number(r"s_min = (\S+) \| exactness: EXACT", text) == 2
    converged = {float(e): int(c) for e, c in re.findall(r"eta = ([\d.]+): converged +(\d+) / 10000", text)}
    assert set(converged) == {0.5, 0.9, 1.1, 1.5}
    assert converged[0.5] > 5000 and converged[0.9] > 5000  # below eta*: most starts converge
    assert converged[1.1] == 0 and converged[1.5] == 0  # above eta*: none does


def test_certificate():
    text, _, _ = run("02_certificate.ipynb")
    assert "<Certificate FAILS at eta = 9/10 (global-minima)" in text
    assert "<Certificate HOLDS at eta = 11/10 (global-minima)" in text
    assert "<Certificate HOLDS at eta = 11/10 (critical-points)" in text
    assert "<CriticalLearningRate (exact): eta* = 1, s_min = 2>" in text
    assert re.search(r"witness: \{'point': \(1, 1\), 'lambda_max': 2, 'normal_multiplier': -4/5", text)
    # non-singularity: the printed determinant value equals det(I - 11/10 H) at the printed point
    m = re.search(r"det\(I - eta H\) = (-?\d+)/(\d+) != 0 at the rational point \((-?\d+/\d+), (-?\d+/\d+)\)",
                  text)
    assert m
    from fractions import Fraction
    a, b, eta = Fraction(m.group(3)), Fraction(m.group(4)), Fraction(11, 10)
    H = [[b * b, 2 * a * b - 1], [2 * a * b - 1, a * a]]
    det = (1 - eta * H[0][0]) * (1 - eta * H[1][1]) - (eta * H[0][1]) ** 2
    assert det == Fraction(int(m.group(1)), int(m.group(2))) != 0
    # Monte Carlo: none of 4000 starts converges above eta*
    assert "at eta=1.1: 0/4000 converged" in text
    assert number(r"at eta=0\.9: (\d+)/4000 converged", text) > 2000
    # scalar chain k = 3, y = 1: eta* = 2 / (k |y|^(2 - 2/k))
    k, y = 3, sp.Integer(1)
    s_min = k * abs(y) ** (2 - sp.Rational(2, k))
    assert f"<CriticalLearningRate (exact): eta* = {2 / s_min}, s_min = {s_min}>" in text
    assert "<Certificate HOLDS at eta = 1 (global-minima)" in text
    assert "<Certificate INCONCLUSIVE at eta = 1 (critical-points)" in text
    assert "H vanishes at the critical points" in text
    # x^2/2 + y^2: det(I - eta diag(1, 2)) = (1 - eta)(1 - 2 eta) vanishes at 1/2 and 1
    assert "(singular) at eta = 1:" in text and "exceptional step sizes are (1/2, 1)" in text
    assert "<Certificate INCONCLUSIVE at eta = 1 (global-minima)" in text
    assert "<Certificate HOLDS at eta = 101/100 (global-minima)" in text


def _two_cycle_multiplier(eta: float) -> float:
    """Product of f'(x) over the 2-cycle near x = 1 of f(x) = x - eta x (x^2 - 1), by numpy roots."""
    f = np.polynomial.Polynomial([0, 1 + eta, 0, -eta])
    roots = (f(f) - np.polynomial.Polynomial([0, 1])).roots()
    fixed = {-1.0, 0.0, 1.0}
    cycle = [r.real for r in roots if abs(r.imag) < 1e-9 and min(abs(r.real - p) for p in fixed) > 1e-6
             and r.real > 0 and f(r.real) > 0]  # not the symmetric cycle x -> -x
    assert len(cycle) == 2
    return float(np.prod([f.deriv()(x) for x in cycle]))


def test_edge_of_stability():
    text, _, _ = run("03_edge_of_stability.ipynb")
    rows = re.findall(r"eta = ([\d.]+): 2/eta = +([\d.]+), final sharpness ([\d.]+) .*fate converged", text)
    assert len(rows) == 4
    finals = [float(s) for _, _, s in rows]
    for eta, _, s in rows:
        assert float(s) < 2 / float(eta)  # a minimum GD converges to is at most 2/eta sharp
    assert finals == sorted(finals, reverse=True)  # larger steps end in flatter minima
    assert "(<period-doubling of a fixed point at eta = 1>,)" in text  # 2 / L''(1) = 2/2
    assert "period-doubling of period 1 at eta = 1 = 1.0000000000" in text
    second = number(r"period-doubling of period 2 at eta = -1 \+ sqrt\(5\) = ([\d.]+)", text)
    assert _two_cycle_multiplier(second) == pytest.approx(-1, abs=1e-8)
    assert _two_cycle_multiplier(second - 0.01) > -1 > _two_cycle_multiplier(second + 0.01)
    located = [float(v) for v in re.findall(r"period \d+ -> \d+ at eta = ([\d.]+)", text)]
    assert len(located) >= 4
    assert located[0] == pytest.approx(1.0, abs=1e-9) and located[1] == pytest.approx(second, abs=1e-9)
    ratios = [float(v) for v in re.search(r"gap ratios: (.*)", text).group(1).split(", ")]
    assert ratios[-1] == pytest.approx(4.6692, abs=0.05)
    lyap = re.findall(r"eta = ([\d.]+): Lyapunov exponent ([-+][\d.]+)", text)
    assert len(lyap) == 3
    for eta, lam in lyap:
        assert float(lam) == pytest.approx(math.log(abs(1 - 2 * float(eta))), abs=1e-5)
    assert number(r"largest exponent over the range: ([\d.]+)", text) > 0.5  # chaos past the cascade


def test_henon_orbits():
    text, images, _ = run("04_henon_orbits.ipynb")
    rows = re.findall(r"^ *(\d+) +(\d+) +(\d+) +(\d+)  saturated$", text, flags=re.M)
    assert [int(p) for p, *_ in rows] == list(range(1, 15))
    assert [int(found) for _, _, found, _ in rows] == HENON_COUNTS
    assert [int(cert) for *_, cert in rows] == HENON_COUNTS  # each orbit Krawczyk-certified
    assert f"total {sum(HENON_COUNTS)} orbits" in text
    assert number(r"\| product: ([\d.]+) =", text) == pytest.approx(0.3**6, rel=1e-6)  # (-b)^6
    assert "saddle period-6 orbit" in text and "(certified)" in text
    assert text.count("<StableManifold: 1-D of the saddle") == 2
    assert "<UnstableManifold: 1-D of the saddle [0.631354, 0.189406]" in text
    assert images == 2


def test_network_phase_transition():
    text, _, _ = run("05_network_phase_transition.ipynb")
    estimate = number(r"estimate ([\d.]+), golden ratio", text)
    assert estimate == pytest.approx(PHI, abs=1e-4)
    assert "(numeric estimate)" in text
    assert "<Certificate INCONCLUSIVE at eta = 9/5 (global-minima)" in text  # no proof for an estimate
    last = number(r"last eta with converged starts ([\d.]+)", text)
    first = number(r"first without ([\d.]+);", text)
    assert last < PHI < first and first - last < 0.06
    assert "at eta=0.2: 2000/2000 converged" in text  # small steps: every start converges
    fractions = {float(e): int(c) for e, c in re.findall(r"at eta=([\d.]+): (\d+)/2000 converged", text)}
    below, above = (f"{0.995 * PHI:g}", f"{1.005 * PHI:g}")
    assert fractions[float(below)] > 100  # half a percent below eta*: a clear share converges
    assert fractions[float(above)] == 0  # half a percent above: none
    assert re.search(rf"at eta={re.escape(above)}: 0/2000 converged, 95% CI \[0, 0\.00184\]", text)
