"""What the stability check of gdmaps.iterate costs: the same runs with and without it.

Run:  python benchmarks/bench_stability_check.py [--quick] [--repeats R]

``iterate(..., stability=True)`` (the default) computes rho(Df) at every orbit that stopped
(converged or stalled) and runs the orbits that stalled at an unstable point on to the last
step; ``stability=False`` is the run without it. Both are timed in the same process, on the
same starts, best of ``--repeats`` after a warm-up (which compiles the Hessians), interleaved.
The ratio is time with / time without; "check" is the time of ``spectral_radii`` alone on
the orbits that stopped, the rest of the difference is running on the orbits that stalled
at unstable points. Writes ``benchmarks/results/stability_check.json``.

Cases (the engine is "auto": numba for the symbolic 2-D maps when installed, numpy otherwise):

* ``ab-0.5``: (ab - 1)^2/2, eta = 0.5, 10^6 N(0, 1) starts, 1000 steps: 97% converge within
  about 50 steps, so the check runs on 973,000 points (the compiled Hessian rows and the
  closed-form eigenvalues of a symmetric 2 x 2 matrix).
* ``ab-0.5np``: the same on the numpy engine.
* ``ab-1.2``: the same past eta* = 1: almost nothing stops, the check has nothing to do.
* ``xor``: 2-4-1 tanh MLP with biases on XOR (17 parameters, SymPy GD map), mean loss,
  eta = 0.5, 2000 Glorot starts, 1000 steps, ``tol = 1e-9`` (Hessians by backpropagation).
* ``mlp96``: 2-32-1 tanh MLP (96 parameters, numpy backprop) on 16 points, eta = 0.2,
  200 He starts, 2000 steps, the network default tolerance: Lanczos (40 HVPs per point).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

import numpy as np
import sympy as sp

from _timing import best
from gdmaps import GDMap, iterate
from gdmaps.models import mlp
from gdmaps.core.samplers import network_init
from gdmaps.core.stability import spectral_radii


def cases(quick):
    a, b = sp.symbols("a b")
    ab = GDMap((a * b - 1) ** 2 / 2, [a, b])
    n = 100_000 if quick else 1_000_000
    x0 = np.random.default_rng(2024).normal(size=(n, 2))
    xor = mlp([[0, 0, 1, 1], [0, 1, 0, 1]], [0, 1, 1, 0], [4], "tanh", reduction="mean",
              bias=True, eta=0.5)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 16))
    big = mlp(X, np.sin(X.sum(0, keepdims=True)), [32], "tanh", reduction="mean", symbolic=False,
              eta=0.2)
    return [
        ("ab-0.5", ab.at(0.5), x0, 1000, {}),
        ("ab-0.5np", ab.at(0.5), x0, 1000, {"backend": "numpy"}),
        ("ab-1.2", ab.at(1.2), x0, 1000, {}),
        ("xor", xor, network_init(xor, "glorot", 500 if quick else 2000, seed=0), 1000,
         {"tol": 1e-9}),
        ("mlp96", big, network_init(big, "he", 50 if quick else 200, seed=0), 500 if quick else 2000,
         {}),
    ]


def fmt(c):
    return f"{c['converged']}/{c['moving']}/{c['diverged']}/{c['unstable']}"


def measure(name, g, x0, steps, kw, repeats):
    """Time one case with and without the check, interleaved; print and return its row."""
    iterate(g, x0[:50], 20, **kw)  # warm-up: compile the step (and numba kernel) and Hessian
    iterate(g, x0, steps, **kw)
    t_off, t_on, off, on = [], [], None, None
    for _ in range(repeats):  # interleaved, so load changes hit both alike
        s, off = best(lambda: iterate(g, x0, steps, stability=False, **kw), 1)
        t_off.append(s)
        s, on = best(lambda: iterate(g, x0, steps, **kw), 1)
        t_on.append(s)
    stopped = off.final[off.fate == 1]
    t_check, _ = best(lambda: spectral_radii(g, stopped), repeats)
    row = {"case": name, "n": len(x0), "steps": steps, "without_s": min(t_off),
           "with_s": min(t_on), "ratio": min(t_on) / min(t_off), "check_s": t_check,
           "stopped": len(stopped), "fates_without": off.counts, "fates_with": on.counts,
           "rule": on.rule}
    print(f"{name:8} {row['without_s']:8.3f}s {row['with_s']:8.3f}s {row['ratio']:6.2f}"
          f" {t_check:8.3f}s {len(stopped):>8}  {fmt(off.counts)} -> {fmt(on.counts)}")
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cpus")
    print(f"{'case':8} {'without':>9} {'with':>9} {'ratio':>6} {'check':>9} {'stopped':>8}  fates"
          " (converged/moving/diverged/unstable) without -> with")
    rows = [measure(*case, args.repeats) for case in cases(args.quick)]
    out = Path(__file__).parent / "results" / "stability_check.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": platform.platform(), "load": os.getloadavg()[0],
                               "quick": args.quick, "rows": rows}, indent=1))
    print("wrote", out)


if __name__ == "__main__":
    main()
