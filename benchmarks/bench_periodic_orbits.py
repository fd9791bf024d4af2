"""Time to find every orbit of the Henon map (a = 1.4, b = 0.3) of periods 1..15.

Run:  python benchmarks/bench_periodic_orbits.py [--max-period 15] [--no-peer] [--peer-budget 900]

gdmaps: ``periodic_orbits_up_to(henon(), max_period, [[-2, 2], [-2, 2]])`` with its
defaults, timed in this process. The peer: TSDynamics'
``tsdynamics.analysis.periodic_orbits(Henon(), p, region=...)``, one call per
period with its defaults (Newton on f^p from 300 seeds; ``--peer-method dl`` for
its Davidchack-Lai iteration), run in a virtual
environment of its own because it needs Python >= 3.12: the script looks for such
an interpreter (python3.13, python3.12 on PATH, then pyenv's versions), creates
``benchmarks/results/peer-venv`` and pip-installs tsdynamics there once. Without
such an interpreter, or when the install fails, it says so in one line and
reports gdmaps alone.

Prints the counts per period for both against the published table (Davidchack &
Lai, Phys. Rev. E 60, 6172, 1999, Table I; Galias, Int. J. Bifurcation Chaos 11,
2427, 2001) and the times; writes ``benchmarks/results/periodic_orbits.json``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PEER_VENV = RESULTS / "peer-venv"
PUBLISHED = [2, 1, 0, 1, 0, 2, 4, 7, 6, 10, 14, 19, 32, 44, 72, 102, 166, 233, 364, 535]
BOX = [[-2.0, 2.0], [-2.0, 2.0]]

# Runs inside the peer's environment: one periodic_orbits call per period, JSON on stdout.
PEER_SCRIPT = r"""
import importlib, json, pkgutil, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")  # overflow warnings of seeds that diverge
import tsdynamics
from tsdynamics.analysis import periodic_orbits

def find_henon():
    for name in ("tsdynamics.systems", "tsdynamics.systems.discrete", "tsdynamics"):
        try:
            return getattr(importlib.import_module(name), "Henon")
        except Exception:  # a missing module, or a module __getattr__ that raises its own error
            continue
    for info in pkgutil.walk_packages(tsdynamics.__path__, "tsdynamics."):
        if ".systems" in info.name:
            try:
                return getattr(importlib.import_module(info.name), "Henon")
            except Exception:
                continue
    raise ImportError("no Henon class in tsdynamics")

max_period, budget, box, method = int(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
Henon = find_henon()
system = Henon(params={"a": 1.4, "b": 0.3})
out = {"version": getattr(tsdynamics, "__version__", "?"), "counts": {}, "times": {}}
start = time.perf_counter()
for p in range(1, max_period + 1):
    t = time.perf_counter()
    kw = {} if method == "default" else {"method": method}
    found = periodic_orbits(system, p, region=[tuple(r) for r in box], seed=0, **kw)
    out["times"][p] = time.perf_counter() - t
    orbits = getattr(found, "items", found)  # iterating an OrbitSet yields point arrays
    inside = [np.all(np.abs(np.asarray(getattr(o, "points", o))) <= 2) for o in orbits]
    out["counts"][p] = int(sum(inside))
    print(json.dumps({"period": p, "count": out["counts"][p], "time": out["times"][p]}),
          file=sys.stderr, flush=True)
    if time.perf_counter() - start > budget:
        out["stopped"] = f"time budget of {budget:g} s spent after period {p}"
        break
print(json.dumps(out))
"""


def python312():
    """An interpreter >= 3.12 on this machine, or None. Only existing ones: none is installed."""
    candidates = [shutil.which(n) for n in ("python3.14", "python3.13", "python3.12")]
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    for root in filter(None, roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", "3.1[2-9]*", "bin", "python3")),
                         reverse=True)
    for exe in filter(None, candidates):
        try:  # pyenv shims exist for versions that are not selected, and then fail
            v = subprocess.run([exe, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                               capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if v.returncode == 0 and v.stdout.strip() == "True":
            return exe
    return None


def peer_python():
    """The peer environment's python with tsdynamics installed, or (None, why not)."""
    py = PEER_VENV / "bin" / "python"
    check = [str(py), "-c", "import tsdynamics.analysis"]
    if py.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(py), None
    base = python312()
    if base is None:
        return None, "no Python >= 3.12 interpreter on this machine (TSDynamics needs one)"
    RESULTS.mkdir(exist_ok=True)
    steps = [[base, "-m", "venv", "--clear", str(PEER_VENV)],
             [str(py), "-m", "pip", "install", "--quiet", "tsdynamics"]]
    for cmd in steps:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if r.returncode != 0:
            last = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["?"]
            return None, f"could not set up TSDynamics ({' '.join(cmd[-2:])}: {last[0]})"
    if subprocess.run(check, capture_output=True).returncode != 0:
        return None, "tsdynamics installed but tsdynamics.analysis does not import"
    return str(py), None


def run_peer(max_period, budget, method):
    py, why = peer_python()
    if py is None:
        return None, why
    try:
        r = subprocess.run([py, "-c", PEER_SCRIPT, str(max_period), str(budget), json.dumps(BOX), method],
                           capture_output=True, text=True, timeout=budget * 2 + 600)
    except subprocess.TimeoutExpired:
        return None, f"TSDynamics did not finish within {budget * 2 + 600:g} s"
    if r.returncode != 0:
        last = r.stderr.strip().splitlines()[-1:] or ["?"]
        return None, f"TSDynamics failed: {last[0]}"
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["counts"] = {int(k): v for k, v in out["counts"].items()}
    out["times"] = {int(k): v for k, v in out["times"].items()}
    return out, None


def run_gdmaps(max_period, **options):
    from gdmaps.maps import henon
    from gdmaps.orbits.periodic_orbits import periodic_orbits_up_to

    m = henon()
    m.numeric.step([0.0, 0.0])  # compile outside the timing
    start = time.perf_counter()
    found = periodic_orbits_up_to(m, max_period, BOX, **options)
    total = time.perf_counter() - start
    return {"counts": {p: r.count for p, r in found.items()},
            "status": {p: r.status.value for p, r in found.items()}, "total": total}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-period", type=int, default=15)
    ap.add_argument("--no-peer", action="store_true", help="time gdmaps alone")
    ap.add_argument("--peer-budget", type=float, default=900.0,
                    help="seconds after which the peer stops starting new periods")
    ap.add_argument("--peer-method", default="default",
                    help="the peer's method: its default (Newton on f^p), or dl, sd, newton")
    args = ap.parse_args()
    P = args.max_period
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
          f" load average {os.getloadavg()[0]:.2f}; Python {platform.python_version()}")
    g = run_gdmaps(P)
    one = run_gdmaps(P, max_rounds=1)  # one round of seeds, no confirmation round
    if args.no_peer:
        peer, why = None, "skipped (--no-peer)"
    else:
        peer, why = run_peer(P, args.peer_budget, args.peer_method)
    if peer is None:
        print(f"TSDynamics: {why}; reporting gdmaps only")
    head = (f"{'p':>3} {'published':>9} {'gdmaps':>7} {'1 round':>7}"
            + (f" {'TSDynamics':>10} {'its s':>7}" if peer else ""))
    print(head)
    for p in range(1, P + 1):
        pub = PUBLISHED[p - 1] if p <= len(PUBLISHED) else ""
        row = f"{p:>3} {pub:>9} {g['counts'][p]:>7} {one['counts'][p]:>7}"
        if peer:
            row += (f" {peer['counts'][p]:>10} {peer['times'][p]:>7.2f}" if p in peer["counts"]
                    else f" {'-':>10} {'-':>7}")
        print(row)
    match = [p for p in range(1, min(P, len(PUBLISHED)) + 1) if g["counts"][p] == PUBLISHED[p - 1]]
    n_pub = min(P, len(PUBLISHED))
    match1 = [p for p in range(1, n_pub + 1) if one["counts"][p] == PUBLISHED[p - 1]]
    saturated = "every period saturated" if set(g["status"].values()) == {"saturated"} else (
        "NOT every period saturated")
    print(f"gdmaps: periods 1..{P} in {g['total']:.2f} s; {len(match)} of {n_pub} counts equal the"
          f" published table; {saturated}")
    print(f"gdmaps, one round (max_rounds=1): {one['total']:.2f} s;"
          f" {len(match1)} of {n_pub} counts equal the published table")
    if peer:
        done = sorted(peer["counts"])
        ptotal = sum(peer["times"].values())
        pmatch = [p for p in done if p <= len(PUBLISHED) and peer["counts"][p] == PUBLISHED[p - 1]]
        print(f"TSDynamics {peer['version']} (method {args.peer_method}):"
              f" periods 1..{done[-1]} in {ptotal:.2f} s;"
              f" {len(pmatch)} of {len(done)} counts equal the published table"
              + (f" ({peer['stopped']})" if "stopped" in peer else ""))
        gsame = None
        if done[-1] < P:  # the peer stopped early: compare gdmaps on the same periods
            gsame = run_gdmaps(done[-1])["total"]
        print(f"time ratio TSDynamics / gdmaps on periods 1..{done[-1]}:"
              f" {ptotal / (gsame or g['total']):.2f} (gdmaps one round: {ptotal / one['total']:.2f})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "periodic_orbits.json").write_text(json.dumps(
        {"machine": platform.platform(), "max_period": P, "published": PUBLISHED, "gdmaps": g,
         "gdmaps_one_round": one,
         "peer": peer, "peer_note": why}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
