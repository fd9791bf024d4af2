"""Time the certified eta* bracket of depth-3 linear networks on non-whitened data.

Run:  python benchmarks/bench_certify_linear.py [--no-current] [--limit SECONDS]

For depth-3 linear networks with about 10, 30 and 50 parameters on random rational data
(X X^T not a multiple of I), times the model build, ``certified_linear_network`` (the bracket
and its relative width), and the full ``certify_measure_zero`` at eta = 0.9 * lower (below the
bracket: FAILS is expected, with a stable minimum as witness) and at eta = 1.1 * upper (above it:
HOLDS). Two columns of verdicts: "current" is ``certify_measure_zero`` as it stands (its
``critical_learning_rate`` does not call ``certified_linear_network`` yet: numeric path), and
"wired" patches ``critical_learning_rate`` to return the bracket, as the wiring into
gdmaps/critical.py will. The current runs go to a forked process stopped after ``--limit``
seconds (default 300; its numeric path takes minutes past 10 parameters); ``--no-current``
skips them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path
from unittest import mock

import numpy as np
import sympy as sp

from gdmaps.certify import certificate
from gdmaps.certify.certificate import certify_measure_zero
from gdmaps.certify.critical_linear_bracket import certified_linear_network
from gdmaps.models import linear_network

CASES = [(2, (2, 2), 1), (5, (3, 3), 2), (10, (3, 3), 3)]  # (d_in, widths, d_out): 10, 30, 48


def rational(rng, rows, cols):
    return sp.Matrix(rows, cols, [sp.Rational(int(x), 10) for x in rng.integers(-20, 21, rows * cols)])


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


_NETWORK = {}  # the GD map, inherited by the forked worker


def _current(eta):
    t, cert = timed(lambda: certify_measure_zero(_NETWORK["g"], eta=eta))
    return t, cert.status.value


def current_run(g, eta, limit):
    """``(seconds, verdict)`` of today's certify_measure_zero, or ``(limit, "timeout")``."""
    _NETWORK["g"] = g
    pool = multiprocessing.get_context("fork").Pool(1)
    try:
        return pool.apply_async(_current, (eta,)).get(timeout=limit)
    except multiprocessing.TimeoutError:
        return limit, "timeout"
    finally:
        pool.terminate()
        pool.join()


def main(current=True, limit=300.0):
    rng = np.random.default_rng(11)
    rows = []
    print(f"{'params':>6} {'build s':>8} {'bracket s':>9} {'rel width':>9}  {'eta* in':<34}"
          f" {'cert 0.9lo s':>12} {'cert 1.1up s':>12}  verdicts 0.9lo / 1.1up", flush=True)
    for d_in, widths, d_out in CASES:
        n = d_in + 3
        X, Y = rational(rng, d_in, n), rational(rng, d_out, n)
        t_build, g = timed(lambda X=X, Y=Y, widths=widths: linear_network(X, Y, widths))
        t_crit, crit = timed(lambda g=g: certified_linear_network(g))
        width = (crit.certified_upper - crit.certified_lower) / crit.certified_upper
        etas = (0.9 * crit.certified_lower, 1.1 * crit.certified_upper)
        with mock.patch.object(certificate, "critical_learning_rate", lambda _g, crit=crit: crit):
            wired = [timed(lambda e=e, g=g: certify_measure_zero(g, eta=e)) for e in etas]
        wired = [(t, c.status.value) for t, c in wired]
        now = [current_run(g, e, limit) for e in etas] if current else None
        row = dict(params=g.dim, build=t_build, bracket=t_crit, width=width,
                   lower=crit.certified_lower, upper=crit.certified_upper,
                   morse_bott=crit.morse_bott, wired=wired, current=now)
        rows.append(row)
        bracket = f"[{crit.certified_lower:.12g}, {crit.certified_upper:.12g}]"
        for label, runs in (("wired", wired), ("current", now)):
            if runs is None:
                continue
            print(f"{g.dim:>6} {t_build:>8.2f} {t_crit:>9.2f} {width:>9.1e}  {bracket:<34}"
                  f" {runs[0][0]:>12.2f} {runs[1][0]:>12.2f}  {runs[0][1]} / {runs[1][1]} ({label})",
                  flush=True)
    out = Path(__file__).parent / "results" / "certify_linear.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-current", action="store_true", help="skip today's certify_measure_zero")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per current run")
    args = parser.parse_args()
    main(current=not args.no_current, limit=args.limit)
