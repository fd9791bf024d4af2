"""The seed paper's non-linear experiment: the step-size transition of GD on small networks.

Craciun & Ghoshdastidar (arXiv 2402.13108) prove that past eta* = 2 / s_min (s_min the
smallest sharpness lambda_max(H) over the global minima) GD on a linear network converges
from almost no initialization, and show with non-linear networks that the asymptotic
gradient norm jumps as eta crosses a critical value. This script repeats that experiment:

* nets: tanh, sigmoid, softplus and ReLU MLPs (no biases, linear output) with one hidden
  layer of width 2, 8 or 32 and two of widths 2 or 8 (width 64 is in reach of the code but
  not of a 20-minute run on 2 cores), the squared loss with "mean" reduction, and "sum" on a
  subset (GD with sum at eta is GD with mean at n * eta: the edges must scale by n);
  plus tiny 1-1-1 nets on two points, where gdmaps.critical_learning_rate reaches;
* data: a synthetic regression set (2 inputs) and scikit-learn's bundled diabetes data
  (10 inputs, standardized, a fixed subsample);
* for each net: gdmaps.sweep over eta (Glorot initializations, the stability-checked rule)
  gives the convergent fraction with its 95% interval and the asymptotic gradient norm;
  the grid is geometric around 2 / (sharpness at initialization), then refined where the
  convergent fraction crosses 1/2;
* prediction: s_min = the smallest lambda_max(H) over the minima GD converged to below the
  transition (gdmaps.basins.sharpness on the endpoints, run on at the same eta until
  ||grad L|| <= 1e-6: the sweep's relative rule also stops in slow valleys), eta_pred = 2 / s_min; also
  2 / (median sharpness of the minima found at the smallest eta), what a practitioner would
  predict from a run at a small step; and, for the tiny nets, eta* of critical_learning_rate
  with its certified bound;
* measurement: eta_half, where the convergent fraction falls for good below half its
  maximum over the grid (1/2 when every start converges at some eta; log-linear
  interpolation), and eta_last, the largest eta at which any start converged.

Writes table.csv, table.md and seed_transition.png/.pdf into the output folder.
Usage: python experiments/seed_transition.py [OUT_DIR] [--quick] [--jobs N]
(default out/seed_transition/; --quick is the reduced size the tests run).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gdmaps import Fate, critical_learning_rate, iterate, sweep
from gdmaps.basins.sharpness import sharpness
from gdmaps.core.samplers import network_init
from gdmaps.models import mlp

ACTIVATIONS = ("tanh", "sigmoid", "softplus", "relu")
#: The endpoints whose sharpness predicts the edge are run on until ||grad L|| <= POLISH.
POLISH = 1e-6


# -- data ---------------------------------------------------------------------------------
def synthetic(n, seed=0):
    """2 inputs uniform in [-1, 1]^2, target sin(pi x1) x2 + x1 / 2, standardized."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (2, n))
    y = np.sin(np.pi * X[0]) * X[1] + X[0] / 2
    return X, ((y - y.mean()) / y.std())[None, :]


def diabetes(n, seed=0):
    """scikit-learn's bundled diabetes data (442 x 10, shipped with the package): a fixed
    subsample of n points, features and target standardized."""
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        sys.exit("seed_transition: the real data set needs scikit-learn (its bundled diabetes data);"
                 " install it with `pip install scikit-learn`, or run with --quick (synthetic only)")
    data = load_diabetes()
    idx = np.random.default_rng(seed).choice(len(data.target), n, replace=False)
    X = data.data[idx]
    X = (X - X.mean(0)) / X.std(0)
    y = data.target[idx]
    return X.T.copy(), ((y - y.mean()) / y.std())[None, :]


def tiny():
    """Two points, a 1-1-1 net: 2 residuals in 2 parameters, isolated interpolating minima."""
    return np.array([[1.0, 2.0]]), np.array([[0.5, 0.8]])


# -- one configuration --------------------------------------------------------------------
@dataclass
class Config:
    data: str
    activation: str
    widths: tuple
    reduction: str
    starts: int
    steps: int
    n: int = 24

    @property
    def name(self) -> str:
        w = "x".join(map(str, self.widths))
        return f"{self.data}-{self.activation}-{w}-{self.reduction}"


@dataclass
class Outcome:
    config: Config
    n_params: int
    etas: list = field(default_factory=list)
    fractions: list = field(default_factory=list)
    ci: list = field(default_factory=list)
    moving: list = field(default_factory=list)
    grad_q: list = field(default_factory=list)
    s_init: float = math.nan
    s_min: float = math.nan
    s_small: float = math.nan
    eta_half: float = math.nan
    eta_last: float = math.nan
    eta_star: float = math.nan
    certified_lower: float = math.nan
    exactness: str = ""
    seconds: float = 0.0

    @property
    def eta_pred(self):
        return 2 / self.s_min if self.s_min > 0 else math.inf

    @property
    def eta_small(self):
        return 2 / self.s_small if self.s_small > 0 else math.inf


def build(cfg: Config):
    X, Y = {"synthetic": lambda: synthetic(cfg.n), "diabetes": lambda: diabetes(cfg.n),
            "tiny": tiny}[cfg.data]()
    symbolic = cfg.data == "tiny"
    return mlp(X, Y, list(cfg.widths), cfg.activation, reduction=cfg.reduction, symbolic=symbolic)


def crossing(etas, fractions):
    """Where the convergent fraction falls for good below half its maximum (1/2 when every
    start converges somewhere), by log-linear interpolation; nan if it never does."""
    level = max(fractions) / 2
    if level <= 0:
        return math.nan
    for k in range(len(etas) - 1, 0, -1):
        f0, f1 = fractions[k - 1], fractions[k]
        if f0 >= level > f1:
            t = (f0 - level) / (f0 - f1)
            return float(np.exp(np.log(etas[k - 1]) + t * (np.log(etas[k]) - np.log(etas[k - 1]))))
    return math.nan


def run(cfg: Config, out: Path, *, coarse, refine, keep) -> Outcome:
    t0 = time.perf_counter()
    g = build(cfg)
    res = Outcome(cfg, g.dim)
    x0 = network_init(g, "glorot", 32, seed=0)
    s_init = sharpness(g, x0)
    res.s_init = float(np.nanmedian(s_init))
    ref = 2 / res.s_init
    path = out / "sweeps" / f"{cfg.name}.jsonl"
    settings = dict(starts=cfg.starts, steps=cfg.steps, seed=0, init="glorot", progress=False)
    grid = sorted(ref * np.geomspace(1 / 8, 8, coarse))
    rows = sweep(g, grid, path=path, **settings).rows
    etas, frac = [r.eta for r in rows], [r.fraction for r in rows]
    level = max(frac) / 2
    above = [k for k in range(1, len(etas)) if frac[k - 1] >= level > frac[k]]
    if above and level > 0:  # refine the last crossing of half the maximum
        k = above[-1]
        fine = np.geomspace(etas[k - 1], etas[k], refine + 2)[1:-1]
        rows = sweep(g, sorted(set(grid) | set(fine)), path=path, **settings).rows
    for r in rows:
        res.etas.append(r.eta)
        res.fractions.append(r.fraction)
        res.ci.append(tuple(r.interval))
        res.moving.append(r.counts["moving"] / r.starts)
        q = r.grad_norm_quantiles or {}
        res.grad_q.append(tuple(q.get(k, math.nan) for k in ("25", "50", "75")))
    res.eta_half = crossing(res.etas, res.fractions)
    conv = [e for e, f in zip(res.etas, res.fractions) if f > 0]
    res.eta_last = max(conv) if conv else math.nan
    # the minima GD found: endpoints of converged orbits (the first `keep` starts of each sweep row)
    x_keep = network_init(g, "glorot", keep, seed=0)
    ends, small = [], None
    for eta, f in zip(res.etas, res.fractions):
        if f <= 0:
            continue
        it = iterate(g.at(eta), x_keep, cfg.steps)
        pts = it.final[it.fate == Fate.CONVERGED]
        if len(pts):  # the relative rule stops in slow valleys: run on to a small gradient
            pol = iterate(g.at(eta), pts, 4 * cfg.steps, grad_tol=POLISH)
            pts = pol.final[pol.fate == Fate.CONVERGED]
        if len(pts):
            s = sharpness(g, pts)
            ends.append(s)
            if small is None:
                small = s
    if ends:
        all_s = np.concatenate(ends)
        res.s_min = float(np.nanmin(all_s))
        res.s_small = float(np.nanmedian(small))
    if cfg.data == "tiny":
        crit = critical_learning_rate(g)
        res.eta_star = float(crit.eta_star)
        res.certified_lower = math.nan if crit.certified_lower is None else float(crit.certified_lower)
        res.exactness = crit.exactness.value
    res.seconds = time.perf_counter() - t0
    return res


# -- the plan -----------------------------------------------------------------------------
def plan(quick: bool):
    if quick:
        cfgs = [Config("synthetic", a, w, "mean", starts=40, steps=1500, n=16)
                for a in ("tanh", "relu") for w in ((2,), (8,))]
        cfgs += [Config("synthetic", "tanh", (8,), "sum", starts=40, steps=1500, n=16)]
        cfgs += [Config("tiny", "tanh", (1,), "sum", starts=40, steps=1500, n=2)]
        return cfgs, dict(coarse=7, refine=2, keep=20)
    cfgs = []
    for data in ("synthetic", "diabetes"):
        for act in ACTIVATIONS:
            for w in ((2,), (8,), (32,), (2, 2), (8, 8)):
                big = w == (32,)
                cfgs.append(Config(data, act, w, "mean", starts=40 if big else 60, steps=1500))
    cfgs += [Config("synthetic", act, (8,), "sum", starts=60, steps=1500) for act in ACTIVATIONS]
    cfgs += [Config("tiny", a, (1,), "sum", starts=200, steps=2000, n=2) for a in ACTIVATIONS]
    return cfgs, dict(coarse=9, refine=3, keep=20)


def _job(args):
    cfg, out, knobs = args
    r = run(cfg, out, **knobs)
    print(f"{cfg.name:34s} P={r.n_params:5d} pred {r.eta_pred:.4g} half {r.eta_half:.4g}"
          f" last {r.eta_last:.4g} ({r.seconds:.0f} s)", flush=True)
    return r


def fmt(v, digits=4):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{v:.{digits}g}"


COLUMNS = ["data", "activation", "widths", "reduction", "params", "starts", "steps",
           "s_init", "s_min", "eta_pred=2/s_min", "eta_small=2/s_typ", "eta_half", "eta_last",
           "half/pred", "eta*_library", "certified_lower", "moving_at_half"]


def table_rows(results):
    rows = []
    for r in results:
        c = r.config
        k = (int(np.argmin(np.abs(np.log(np.array(r.etas) / r.eta_half))))
             if r.eta_half == r.eta_half else None)
        rows.append([c.data, c.activation, "x".join(map(str, c.widths)), c.reduction, r.n_params,
                     c.starts, c.steps, fmt(r.s_init), fmt(r.s_min), fmt(r.eta_pred), fmt(r.eta_small),
                     fmt(r.eta_half), fmt(r.eta_last), fmt(r.eta_half / r.eta_pred, 3),
                     fmt(r.eta_star), fmt(r.certified_lower),
                     "-" if k is None else fmt(r.moving[k], 2)])
    return rows


def write_tables(results, out: Path):
    rows = table_rows(results)
    with open(out / "table.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    ratio = np.array([r.eta_half / r.eta_pred for r in results if r.eta_half == r.eta_half
                      and math.isfinite(r.eta_pred)])
    summary = (f"\n{len(results)} nets; eta_half / eta_pred over the {ratio.size} with both:"
               f" median {np.median(ratio):.3g}, range [{ratio.min():.3g}, {ratio.max():.3g}].\n"
               if ratio.size else "\n")
    (out / "table.md").write_text("\n".join(lines) + "\n" + summary)
    return summary


def figure(results, out: Path):
    from gdmaps.plotting import new_axes, save_figure

    fig, (ax1, ax2) = new_axes(ncols=2, figsize=(9.0, 3.8))
    markers = {1: "o", 2: "s"}
    for r in results:
        c = r.config
        color = f"C{ACTIVATIONS.index(c.activation)}"
        if math.isfinite(r.eta_pred):
            x = np.array(r.etas) / r.eta_pred
            ax1.plot(x, r.fractions, color=color, lw=0.7, alpha=0.6,
                     ls="-" if c.data != "diabetes" else ":")
        if r.eta_half == r.eta_half and math.isfinite(r.eta_pred):
            face = color if c.reduction == "mean" else "none"
            ax2.plot(r.eta_pred, r.eta_half, markers.get(len(c.widths), "o"), ms=5 if c.data != "tiny" else 8,
                     mec=color, mfc=face if c.data != "tiny" else "none", mew=1.0 if c.data != "tiny" else 2)
    ax1.axvline(1.0, color="0.3", ls="--", lw=1)
    ax1.set_xscale("log")
    ax1.set_xlabel(r"$\eta \,/\, \eta_{\rm pred}$,  $\eta_{\rm pred} = 2/s_{\min}$")
    ax1.set_ylabel("convergent fraction")
    ax1.set_ylim(-0.02, 1.02)
    ax1.set_title("transition, every net (dotted: diabetes)", fontsize="medium")
    both = [v for r in results if r.eta_half == r.eta_half and math.isfinite(r.eta_pred)
            for v in (r.eta_pred, r.eta_half)] or [0.1, 10.0]
    lims = [min(both) / 1.5, max(both) * 1.5]
    ax2.plot(lims, lims, color="0.3", ls="--", lw=1, label="measured = predicted")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlim(lims)
    ax2.set_ylim(lims)
    ax2.set_xlabel(r"predicted edge $2/s_{\min}$")
    ax2.set_ylabel(r"measured edge $\eta_{1/2}$")
    ax2.set_title("predicted vs measured", fontsize="medium")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=f"C{k}", lw=2, label=a) for k, a in enumerate(ACTIVATIONS)]
    handles += [Line2D([], [], marker="o", ls="", color="0.3", label="1 hidden layer"),
                Line2D([], [], marker="s", ls="", color="0.3", label="2 hidden layers"),
                Line2D([], [], marker="o", ls="", color="0.3", mfc="none", label="sum reduction"),
                Line2D([], [], marker="o", ls="", color="0.3", mfc="none", ms=8, mew=2, label="tiny 1-1-1")]
    ax2.legend(handles=handles, frameon=False, fontsize="x-small", loc="upper left")
    fig.tight_layout()
    for suffix in (".png", ".pdf"):
        save_figure(fig, out / f"seed_transition{suffix}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out", nargs="?", default="out/seed_transition")
    p.add_argument("--quick", action="store_true", help="the reduced size the tests run (< 1 min)")
    p.add_argument("--jobs", type=int, default=1, help="processes (each runs whole nets)")
    a = p.parse_args(argv)
    out = Path(a.out)
    (out / "sweeps").mkdir(parents=True, exist_ok=True)
    cfgs, knobs = plan(a.quick)
    if not a.quick:
        diabetes(24)  # fail early, with the message, if scikit-learn is missing
    jobs = [(c, out, knobs) for c in cfgs]
    t = time.perf_counter()
    if a.jobs > 1:
        import multiprocessing as mp
        # the biggest nets first, so the pool ends together
        order = sorted(range(len(jobs)), key=lambda k: -build(cfgs[k]).dim * cfgs[k].steps)
        with mp.get_context("fork").Pool(a.jobs) as pool:
            done = pool.map(_job, [jobs[k] for k in order], chunksize=1)
        results = [None] * len(jobs)
        for k, r in zip(order, done):
            results[k] = r
    else:
        results = [_job(j) for j in jobs]
    summary = write_tables(results, out)
    figure(results, out)
    print(summary.strip())
    print(f"wrote {out / 'table.md'}, {out / 'table.csv'}, {out / 'seed_transition.png'}"
          f" ({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
