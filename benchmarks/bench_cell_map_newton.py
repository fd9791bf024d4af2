"""Basin shares of Newton's map for z^3 = 1 by gdmaps.cell_map, against an independent grid.

Run:  python benchmarks/bench_cell_map_newton.py [--truth N] [--out FILE]

Newton's map z -> z - (z^3 - 1) / (3 z^2), written over the reals, on [-2, 2]^2. The truth is
computed here with plain numpy complex arithmetic (no gdmaps): the N x N cell centres are
iterated 60 times and each is assigned to the root it ends within 1e-6 of. Reports the
shares of the default cell map (41 cells per axis, the CLI default; every other knob at its
default), of the old rule (images outside the box are escape, cells are counted whole by
the targets they reach in the graph of ``excursion=0``, on a grid without refinement), and
the largest error of the shares and the time (best of 3) over ``steps`` x ``refine``, over
``cells`` and over ``boundary_samples``.
Writes benchmarks/results/cell_map_newton.json.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import networkx as nx
import numpy as np

from _timing import best
from gdmaps.basins.cell_map import SINK, cell_map
from gdmaps.maps import from_text

NEWTON = ("x: 2*x/3 + (x**2 - y**2)/(3*(x**2 + y**2)**2);"
          " y: 2*y/3 - 2*x*y/(3*(x**2 + y**2)**2)")
REGION = [[-2.0, 2.0], [-2.0, 2.0]]
ROOTS = np.exp(2j * np.pi * np.arange(3) / 3)


def truth(n, iters=60):
    """Shares of the basins of the three roots among the n x n cell centres of the box, in
    the order of the cell map's attractors (by first coordinate: e^(-2 pi i/3), e^(2 pi i/3),
    1), and the share that converged to none."""
    t = -2 + 4 * (np.arange(n) + 0.5) / n
    z = t[None, :] + 1j * t[:, None]
    with np.errstate(all="ignore"):
        for _ in range(iters):
            z = z - (z**3 - 1) / (3 * z**2)
    d = np.abs(z[..., None] - ROOTS)
    k, ok = d.argmin(axis=-1), d.min(axis=-1) < 1e-6
    shares = [float(((k == i) & ok).mean()) for i in range(3)]
    return [shares[2], shares[1], shares[0]], float((~ok).mean())


def old_rule(res):
    """The shares as the cell map counted them before excursions and split cells: from the
    graph alone (``excursion=0``), a cell reaching one target counts whole for it, a cell
    reaching several is uncertain."""
    targets = [set().union(*(nx.ancestors(res.graph, int(c)) | {int(c)} for c in cells))
               for cells in res.attractor_cells] + [nx.ancestors(res.graph, SINK)]
    reach = np.array([[c in t for c in range(res.n_cells)] for t in targets])
    one = reach.sum(axis=0) == 1
    which = reach.argmax(axis=0)
    n = res.n_cells
    return {"shares": [float((one & (which == i)).sum() / n) for i in range(len(targets) - 1)],
            "escape": float((one & (which == len(targets) - 1)).sum() / n),
            "uncertain": float((~one).sum() / n)}


def row(m, true, cells=41, **kw):
    t, res = best(lambda: cell_map(m, REGION, cells, **kw))
    shares = [res.basin_share[i] for i in range(len(res.attractor_cells))]
    err = max(abs(a - b) for a, b in zip(shares, true)) if len(shares) == 3 else float("nan")
    return {"cells": cells, **kw, "n_cells": res.n_cells, "shares": shares,
            "escape": res.escape_share, "uncertain": res.uncertain_share,
            "boundary": res.boundary_share, "max_error": err, "time_s": t}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", type=int, default=2000, help="grid points per axis of the truth")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results" / "cell_map_newton.json"))
    args = ap.parse_args()
    m = from_text(NEWTON)
    true, none = truth(args.truth)
    half = truth(args.truth // 2)[0]
    print(f"truth ({args.truth}^2 grid): {[round(s, 4) for s in true]}, converged to no root {none:.2g};"
          f" a {args.truth // 2}^2 grid differs by {max(abs(a - b) for a, b in zip(true, half)):.2g}")

    old_row = old_rule(cell_map(m, REGION, 41, excursion=0))
    print(f"old rule (41 cells): shares {[round(s, 3) for s in old_row['shares']]}, escape"
          f" {old_row['escape']:.3g}, uncertain {old_row['uncertain']:.3g}")
    default = row(m, true)
    print(f"default (41 cells): shares {[round(s, 4) for s in default['shares']]}, escape"
          f" {default['escape']:.3g}, uncertain {default['uncertain']:.3g}, boundary cells"
          f" {default['boundary']:.3g}; max error {default['max_error']:.4f}, {default['time_s']:.3f} s")

    print("\n| steps | refine | cells mapped | boundary cells | max error | time |")
    print("|---|---|---|---|---|---|")
    grid = []
    for steps in (1, 2, 5, 10):
        for refine in (0, 1, 2, 3):
            r = row(m, true, steps=steps, refine=refine)
            grid.append(r)
            print(f"| {steps} | {refine} | {r['n_cells']} | {r['boundary']:.3f} | {r['max_error']:.4f}"
                  f" | {r['time_s']:.3f} s |")
    print("\n| cells per axis | boundary cells | max error | time |\n|---|---|---|---|")
    sizes = []
    for cells in (11, 21, 41, 81, 161):
        r = row(m, true, cells=cells)
        sizes.append(r)
        print(f"| {cells} | {r['boundary']:.3f} | {r['max_error']:.4f} | {r['time_s']:.3f} s |")
    print("\n| boundary_samples | max error | time |\n|---|---|---|")
    samples = []
    for b in (1, 4, 16, 64):
        r = row(m, true, boundary_samples=b)
        samples.append(r)
        print(f"| {b} | {r['max_error']:.4f} | {r['time_s']:.3f} s |")
    pathlib.Path(args.out).write_text(json.dumps(
        {"truth_grid": args.truth, "truth": true, "truth_none": none, "old_rule": old_row,
         "default": default, "steps_refine": grid, "cells": sizes, "boundary_samples": samples},
        indent=1) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
