"""Time to certify polynomial losses in two variables (goal: under 2 s per certificate).

Run:  python benchmarks/bench_certify_polynomial.py

Each loss is certified at 0.9 eta* and 1.1 eta* (eta* from the library's exact path; the
test suite checks those values against hand derivations). The reference in the same process
is the textbook SymPy route to the same numbers: ``sympy.solve`` on the gradient, then
``Matrix.eigenvals`` of the Hessian at every real solution (no certification, no
identification of equal values); its time is reported beside ours, with the ratio.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import sympy as sp

from _timing import best
from gdmaps import GDMap, certify_measure_zero, critical_learning_rate

a, b = sp.symbols("a b")
R = sp.Rational
LOSSES = {
    "Rosenbrock": (a - 1)**2 + 100*(b - a**2)**2,
    "Himmelblau": (a**2 + b - 11)**2 + (a + b**2 - 7)**2,
    "Beale": (R(3, 2) - a + a*b)**2 + (R(9, 4) - a + a*b**2)**2 + (R(21, 8) - a + a*b**3)**2,
    "Booth": (a + 2*b - 7)**2 + (2*a + b - 5)**2,
    "three-hump camel": 2*a**2 - R(21, 20)*a**4 + a**6/6 + a*b + b**2,
    "six-hump camel": 4*a**2 - R(21, 10)*a**4 + a**6/3 + a*b - 4*b**2 + 4*b**4,
    "two minima of different sharpness": (a*b - 2)**2/2 + (a**2 - b**2)**2/10,
    "double well": (a**2 - 1)**2 + 3*(b**2 - 4)**2,
    "phase retrieval": (a**2 - b)**2,
    "ring": (a**2 + b**2 - 1)**2,
    "default (ab - 1)^2/2": (a*b - 1)**2/2,
}


class _Timeout(Exception):
    pass


def _reference(loss, limit=30):
    """sympy.solve + eigenvals, stopped after ``limit`` seconds."""
    def alarm(*_):
        raise _Timeout
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(limit)
    t = time.perf_counter()
    try:
        H = sp.hessian(loss, (a, b))
        for s in sp.solve([sp.diff(loss, a), sp.diff(loss, b)], [a, b], dict=True):
            H.subs(s).eigenvals()
        return time.perf_counter() - t
    except (_Timeout, NotImplementedError):
        return None
    finally:
        signal.alarm(0)


def main():
    rows = []
    print(f"{'loss':<34} {'eta*':<26} {'0.9 eta*':<13} {'1.1 eta*':<13} {'s/cert':>7}"
          f" {'ref s':>7} {'ratio':>6}")
    for name, loss in LOSSES.items():
        g = GDMap(loss, [a, b])
        crit = critical_learning_rate(g)
        verdicts, times = [], []
        for f in (R(9, 10), R(11, 10)):
            eta = sp.Rational(str(sp.N(f * crit.eta_star, 15))) if crit.eta_star.is_finite else 1
            t, cert = best(lambda loss=loss, eta=eta: certify_measure_zero(GDMap(loss, [a, b]), eta=eta),
                           repeats=1)
            verdicts.append(cert.status.value)
            times.append(t)
        ref = _reference(loss)
        per = max(times)
        star = str(crit.eta_star) if len(str(crit.eta_star)) < 26 else f"{float(crit.eta_star):.10g}"
        ratio = f"{per / ref:6.2f}" if ref else "   n/a"
        print(f"{name:<34} {star:<26} {verdicts[0]:<13} {verdicts[1]:<13} {per:7.2f}"
              f" {ref if ref is None else round(ref, 2)!s:>7} {ratio}")
        rows.append({"loss": name, "eta_star": str(crit.eta_star), "exactness": crit.exactness.value,
                     "verdicts": verdicts, "seconds": times, "reference_seconds": ref})
    out = Path(__file__).parent / "results" / "certify_polynomial.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
