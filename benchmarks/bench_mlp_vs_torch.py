"""Full-batch GD on a ~1,000-parameter MLP over 10^4 initializations: gdmaps against PyTorch.

Run:  python benchmarks/bench_mlp_vs_torch.py [--starts N] [--steps S] [--quick] [--dtype float64]

Workload (issue 14, sec. 5): a 1-32-32-1 tanh network without biases (1,088 parameters),
squared loss with the mean reduction on 100 points of y = sin(pi x), x in [-1, 1];
``--starts`` Glorot-normal initializations (seed 0), ``--steps`` steps of full-batch GD at
``--eta``. Both implementations start from the same points, in the same process:

* **gdmaps**: ``gdmaps.iterate(mlp(X, Y, [32, 32], "tanh", reduction="mean").at(eta), x0,
  steps)``, the numpy backpropagation of :mod:`gdmaps.models.mlp`, with its fate checks
  every 10 steps. ``grad_tol=1e-12`` (never reached here) keeps every orbit to the last
  step, so both sides do the same number of GD steps (the default rule would stop
  converged orbits early).
* **torch**: what a user writes instead: the loss of one parameter vector, its gradient by
  ``torch.func.grad``, ``torch.func.vmap`` over the initializations, a Python loop of steps
  on CPU, in the same dtype (float64 by default, as gdmaps).

Prints the times, the ratio gdmaps / torch (<= 1 means gdmaps is not slower), the peak
resident memory of each phase (sampled every 10 ms by psutil, the process's RSS), and the
largest difference of the final losses. Results go to ``benchmarks/results/mlp_vs_torch.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil

import gdmaps
from gdmaps.core.samplers import network_init
from gdmaps.models import mlp

WIDTHS = (32, 32)
N_DATA = 100


class PeakRSS:
    """The process's peak resident set size while the block runs (sampled every 10 ms)."""

    def __init__(self):
        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()

    def _watch(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.01)

    def __enter__(self):
        self.peak = self.proc.memory_info().rss
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def data():
    x = np.linspace(-1.0, 1.0, N_DATA)
    return x[None, :], np.sin(np.pi * x)[None, :]


def run_gdmaps(net, x0, steps, eta, progress):
    res = gdmaps.iterate(net.at(eta), x0, steps, grad_tol=1e-12, progress=progress)
    return res.final, res


def run_torch(x0, steps, eta, dtype, progress):
    import torch
    from torch.func import grad, vmap

    X, Y = (torch.tensor(a, dtype=dtype) for a in data())
    sizes = (1, *WIDTHS, 1)
    shapes = list(zip(sizes[1:], sizes[:-1]))
    cuts = np.cumsum([0] + [o * i for o, i in shapes])

    def loss(p):
        a = X
        for l, ((o, i), s) in enumerate(zip(shapes, cuts)):
            a = p[s:s + o * i].reshape(o, i) @ a
            if l < len(shapes) - 1:
                a = torch.tanh(a)
        return 0.5 * ((a - Y) ** 2).sum() / N_DATA

    step_grad = vmap(grad(loss))
    P = torch.tensor(x0, dtype=dtype)
    report = max(1, steps // 10)
    t0 = time.perf_counter()
    for t in range(steps):
        P = P - eta * step_grad(P)
        if progress and (t + 1) % report == 0:
            print(f"  torch: {t + 1}/{steps} steps, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return P.numpy().astype(float), vmap(loss)(P).numpy()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=10_000)
    ap.add_argument("--steps", type=int, default=1_000)
    ap.add_argument("--eta", type=float, default=0.1)
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                    help="torch's dtype (gdmaps computes in float64)")
    ap.add_argument("--quick", action="store_true", help="1,000 starts x 100 steps")
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.starts, args.steps = 1_000, 100
    X, Y = data()
    net = mlp(X, Y, list(WIDTHS), "tanh", reduction="mean", symbolic=False)
    x0 = network_init(net, "glorot", args.starts, seed=0)
    print(f"{net}: {args.starts} starts x {args.steps} steps at eta = {args.eta}"
          f" ({x0.nbytes / 2**20:.0f} MiB of initial points)")
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, numpy {np.__version__}")
    out = {"starts": args.starts, "steps": args.steps, "eta": args.eta, "params": net.dim,
           "machine": platform.platform(), "cpus": os.cpu_count()}

    with PeakRSS() as mem:
        t = time.perf_counter()
        final, res = run_gdmaps(net, x0, args.steps, args.eta, progress=True)
        out["gdmaps_s"] = time.perf_counter() - t
    out["gdmaps_peak_rss_mib"] = mem.peak / 2**20
    loss_g = net.numeric.loss(final)
    print(f"gdmaps: {out['gdmaps_s']:.2f} s, peak RSS {out['gdmaps_peak_rss_mib']:.0f} MiB; {res!r}")

    if not args.no_torch:
        import torch
        out["torch"] = torch.__version__
        out["torch_threads"] = torch.get_num_threads()
        dtype = getattr(torch, args.dtype)
        with PeakRSS() as mem:
            t = time.perf_counter()
            final_t, loss_t = run_torch(x0, args.steps, args.eta, dtype, progress=True)
            out["torch_s"] = time.perf_counter() - t
        out["torch_peak_rss_mib"] = mem.peak / 2**20
        out["ratio"] = out["gdmaps_s"] / out["torch_s"]
        alive = np.isfinite(loss_g) & np.isfinite(loss_t)
        out["max_loss_diff"] = float(np.max(np.abs(loss_g[alive] - loss_t[alive]), initial=0.0))
        print(f"torch {torch.__version__} ({args.dtype}, {out['torch_threads']} threads, vmap(grad)):"
              f" {out['torch_s']:.2f} s, peak RSS {out['torch_peak_rss_mib']:.0f} MiB")
        print(f"ratio gdmaps / torch = {out['ratio']:.2f}; max |L_gdmaps - L_torch| at the end"
              f" = {out['max_loss_diff']:.2e}")
    path = Path(__file__).parent / "results" / "mlp_vs_torch.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
