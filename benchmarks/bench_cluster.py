"""A long sweep on a Dask LocalCluster of 2 workers against the same sweep in one process.

Run:  python benchmarks/bench_cluster.py [--etas 24] [--starts 16384] [--steps 3000] [--repeat 3]

GD on (ab - 1)^2 / 2 at step sizes in [1.05, 1.45], past eta* = 1: nearly every orbit runs
all its steps (period-2 orbits, chaos, divergence), so the work per task is steady. One task
per (step size, chunk of starts), numpy engine (the fused engine would time numba compiles
on each fresh worker). Both sides are timed in this process, alternately, ``--repeat``
times; the cluster is started and warmed (one small sweep) before the clock starts, as a
researcher's cluster would be. Also measured:

* the Dask round trip per task: ``--noop`` empty tasks through ``client.map`` (scheduler,
  transfer and worker bookkeeping, nothing computed);
* the bytes per task: the pickled task argument (the job and its range of starts) and its
  pickled result (fate counts and one gradient norm per start); the map is sent once;
* ``uptime`` before and after: the machine is shared.

Writes benchmarks/results/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import pickle
import statistics
import subprocess
import time

import cloudpickle
import numpy as np
import sympy as sp

from gdmaps import GDMap, sweep
from gdmaps.basins.convergence import fraction_part


def _noop(x):
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--etas", type=int, default=24)
    ap.add_argument("--starts", type=int, default=16384)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--noop", type=int, default=2000)
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    a, b = sp.symbols("a b")
    gd = GDMap((a * b - 1) ** 2 / 2, [a, b])
    etas = np.linspace(1.05, 1.45, args.etas).tolist()
    kw = dict(starts=args.starts, steps=args.steps, seed=0, backend="numpy", progress=False)
    load = [os.getloadavg()]
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=40)
    client = Client(cluster)
    sweep(gd, etas[:2], workers=client, **dict(kw, starts=512))  # warm: imports, map compiled
    serial, parallel = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        rows = sweep(gd, etas, **kw).rows
        serial.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows2 = sweep(gd, etas, workers=client, **kw).rows
        parallel.append(time.perf_counter() - t)
        assert all(r.to_dict() == s.to_dict() for r, s in zip(rows, rows2)), "results differ"
    noop = []
    for _ in range(3):
        t = time.perf_counter()
        client.gather(client.map(_noop, range(args.noop), pure=False))
        noop.append((time.perf_counter() - t) / args.noop)
    client.close()
    cluster.close()
    load.append(os.getloadavg())

    tasks = len(etas) * -(-args.starts // min(args.starts, 16384))
    job = dict(init="normal", n=args.starts, seed=0, region=None, steps=args.steps, tol=None, grad_tol=None,
               disp_tol=None, loss_tol=None, loss_min=None, stability=True, stability_tol=1e-6,
               backend="numpy", eta=etas[0])
    item = (job, 0, min(args.starts, 16384))
    t = time.perf_counter()
    part = fraction_part(gd, item)
    one = time.perf_counter() - t
    sizes = dict(task_in=len(pickle.dumps(item)), task_out=len(pickle.dumps(part)),
                 map_once=len(cloudpickle.dumps(gd)))
    s, p = statistics.median(serial), statistics.median(parallel)
    result = dict(
        settings=vars(args), tasks=tasks, serial_s=serial, two_workers_s=parallel,
        speedup_median=s / p, task_seconds=s / tasks,
        overhead_per_task_s=(2 * p - s) / tasks,  # worker-seconds lost per task on the cluster
        noop_roundtrip_per_task_s=statistics.median(noop), bytes=sizes, one_task_in_process_s=one,
        loadavg_before_after=load, uptime=subprocess.run(["uptime"], capture_output=True, text=True).stdout,
        cpus=os.cpu_count())
    out = pathlib.Path(__file__).parent / "results" / "cluster.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"{tasks} tasks of {s / tasks:.3f} s; serial {', '.join(f'{x:.2f}' for x in serial)} s;"
          f" 2 workers {', '.join(f'{x:.2f}' for x in parallel)} s")
    print(f"speed-up (median) {s / p:.2f}x; overhead {1e3 * (2 * p - s) / tasks:.1f} ms per task"
          f" (worker-seconds lost); empty-task round trip {1e3 * statistics.median(noop):.2f} ms")
    print(f"bytes per task: in {sizes['task_in']}, out {sizes['task_out']}; map {sizes['map_once']} once")
    print(f"load average before {load[0]}, after {load[1]}")


if __name__ == "__main__":
    main()
