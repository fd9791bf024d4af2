"""Throughput of gdmaps.orbit_diagram against hand-written numpy in the same batch layout.

Run:  python benchmarks/bench_orbit_diagram.py [--values P] [--points N] [--steps S] [--quick]

An orbit diagram of P parameter values x N starts x S steps (transient S - 1, keep 1), for
the logistic map in r on [2.8, 4] (starts uniform in [0, 1]) and GD on L = (x^2 - 1)^2 / 4
in eta on [0.5, 2] (bounded up to the crisis at eta = 2; starts uniform in [-1, 1]). Both
implementations step one batch of P * N orbits, orbit i * N + j being start j at value i,
with a parameter array of one value per orbit. The hand reference is the loop a researcher
writes (``x = r * x * (1 - x)``),
with the divergence mask taken once at the end; gdmaps also checks for divergence every 100
steps. Best of 3, same process; writes ``benchmarks/results/orbit_diagram.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

import numpy as np
import sympy as sp

from gdmaps import GDMap
from gdmaps.maps import logistic
from gdmaps.bifurcations.orbit_diagram import orbit_diagram
from _timing import best

RESULTS = Path(__file__).parent / "results"


def hand_logistic(vals, x0, steps, blowup=1e8):
    r = np.repeat(vals, x0.size)
    x = np.tile(x0, vals.size)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x = r * x * (1 - x)
        bad = ~(np.abs(x) <= blowup)
    x[bad] = np.nan
    return x.reshape(vals.size, x0.size)


def hand_quartic(vals, x0, steps, blowup=1e8):
    eta = np.repeat(vals, x0.size)
    x = np.tile(x0, vals.size)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x = x - eta * x * (x * x - 1)
        bad = ~(np.abs(x) <= blowup)
    x[bad] = np.nan
    return x.reshape(vals.size, x0.size)


def chunked(hand, chunk=65536):
    """The same hand loop run over chunks of orbits, each through all its steps: the cache
    trick gdmaps uses, so the ratio against it measures gdmaps' overhead alone."""
    def run(vals, x0, steps, blowup=1e8):
        r = np.repeat(vals, x0.size)
        x = np.tile(x0, vals.size)
        out = np.empty_like(x)
        for i in range(0, x.size, chunk):
            out[i:i + chunk] = hand.step_loop(r[i:i + chunk], x[i:i + chunk], steps)
        out[~(np.abs(out) <= blowup)] = np.nan
        return out.reshape(vals.size, x0.size)
    return run


def _logistic_loop(r, x, steps):
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x = r * x * (1 - x)
    return x


def _quartic_loop(eta, x, steps):
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x = x - eta * x * (x * x - 1)
    return x


hand_logistic.step_loop = _logistic_loop
hand_quartic.step_loop = _quartic_loop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--values", type=int, default=2000)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help="200 values x 1000 points x 300 steps")
    args = ap.parse_args()
    P, n, S = (200, 1000, 300) if args.quick else (args.values, args.points, args.steps)
    x = sp.Symbol("x")
    cases = {
        "logistic": (logistic(3.0), "r", np.linspace(2.8, 4.0, P), (0.0, 1.0), hand_logistic),
        "gd_quartic": (GDMap((x**2 - 1) ** 2 / 4, [x]), "eta", np.linspace(0.5, 2.0, P), (-1.0, 1.0),
                       hand_quartic),
    }
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average"
          f" {os.getloadavg()[0]:.2f}; {P} values x {n} starts x {S} steps = {P * n * S:.2g} point-steps")
    report = {"machine": platform.platform(), "values": P, "points": n, "steps": S, "cases": {}}
    for name, (m, par, vals, (lo, hi), hand) in cases.items():
        x0 = np.random.default_rng(0).uniform(lo, hi, n)
        def ours(m=m, par=par, vals=vals, x0=x0):
            return orbit_diagram(m, par, vals, x0=x0[:, None], transient=S - 1, keep=1)

        ours()  # compile the kernel
        t_hand, ref = best(lambda hand=hand, vals=vals, x0=x0: hand(vals, x0, S))
        t_chunk, ref_c = best(lambda hand=hand, vals=vals, x0=x0: chunked(hand)(vals, x0, S))
        t_ours, d = best(ours)
        same = all(np.array_equal(np.isnan(r), d.diverged) and np.allclose(
            r, d.points[:, :, 0], rtol=0, atol=0, equal_nan=True) for r in (ref, ref_c))
        ratio, ratio_c = t_ours / t_hand, t_ours / t_chunk
        print(f"  {name:<11} hand numpy {t_hand:6.2f} s ({P * n * S / t_hand / 1e6:6.1f} M point-steps/s)"
              f"   chunked {t_chunk:6.2f} s   gdmaps {t_ours:6.2f} s ({P * n * S / t_ours / 1e6:6.1f} M/s)"
              f"   ratio {ratio:.3f} (against chunked {ratio_c:.3f})"
              f"   identical: {same}   diverged {int(d.diverged.sum())}")
        report["cases"][name] = {"parameter": par, "range": [vals[0], vals[-1]], "hand_s": t_hand,
                                 "hand_chunked_s": t_chunk, "ratio_chunked": ratio_c,
                                 "gdmaps_s": t_ours, "ratio": ratio, "identical": bool(same),
                                 "hand_Mps": P * n * S / t_hand / 1e6, "gdmaps_Mps": P * n * S / t_ours / 1e6,
                                 "diverged": int(d.diverged.sum())}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "orbit_diagram.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
