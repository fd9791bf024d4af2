"""Time to certify depth-2 linear networks of growing size (issue: measure-zero certificates).

Run:  python benchmarks/bench_certify.py

For each hidden width, a depth-2 linear network on whitened data (X = I, so X X^T = I)
with a fixed random rational target Y; the certificate is asked at eta = 1.1 eta*, where it
must HOLD. Times the model build (SymPy loss), the exact critical learning rate, the
non-singularity proof (exact flint determinant) and the whole certificate.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import sympy as sp

from gdmaps.certify.certificate import certify_measure_zero
from gdmaps.certify.critical import critical_learning_rate
from gdmaps.models import linear_network
from gdmaps.certify.non_singularity import non_singularity

CASES = [(3, h, 3) for h in range(2, 9)] + [(5, 5, 5)]  # (d_in = n, width, d_out)


def main():
    rng = np.random.default_rng(7)
    rows = []
    print(f"{'d_in':>4} {'width':>5} {'d_out':>5} {'params':>6} {'build s':>8} {'eta* s':>7}"
          f" {'det s':>6} {'certify s':>9}  status")
    for d_in, h, d_out in CASES:
        Y = np.round(rng.normal(size=(d_out, d_in)), 1)
        t0 = time.perf_counter()
        g = linear_network(np.eye(d_in), Y, [h])
        t1 = time.perf_counter()
        crit = critical_learning_rate(g)
        t2 = time.perf_counter()
        eta = sp.Rational(sp.N(sp.Rational(11, 10) * crit.eta_star, 12))
        non_singularity(g, eta=eta)
        t3 = time.perf_counter()
        cert = certify_measure_zero(g, eta=eta)
        t4 = time.perf_counter()
        row = dict(d_in=d_in, width=h, d_out=d_out, params=g.dim, build=t1 - t0, eta_star=t2 - t1,
                   det=t3 - t2, certify=t4 - t3, total=t4 - t0, status=cert.status.value)
        rows.append(row)
        print(f"{d_in:>4} {h:>5} {d_out:>5} {g.dim:>6} {row['build']:>8.2f} {row['eta_star']:>7.2f}"
              f" {row['det']:>6.2f} {row['certify']:>9.2f}  {row['status']}")
    out = Path(__file__).parent / "results" / "certify.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    big = [r for r in rows if r["params"] >= 50]
    if big:
        print(f"\n{big[0]['params']} parameters: built and certified in {big[0]['total']:.1f} s"
              " (goal: under 60 s)")


if __name__ == "__main__":
    main()
