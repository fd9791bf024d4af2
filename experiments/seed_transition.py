"""The seed paper's non-linear experiment: the step-size transition of GD on small networks.

Craciun & Ghoshdastidar (arXiv 2402.13108) prove that past eta* = 2 / s_min (s_min the
smallest sharpness lambda_max(H) over the global minima) GD on a linear network converges
from almost no initialization, and show with non-linear networks that the asymptotic
gradient norm jumps as eta crosses a critical value. This script repeats that experiment:

* nets: tanh, sigmoid, softplus and ReLU MLPs (no biases, linear output) with one hidden
  layer of width 2, 8, 32 or 64 and two of width 8, the squared loss with "mean" reduction,
  and "sum" on a subset (GD with sum at eta is GD with mean at n * eta: the edges must scale
  by 1/n); plus tiny 1-1-1 nets on two points, where gdmaps.critical_learning_rate reaches;
* data: a synthetic regression set (2 inputs, 24 points) and scikit-learn's bundled diabetes
  data (a fixed subsample of 48 points, 4 features: bmi, bp, s5, s6; standardized);
* for each net: gdmaps.sweep over eta (64 Glorot initializations, the stability-checked rule
  with an ABSOLUTE gradient tolerance: ||grad L|| <= GRAD_TOL for "mean", n * GRAD_TOL for
  "sum"; the networks' default relative rule, the gradient fallen to 1e-3 of its start,
  counts slow valleys as converged) gives the convergent fraction with its 95% interval and
  the quartiles of the asymptotic gradient norm; 11 step sizes geometric around
  2 / (sharpness at initialization), then 4 more where the transition sits;
* prediction: s_min = the smallest lambda_max(H) over the minima GD converged to below the
  measured transition (the converged endpoints of the first KEEP starts, run on at the same
  eta to ||grad L|| <= POLISH * tolerance, then kept only if they pass `minimum_mask`: a
  really small gradient AND a loss within a relative gap GAP of the best loss GD found;
  saturated sigmoid units and dead ReLU units make flat critical points far above the best
  loss, whose near-zero sharpness would predict an absurd edge); eta_pred = 2 / s_min; also
  2 / (median sharpness of the minima at the smallest converging eta); for the tiny nets
  eta* of critical_learning_rate with its certified lower bound;
* measurement: eta_half, where the convergent fraction falls for good below half its
  maximum over the grid (log-linear interpolation), and eta_jump, the geometric midpoint of
  the step sizes between which the asymptotic gradient norm jumps (the median above
  10 x the larger of the tolerance and its smallest value on the grid, or half the starts
  diverged: the seed's observable); the measured edge is
  eta_half where the fraction reaches 1/4 somewhere, else eta_jump.

Writes table.csv, table.md and seed_transition.png/.pdf into the output folder; each net's
sweep (sweeps/*.jsonl) and outcome (nets/*.json) are kept, so a killed run resumes.
Usage: python experiments/seed_transition.py [OUT_DIR] [--quick] [--jobs N]
(default out/seed_transition/; --quick is the reduced size the tests run).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gdmaps import Fate, critical_learning_rate, iterate, sweep
from gdmaps.basins.sharpness import sharpness
from gdmaps.core.samplers import network_init
from gdmaps.models import mlp

ACTIVATIONS = ("tanh", "sigmoid", "softplus", "relu")
#: Convergence: ||grad L|| <= GRAD_TOL ("mean" reduction; n * GRAD_TOL for "sum").
GRAD_TOL = 1e-3
#: The endpoints whose sharpness predicts the edge are run on for `steps` more steps at the same eta
#: (towards ||grad L|| <= POLISH * tolerance) and count as minima only if still ||grad L|| <= ACCEPT *
#: tolerance (points that were only passing slowly, e.g. at the edge of stability, leave) ...
POLISH = 1e-2
ACCEPT = 1.0
#: ... and count as minima only within this relative gap of the best loss GD found.
GAP = 0.25
#: How many of the starts are re-run at each eta to collect the minima.
KEEP = 16


# -- data ---------------------------------------------------------------------------------
def synthetic(n, seed=0):
    """2 inputs uniform in [-1, 1]^2, target sin(pi x1) x2 + x1 / 2, standardized."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (2, n))
    y = np.sin(np.pi * X[0]) * X[1] + X[0] / 2
    return X, ((y - y.mean()) / y.std())[None, :]


DIABETES_FEATURES = (2, 3, 8, 9)  # bmi, bp, s5, s6


def diabetes(n, seed=0):
    """scikit-learn's bundled diabetes data (442 x 10, shipped with the package): a fixed
    subsample of n points and 4 features (bmi, bp, s5, s6), features and target standardized."""
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        sys.exit("seed_transition: the real data set needs scikit-learn (its bundled diabetes data);"
                 " install it with `pip install scikit-learn`, or run with --quick (synthetic only)")
    data = load_diabetes()
    idx = np.random.default_rng(seed).choice(len(data.target), n, replace=False)
    X = data.data[idx][:, DIABETES_FEATURES]
    X = (X - X.mean(0)) / X.std(0)
    y = data.target[idx]
    return X.T.copy(), ((y - y.mean()) / y.std())[None, :]


def tiny():
    """Two points, a 1-1-1 net: 2 residuals in 2 parameters, isolated interpolating minima."""
    return np.array([[1.0, 2.0]]), np.array([[0.5, 0.8]])


# -- which critical points count as minima --------------------------------------------------
def minimum_mask(loss, grad_norm, *, grad_tol, gap=GAP, best=None, atol=1e-9, ceiling=math.inf):
    """True where a critical point GD reached counts as a minimum for s_min.

    A point counts when its gradient is really small (``||grad L|| <= grad_tol``) and its
    loss is near the best loss found: ``L <= best + gap * best + atol`` with ``best`` the
    smallest loss among the points given (or the one passed). The stability-checked rule
    alone accepts any point GD stops at that is not linearly unstable; that includes flat
    critical points far above the minima (saturated sigmoid units, dead ReLU units, the
    origin of a net without biases), whose sharpness near 0 predicts an edge 2/s near infinity.
    Points at or above ``ceiling`` never count (the loss of the zero predictor: a net whose
    units are all dead sits there, and when GD found nothing better it would be the "best").
    """
    loss = np.asarray(loss, float)
    grad_norm = np.asarray(grad_norm, float)
    ok = np.isfinite(loss) & (grad_norm <= grad_tol)
    if best is None:
        best = float(np.min(loss[np.isfinite(loss)])) if np.isfinite(loss).any() else math.nan
    return ok & (loss <= best + gap * abs(best) + atol) & (loss < ceiling)


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

    @property
    def grad_tol(self) -> float:
        return GRAD_TOL * (self.n if self.reduction == "sum" else 1)


@dataclass
class Outcome:
    config: Config
    n_params: int
    etas: list = field(default_factory=list)
    fractions: list = field(default_factory=list)
    ci: list = field(default_factory=list)
    moving: list = field(default_factory=list)
    diverged: list = field(default_factory=list)
    grad_q: list = field(default_factory=list)
    rule: str = ""
    s_init: float = math.nan
    s_min: float = math.nan
    s_small: float = math.nan
    best_loss: float = math.nan
    minima: int = 0
    rejected: int = 0
    rejected_loss: int = 0
    grad_kept: float = math.nan
    eta_half: float = math.nan
    eta_jump: float = math.nan
    eta_last: float = math.nan
    eta_star: float = math.nan
    certified_lower: float = math.nan
    exactness: str = ""
    seconds: float = 0.0

    @property
    def eta_pred(self):
        return 2 / self.s_min if self.s_min > 0 else (math.inf if self.s_min == 0 else math.nan)

    @property
    def eta_small(self):
        return 2 / self.s_small if self.s_small > 0 else math.nan

    @property
    def measured(self):
        """eta_half where the convergent fraction reached 1/4 somewhere, else eta_jump."""
        if self.eta_half == self.eta_half and max(self.fractions, default=0) >= 0.25:
            return self.eta_half, "half"
        return self.eta_jump, "jump"

    def save(self, path: Path):
        d = asdict(self)
        path.write_text(json.dumps(d, allow_nan=True))

    @classmethod
    def load(cls, path: Path):
        d = json.loads(path.read_text())
        c = d.pop("config")
        c["widths"] = tuple(c["widths"])
        d["ci"] = [tuple(v) for v in d["ci"]]
        d["grad_q"] = [tuple(v) for v in d["grad_q"]]
        return cls(Config(**c), **d)


def build(cfg: Config):
    X, Y = {"synthetic": lambda: synthetic(cfg.n), "diabetes": lambda: diabetes(cfg.n),
            "tiny": tiny}[cfg.data]()
    symbolic = cfg.data == "tiny"
    return mlp(X, Y, list(cfg.widths), cfg.activation, reduction=cfg.reduction, symbolic=symbolic)


def crossing(etas, fractions):
    """Where the convergent fraction falls for good below half its maximum, by log-linear
    interpolation; nan if it never does."""
    level = max(fractions) / 2
    if level <= 0:
        return math.nan
    for k in range(len(etas) - 1, 0, -1):
        f0, f1 = fractions[k - 1], fractions[k]
        if f0 >= level > f1:
            t = (f0 - level) / (f0 - f1)
            return float(np.exp(np.log(etas[k - 1]) + t * (np.log(etas[k]) - np.log(etas[k - 1]))))
    return math.nan


def jumped(row, level):
    """The asymptotic gradient norm has jumped at this row: half the starts diverged, or the
    median gradient norm of the rest is above ``level``."""
    q = row.grad_norm_quantiles or {}
    med = q.get("50", math.nan)
    return row.counts["diverged"] * 2 >= row.starts or not med <= level


def jump_bracket(etas, rows, tol):
    """(last eta before the jump, first eta of it): the jump is the first eta from which every
    larger one has jumped, the level 10 x the tolerance or 10 x the smallest median gradient
    norm over the grid, whichever is larger (on real data 3000 steps may leave every median
    above the tolerance, and the jump is then relative); None when there is no such eta."""
    meds = [(r.grad_norm_quantiles or {}).get("50", math.nan) for r in rows]
    floor = min((m for m in meds if m == m), default=tol)
    level = 10 * max(tol, floor)
    flags = [jumped(r, level) for r in rows]
    k = len(flags)
    while k > 0 and flags[k - 1]:
        k -= 1
    if k == 0 or k == len(flags):
        return None
    return etas[k - 1], etas[k]


def run(cfg: Config, out: Path, *, coarse, refine, keep) -> Outcome:
    done = out / "nets" / f"{cfg.name}.json"
    if done.exists():
        return Outcome.load(done)
    t0 = time.perf_counter()
    g = build(cfg)
    res = Outcome(cfg, g.dim)
    x0 = network_init(g, "glorot", 32, seed=0)
    s0 = sharpness(g, x0)
    s0 = s0[s0 > 0]  # tiny ReLU nets: many Glorot starts have the hidden unit dead (sharpness 0)
    res.s_init = float(np.median(s0)) if s0.size else 1.0
    ref = 2 / res.s_init
    tol = cfg.grad_tol
    path = out / "sweeps" / f"{cfg.name}.jsonl"
    settings = dict(starts=cfg.starts, steps=cfg.steps, seed=0, init="glorot", progress=False,
                    grad_tol=tol)
    grid = sorted(ref * np.geomspace(1 / 10, 2.5, coarse))
    rows = sweep(g, grid, path=path, **settings).rows
    etas, frac = [r.eta for r in rows], [r.fraction for r in rows]
    res.rule = rows[0].rule if getattr(rows[0], "rule", None) else f"||grad L|| <= {tol:g}"
    # refine where the transition sits: the last fall through half the maximum, else the jump
    level = max(frac) / 2
    above = [k for k in range(1, len(etas)) if frac[k - 1] >= level > frac[k]]
    bracket = (etas[above[-1] - 1], etas[above[-1]]) if above and max(frac) >= 0.25 else \
        jump_bracket(etas, rows, tol)
    if bracket and refine:
        fine = np.geomspace(*bracket, refine + 2)[1:-1]
        rows = sweep(g, sorted(set(grid) | set(fine)), path=path, **settings).rows
    for r in rows:
        res.etas.append(r.eta)
        res.fractions.append(r.fraction)
        res.ci.append(tuple(r.interval))
        res.moving.append(r.counts["moving"] / r.starts)
        res.diverged.append(r.counts["diverged"] / r.starts)
        q = r.grad_norm_quantiles or {}
        res.grad_q.append(tuple(q.get(k, math.nan) for k in ("25", "50", "75")))
    res.eta_half = crossing(res.etas, res.fractions)
    jb = jump_bracket(res.etas, rows, tol)
    res.eta_jump = math.sqrt(jb[0] * jb[1]) if jb else math.nan
    conv = [e for e, f in zip(res.etas, res.fractions) if f > 0]
    res.eta_last = max(conv) if conv else math.nan
    edge = res.measured[0]
    # the critical points GD converged to below the transition (the first `keep` starts)
    x_keep = network_init(g, "glorot", keep, seed=0)
    L, G, S, first = [], [], [], []
    for eta, f in zip(res.etas, res.fractions):
        if f <= 0 or (edge == edge and eta > edge):
            continue
        it = iterate(g.at(eta), x_keep, cfg.steps, grad_tol=tol, progress=False)
        pts = it.final[it.fate == Fate.CONVERGED]
        if len(pts):  # run on to a really small gradient, at the same eta
            pol = iterate(g.at(eta), pts, cfg.steps, grad_tol=POLISH * tol, progress=False)
            pts = pol.final
        if len(pts):
            L.append(g.numeric.loss(pts))
            G.append(np.linalg.norm(g.numeric.gradient(pts), axis=-1))
            S.append(sharpness(g, pts))
            first.append(len(S) == 1)
    if L:
        loss, gn = np.concatenate(L), np.concatenate(G)
        # the loss floor of the gap: 1e-4 of the loss of the zero predictor (nets that interpolate)
        zero = float(g.numeric.loss(np.zeros((1, g.dim)))[0])
        atol, ceiling = 1e-4 * zero, 0.99 * zero  # a net explaining < 1% of the variance: no minimum
        mask = minimum_mask(loss, gn, grad_tol=ACCEPT * tol, atol=atol, ceiling=ceiling)
        res.best_loss = float(np.min(loss))
        res.minima, res.rejected = int(mask.sum()), int((~mask).sum())
        res.rejected_loss = int(((gn <= ACCEPT * tol) & ~mask).sum())
        if mask.any():
            res.s_min = float(np.nanmin(np.concatenate(S)[mask]))
            res.grad_kept = float(np.median(gn[mask]))
            m0 = minimum_mask(L[0], G[0], grad_tol=ACCEPT * tol, best=res.best_loss, atol=atol,
                              ceiling=ceiling)
            if m0.any():
                res.s_small = float(np.nanmedian(S[0][m0]))
    if cfg.data == "tiny":
        crit = critical_learning_rate(g)
        res.eta_star = float(crit.eta_star)
        res.certified_lower = math.nan if crit.certified_lower is None else float(crit.certified_lower)
        res.exactness = crit.exactness.value
    res.seconds = time.perf_counter() - t0
    done.parent.mkdir(parents=True, exist_ok=True)
    res.save(done)
    return res


# -- the plan -----------------------------------------------------------------------------
def plan(quick: bool):
    if quick:
        cfgs = [Config("synthetic", a, w, "mean", starts=32, steps=3000, n=16)
                for a in ("tanh", "relu") for w in ((2,), (8,))]
        cfgs += [Config("synthetic", "tanh", (8,), "sum", starts=32, steps=3000, n=16)]
        cfgs += [Config("tiny", "tanh", (1,), "sum", starts=32, steps=3000, n=2)]
        return cfgs, dict(coarse=7, refine=2, keep=12)
    cfgs = [Config("synthetic", act, w, "mean", starts=64, steps=3000)
            for act in ACTIVATIONS for w in ((2,), (8,), (32,), (64,), (8, 8))]
    cfgs += [Config("synthetic", act, (8,), "sum", starts=64, steps=3000) for act in ACTIVATIONS]
    cfgs += [Config("diabetes", act, w, "mean", starts=64, steps=3000, n=48)
             for act in ACTIVATIONS for w in ((8,), (32,))]
    cfgs += [Config("tiny", a, (1,), "sum", starts=64, steps=3000, n=2) for a in ACTIVATIONS]
    return cfgs, dict(coarse=11, refine=4, keep=KEEP)


def _job(args):
    cfg, out, knobs = args
    r = run(cfg, out, **knobs)
    m, by = r.measured
    print(f"{cfg.name:34s} P={r.n_params:5d} pred {r.eta_pred:.4g} half {r.eta_half:.4g}"
          f" jump {r.eta_jump:.4g} ({by}) minima {r.minima}/{r.minima + r.rejected}"
          f" ({r.seconds:.0f} s)", flush=True)
    return r


def fmt(v, digits=4):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{v:.{digits}g}"


COLUMNS = ["data", "activation", "widths", "reduction", "params", "starts", "steps", "grad_tol",
           "s_init", "minima_kept/found", "grad_kept/tol", "s_min", "eta_pred=2/s_min", "eta_small=2/s_typ",
           "eta_half", "eta_jump", "eta_last", "measured_by", "measured/pred",
           "eta*_library", "certified_lower", "moving_at_edge"]


def table_rows(results):
    rows = []
    for r in results:
        c = r.config
        m, by = r.measured
        k = int(np.argmin(np.abs(np.log(np.array(r.etas) / m)))) if m == m else None
        rows.append([c.data, c.activation, "x".join(map(str, c.widths)), c.reduction, r.n_params,
                     c.starts, c.steps, f"{c.grad_tol:g}", fmt(r.s_init),
                     f"{r.minima}/{r.minima + r.rejected}", fmt(r.grad_kept / c.grad_tol, 2),
                     fmt(r.s_min), fmt(r.eta_pred),
                     fmt(r.eta_small), fmt(r.eta_half), fmt(r.eta_jump), fmt(r.eta_last),
                     by if m == m else "-", fmt(m / r.eta_pred, 3), fmt(r.eta_star),
                     fmt(r.certified_lower), "-" if k is None else fmt(r.moving[k], 2)])
    return rows


def ratios(results):
    out = []
    for r in results:
        m = r.measured[0]
        if m == m and math.isfinite(r.eta_pred) and r.eta_pred > 0:
            out.append(m / r.eta_pred)
    return np.array(out)


def write_tables(results, out: Path):
    rows = table_rows(results)
    with open(out / "table.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    ratio = ratios(results)
    summary = (f"\n{len(results)} nets; measured / predicted edge over the {ratio.size} with both:"
               f" median {np.median(ratio):.3g}, range [{ratio.min():.3g}, {ratio.max():.3g}]."
               if ratio.size else "\n")
    rule = (f"\nConvergence: ||grad L|| <= grad_tol (absolute; the stability-checked rule) within"
            f" `steps` steps. Minima for s_min: converged endpoints of {KEEP} starts at each eta"
            f" below the measured edge, run on for `steps` more steps towards ||grad L|| <="
            f" {POLISH:g} grad_tol, kept when still at ||grad L|| <= {ACCEPT:g} grad_tol (grad_kept/tol:"
            f" their median) and their loss is within {GAP:g} (relative; plus 1e-4 of the zero"
            f" predictor's loss) of the best loss found, and below 99% of the zero predictor's"
            f" (minima_kept/found; endpoints with a small gradient but a loss too high, dead or"
            f" saturated units and local minima, rejected: {sum(r.rejected_loss for r in results)}"
            " over all nets).\n")
    (out / "table.md").write_text("\n".join(lines) + "\n" + summary + "\n" + rule)
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
        m = r.measured[0]
        if m == m and math.isfinite(r.eta_pred):
            face = color if c.reduction == "mean" else "none"
            ax2.plot(r.eta_pred, m, markers.get(len(c.widths), "o"), ms=5 if c.data != "tiny" else 8,
                     mec=color, mfc=face if c.data != "tiny" else "none", mew=1.0 if c.data != "tiny" else 2)
    ax1.axvline(1.0, color="0.3", ls="--", lw=1)
    ax1.set_xscale("log")
    ax1.set_xlabel(r"$\eta \,/\, \eta_{\rm pred}$,  $\eta_{\rm pred} = 2/s_{\min}$")
    ax1.set_ylabel("convergent fraction")
    ax1.set_ylim(-0.02, 1.02)
    ax1.set_title("transition, every net with a prediction", fontsize="medium")
    both = [v for r in results if r.measured[0] == r.measured[0] and math.isfinite(r.eta_pred)
            for v in (r.eta_pred, r.measured[0])] or [0.1, 10.0]
    lims = [min(both) / 1.5, max(both) * 1.5]
    ax2.plot(lims, lims, color="0.3", ls="--", lw=1, label="measured = predicted")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlim(lims)
    ax2.set_ylim(lims)
    ax2.set_xlabel(r"predicted edge $2/s_{\min}$")
    ax2.set_ylabel(r"measured edge ($\eta_{1/2}$, else gradient jump)")
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
        diabetes(48)  # fail early, with the message, if scikit-learn is missing
    jobs = [(c, out, knobs) for c in cfgs]
    t = time.perf_counter()
    if a.jobs > 1:
        import multiprocessing as mp
        # the biggest nets first, so the pool ends together
        order = sorted(range(len(jobs)), key=lambda k: -build(cfgs[k]).dim * cfgs[k].steps)
        with mp.get_context("fork").Pool(a.jobs) as pool:
            done = list(pool.imap(_job, [jobs[k] for k in order], chunksize=1))
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
