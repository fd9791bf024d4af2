"""The convergence rule before and after issue 11 section 5, on the runs that use it.

Run:  python benchmarks/bench_convergence_rule.py [--quick]

"old" is the rule gdmaps used before: stop where ||f(x) - x|| <= 1e-9 (for GD maps
eta ||grad L|| <= 1e-9), every stopped orbit converged; here ``disp_tol=1e-9,
stability=False``, which runs exactly that test. "new" is the default of ``iterate`` and
``convergent_fraction`` now: ||grad L|| <= tol max(1, ||grad L(x0)||) (tol = 1e-9, 1e-3 for
network models) and no linearly unstable stopping point. Prints the tables of
benchmarks/README.md and writes ``benchmarks/results/convergence_rule.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import sympy as sp

from gdmaps import GDMap, convergent_fraction, iterate
from gdmaps.models import mlp
from gdmaps.core.samplers import network_init

OLD = dict(disp_tol=1e-9, stability=False)


def fmt(c):
    return f"{c['converged']}/{c['moving']}/{c['diverged']}/{c['unstable']}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    a, b = sp.symbols("a b")
    ab = GDMap((a * b - 1) ** 2 / 2, [a, b])
    out = {}

    # 1. tiny step size on the default loss
    x0 = np.random.default_rng(0).normal(size=(100, 2))
    old, new = iterate(ab.at(1e-10), x0, 1000, **OLD), iterate(ab.at(1e-10), x0, 1000)
    print("## eta = 1e-10, (ab - 1)^2/2, 100 N(0,1) starts, 1000 steps")
    print(f"old: {old}\nnew: {new}\nmedian ||grad L|| at the end: {np.median(new.grad_norm):.3f}")
    out["tiny_eta"] = {"old": old.counts, "new": new.counts,
                       "median_grad": float(np.median(new.grad_norm))}

    # 2. the phase-transition sweep of examples/convergent_set.py and the analyze etas
    n = 500 if args.quick else 2000
    etas = [0.25, *np.round(np.linspace(0.5, 1.5, 21), 3)]
    print(f"\n## (ab - 1)^2/2, {n} N(0,1) starts, 1000 steps: converged/moving/diverged/unstable")
    print("| eta | old | new | old fraction | new fraction |\n|---|---|---|---|---|")
    rows = []
    for eta in etas:
        o = convergent_fraction(ab, eta=float(eta), starts=n, **OLD)
        w = convergent_fraction(ab, eta=float(eta), starts=n)
        rows.append({"eta": float(eta), "old": o.counts, "new": w.counts})
        print(f"| {eta:g} | {fmt(o.counts)} | {fmt(w.counts)} | {o.fraction:.4f} | {w.fraction:.4f} |")
    out["sweep_ab"] = rows

    # 3. XOR, the case
    xor = mlp([[0, 0, 1, 1], [0, 1, 0, 1]], [0, 1, 1, 0], [4], "tanh", reduction="mean", bias=True)
    print("\n## XOR 2-4-1 tanh with biases, mean loss, 1000 Glorot starts, 1000 steps")
    print("| eta | old | new, tol=1e-9 | new (network default tol=1e-3) |\n|---|---|---|---|")
    rows = []
    starts = network_init(xor, "glorot", 1000, seed=0)
    for eta in (0.5, 1.0, 2.0, 3.0):
        g = xor.at(eta)
        o, t9, d = (iterate(g, starts, 1000, **OLD), iterate(g, starts, 1000, tol=1e-9),
                    iterate(g, starts, 1000))
        sharp = o.fate == 1
        lam = np.linalg.eigvalsh(g.numeric.hessian(o.final[sharp]))[:, -1] if sharp.any() else []
        n_sharp = int(np.sum(eta * np.asarray(lam) > 2 + 1e-6))
        rows.append({"eta": eta, "old": o.counts, "old_sharper_than_2_over_eta": n_sharp,
                     "new_tol_1e-9": t9.counts, "new_default": d.counts})
        print(f"| {eta:g} | {fmt(o.counts)} ({n_sharp} with eta lambda_max > 2) | "
              f"{fmt(t9.counts)} | {fmt(d.counts)} |")
    out["xor"] = rows

    # 4. an over-parametrized network: 2-32-1 tanh (96 parameters) on 16 points
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 16))
    big = mlp(X, np.sin(X.sum(0, keepdims=True)), [32], "tanh", reduction="mean", symbolic=False)
    m, steps = (10, 5000) if args.quick else (40, 20000)
    starts = network_init(big, "he", m, seed=0)
    print(f"\n## 2-32-1 tanh MLP, 96 parameters, 16 points, mean loss, {m} He starts, {steps} steps")
    print("| eta | old | new (default tol=1e-3) | new, loss_min=0, loss_tol=1e-4 | time old / new |")
    print("|---|---|---|---|---|")
    rows = []
    for eta in (0.05, 0.1, 0.2, 0.3, 0.4):
        g = big.at(eta)
        t = time.perf_counter()
        o = iterate(g, starts, steps, **OLD)
        t_old = time.perf_counter() - t
        t = time.perf_counter()
        w = iterate(g, starts, steps)
        t_new = time.perf_counter() - t
        lo = iterate(g, starts, steps, loss_min=0, loss_tol=1e-4)
        rows.append({"eta": eta, "old": o.counts, "new": w.counts, "loss": lo.counts,
                     "time_old": t_old, "time_new": t_new})
        print(f"| {eta:g} | {fmt(o.counts)} | {fmt(w.counts)} | {fmt(lo.counts)} |"
              f" {t_old:.1f} s / {t_new:.1f} s |")
    out["mlp96"] = rows

    path = Path(__file__).parent / "results" / "convergence_rule.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=1))
    print("wrote", path)


if __name__ == "__main__":
    main()
