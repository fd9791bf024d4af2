"""``gdmaps <command>``: each command prints a summary, or JSON with ``--json``."""

from __future__ import annotations

import argparse
import math
import re
import sys
import textwrap
import warnings

import numpy as np
import sympy as sp
from pathlib import Path

from gdmaps.core.errors import GdmapsError, InvalidArgumentError
from gdmaps.core.gd import GDMap
from gdmaps.basins.iterate import iterate
from gdmaps.analysis.pipeline import analyze
from gdmaps.core.samplers import SAMPLERS, sample
from gdmaps.cli import bifurcation
from gdmaps.cli import explore as explore_cli
from gdmaps.cli.limits import LIMITS, TimeLimitReached, add_limit_argument, check_limit, deadline, fmt
from gdmaps.cli.limits import limits_of, number, whole
from gdmaps.cli.options import EXIT_STATUS, FIGURE_FORMATS, OneLineParser, count, dumps_indented, out_dir
from gdmaps.cli.options import out_file, progress, real, rounded
from gdmaps.cli.cluster import add_cluster_arguments, cluster
from gdmaps.cli.targets import add_target_arguments, parse_region, resolve_target

__all__ = ["main", "build_parser"]


def _command(sub, name, help, example, limits=(), status=EXIT_STATUS):
    names = ("params", *limits, "seconds")
    listed = ", ".join(f"{n} {LIMITS[n][0]:,}" for n in names)
    epilog = ("example:\n" + textwrap.indent(example, "  ") + "\n\n"
              + textwrap.fill(f"limits: {listed} (see --limit); a job past one is refused before it"
                              " starts (one past the time limit is stopped); raise one with --limit"
                              " NAME=N", 90) + "\n"
              + textwrap.fill(status, 90))
    p = sub.add_parser(name, help=help.replace("%", "%%"), description=help,  # help is %-formatted
                       epilog=epilog.replace("%", "%%"),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bars (they show on stderr, when it is a terminal, for work"
                   " that lasts over 2 s)")
    add_limit_argument(p, names)
    return p


def _add_batch(p, *, steps=1000, n=1000):
    p.add_argument("--starts", type=count(1), default=n, help=f"initializations (default {n})")
    p.add_argument("--steps", type=count(1), default=steps, help=f"steps per orbit (default {steps})")
    p.add_argument("--init", choices=SAMPLERS, default="normal",
                   help="distribution of initializations: normal around --region (mean its centre,"
                   " standard deviation its half-width) or uniform in it (default normal)")
    p.add_argument("--region", metavar="R|LO,HI,...", default=None,
                   help="where the initializations come from: -R,R per coordinate, or low,high per"
                   " coordinate (write --region=-1,1,... for negatives; default 1)")
    p.add_argument("--seed", type=count(0), default=0, help="random seed, a whole number >= 0 (default 0)")


def _check_batch(args, dim, runs=1):
    """--starts, --steps and their product (times ``runs`` step sizes) within the limits."""
    check_limit(args, "points", args.starts * dim, f"--starts {fmt(args.starts)} in dimension {dim} gives"
                f" {fmt(args.starts * dim)} coordinates", "lower --starts")
    check_limit(args, "steps", args.steps, f"--steps {fmt(args.steps)}")
    work = args.starts * args.steps * runs
    check_limit(args, "work", work, f"--starts {fmt(args.starts)} x --steps {fmt(args.steps)}"
                + (f" x {runs} step sizes" if runs > 1 else "") + f" = {fmt(work)} map evaluations",
                "lower --starts or --steps")


BATCH_LIMITS = ("points", "steps", "work")


def _init_region(args, dim):
    """The initializations' region of --region (None: the library's default, -1,1)."""
    return parse_region(args.region, dim)


def _add_rule(p):
    """The convergence rule of gdmaps.iterate, as options."""
    g = p.add_argument_group("when an orbit counts as converged")
    g.add_argument("--tol", type=real(positive=True), default=None,
                   help="relative tolerance: a GD orbit stops where |grad L| <= TOL max(1, |grad L(x0)|),"
                   " another map where |f(x) - x| <= TOL (1 + |f(x)|) (default 1e-9; 1e-3 for --model"
                   " mlp and linear_network)")
    g.add_argument("--grad-tol", type=real(positive=True), default=None,
                   help="instead: stop where |grad L| <= GRAD_TOL (absolute; GD maps)")
    g.add_argument("--disp-tol", type=real(positive=True), default=None,
                   help="instead: stop where |f(x) - x| <= DISP_TOL (for GD this shrinks with eta)")
    g.add_argument("--loss-min", type=real(), default=None,
                   help="the global minimum value of L if known (0 for a model that can interpolate)")
    g.add_argument("--loss-tol", type=real(positive=True), default=None,
                   help="with --loss-min: also stop where L - LOSS_MIN <= LOSS_TOL")
    g.add_argument("--no-stability", dest="stability", action="store_false",
                   help="count a stopped orbit as converged even at a linearly unstable point (by"
                   " default it is 'unstable': stalled there, not converged)")


def _rule(args) -> dict:
    """The convergence rule from the options, as keywords of iterate / sweep."""
    if args.loss_tol is not None and args.loss_min is None:
        raise GdmapsError("--loss-tol needs --loss-min, the global minimum value of the loss")
    return dict(tol=args.tol, grad_tol=args.grad_tol, disp_tol=args.disp_tol,
                loss_min=args.loss_min, loss_tol=args.loss_tol, stability=args.stability)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="gdmaps", description="Gradient descent as a discrete dynamical system.",
        epilog="example:\n  gdmaps analyze --out report/\n\n" + textwrap.fill(
            EXIT_STATUS + "; gdmaps certify exits with its verdict (0 HOLDS, 1 FAILS, 3"
            " INCONCLUSIVE). Each command bounds its work (see --limit in its --help).", 90),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = _command(sub, "analyze", "the main job: the GD map, its Jacobian, the critical set, eta* with"
                 " certificates below and above it, the fate of random initializations at several step"
                 " sizes, the phase transition, fate maps, the dimension of the convergent set and the"
                 " orbit diagram; writes report.md and figures with --out",
                 "gdmaps analyze --out out/\n"
                 "gdmaps analyze --loss '(a*b*c - 1)**2/2' --etas 0.3,0.7 --out out/\n"
                 "gdmaps analyze --loss '(x**2 - 1)**2/4 + y**2/2' --skip orbit-diagram --json",
                 limits=(*BATCH_LIMITS, "etas"))
    add_target_arguments(p)
    p.add_argument("--etas", default=None,
                   help="comma-separated step sizes of the table of fates, each a finite number > 0"
                   " (default: 0.25, 0.5, 0.9, 1.1 and 1.5 times eta*)")
    p.add_argument("--box", metavar="R|LO,HI,...",
                   help="the box of the fate maps, the dimension and the orbit diagram (default -2,2"
                   " per coordinate, widened to hold the critical points found)")
    p.add_argument("--skip", metavar="PART,...",
                   help="parts not to compute: critical-set, critical-rate, certificates, fates, sweep,"
                   " fate-maps, dimension, orbit-diagram, lyapunov")
    p.add_argument("--out", metavar="DIR", help="write report.md and the figures (.png, .pdf) into DIR")
    _add_batch(p)
    p.set_defaults(run=_analyze)

    p = _command(sub, "iterate", "run a batch of orbits and report their fates",
                 "gdmaps iterate --map henon --starts 500 --steps 200\n"
                 "gdmaps iterate --model scalar_chain -p depth=3 --eta 0.5 --json\n"
                 "gdmaps iterate --map 'x: r*x*(1 - x)' -p r=3.2 --init uniform --region 0.1,0.9",
                 limits=BATCH_LIMITS)
    add_target_arguments(p)
    p.add_argument("--eta", type=real(positive=True), help="step size (needed for GD maps)")
    _add_batch(p)
    _add_rule(p)
    p.set_defaults(run=_iterate)

    p = _command(sub, "fixed-points", "fixed points: exact components (default), or numeric /"
                 " certified points in a region, each with its stability",
                 "gdmaps fixed-points --model scalar_chain -p depth=3\n"
                 "gdmaps fixed-points --map henon --region=-3,3,-3,3 --certify --json\n"
                 "gdmaps fixed-points --loss '(a*b - 1)**2/2' --eta 1.2 --region=-2,2,-2,2")
    add_target_arguments(p)
    _add_orbit_options(p)
    p.set_defaults(run=_fixed_points)

    p = _command(sub, "orbits", "periodic orbits of prime period p in a region, with multipliers",
                 "gdmaps orbits --map henon --period 1-8 --region=-2,2,-2,2\n"
                 "gdmaps orbits --map logistic -p r=3.5 --period 2 --region=0,1 --certify --json",
                 limits=("period",))
    add_target_arguments(p)
    p.add_argument("--period", default="1", help="a period, a list 1,2,4 or a range 1-8 (periods"
                   f" up to {LIMITS['period'][0]}, at most {LIMITS['period'][0]} of them: see --limit)")
    _add_orbit_options(p)
    add_cluster_arguments(p)
    p.set_defaults(run=_orbits)

    p = _command(sub, "certify", "decide whether GD converges to the target set from a null set"
                 " of initializations: HOLDS, FAILS (with a witness) or INCONCLUSIVE; the exit"
                 " status is the verdict: 0 HOLDS, 1 FAILS, 3 INCONCLUSIVE, 2 bad input",
                 "gdmaps certify --eta 1.2\n"
                 "gdmaps certify --model scalar_chain -p depth=3 --eta 0.5 --target critical-points\n"
                 "gdmaps certify --loss '(a*b - 2)**2/2' --eta 0.6 --latex proof.tex --json",
                 status="exit status: the verdict, 0 HOLDS, 1 FAILS, 3 INCONCLUSIVE; 2 bad input or"
                 " a job past a limit, with one line on stderr naming the option, the value and"
                 " what is allowed; 130 interrupted (Ctrl-C)")
    add_target_arguments(p)
    p.add_argument("--eta", required=True,
                   help="the step size, a decimal or a fraction, read exactly (0.1 is 1/10; 2/3)")
    p.add_argument("--target", choices=("global-minima", "critical-points"), default="global-minima")
    p.add_argument("--latex", metavar="FILE", help="write the certificate as LaTeX")
    p.set_defaults(run=_certify)

    p = _command(sub, "sweep", "convergent fraction (exact 95% intervals) and asymptotic gradient"
                 " norm over a grid of step sizes; resumes an interrupted sweep in --out",
                 "gdmaps sweep --etas 0.5:1.5:21 --out sweep/\n"
                 "gdmaps sweep --model scalar_chain -p depth=3 --etas 0.4:1:13 --starts 2000 --json\n"
                 "gdmaps sweep --etas 0.5:1.5:21 --starts 100000 --workers 2 --out sweep/",
                 limits=(*BATCH_LIMITS, "etas"))
    add_target_arguments(p)
    p.add_argument("--etas", default="0.5:1.5:21", help="START:STOP:COUNT, START and STOP finite"
                   " and > 0, COUNT a whole number >= 1 (default 0.5:1.5:21)")
    p.add_argument("--out", metavar="DIR",
                   help="write sweep.jsonl (resumable) and phase_transition.png/.pdf into DIR")
    _add_batch(p, n=2000)
    _add_rule(p)
    add_cluster_arguments(p)
    p.set_defaults(run=_sweep)

    p = _command(sub, "basins", "basins of a 2-D (or any-D) map by set-oriented cell mapping:"
                 " attractors, basin shares, escape and uncertain cells",
                 "gdmaps basins --loss '(x**2 - 1)**2/4 + y**2/2' --eta 0.1 --region=-2,2,-1,1"
                 " --cells 31,15 --steps 10 --out basins.png\n"
                 "gdmaps basins --map henon -p a=1.0 --region=-2,2,-2,2 --cells 32 --json\n"
                 "gdmaps basins --loss '(x**2 - 1)**2/4 + (y**2 - 1)**2/4 + z**2/2' --eta 0.1"
                 " --region=-2,2,-2,2,-1,1 --cells 15,15,5 --steps 10 --dims 0,1 --at 0,0,0.3"
                 " --out slice.png", limits=("cells", "work"))
    add_target_arguments(p)
    p.add_argument("--region", metavar="LO,HI,...", required=True,
                   help="the box: low,high per coordinate (write --region=-2,2,... for negatives)")
    p.add_argument("--cells", default="41", help="cells per axis: one number or one per axis; their"
                   f" product at most {LIMITS['cells'][0]:,} (see --limit)")
    p.add_argument("--eta", type=real(positive=True), help="step size of a GD map")
    p.add_argument("--steps", type=count(1), default=1,
                   help="map steps per cell transition (default 1)")
    p.add_argument("--samples", type=count(0), default=4, help="sample points per cell (default 4)")
    p.add_argument("--refine", type=count(0), default=0,
                   help="refinement rounds of uncertain cells (default 0); each round splits them"
                   " in 2^d, up to the cells limit")
    p.add_argument("--out", metavar="FILE", help="write the basin figure (.png/.pdf/.svg); for a"
                   " map of dimension > 2, the 2-D slice chosen by --dims and --at")
    p.add_argument("--dims", metavar="I,J",
                   help="the two axes the figure's slice spans, as indices or state names"
                   " (default 0,1), e.g. --dims 0,2 or --dims x,z")
    p.add_argument("--at", metavar="X,Y,...",
                   help="a point of the region, one number per coordinate: the coordinates not in"
                   " --dims fix the slice (default: the centre of the region), e.g. --at 0,0,0.3"
                   " (write --at=-1,0,0.3 for negatives); only for maps of dimension > 2")
    add_cluster_arguments(p)
    p.set_defaults(run=_basins)

    bifurcation.add_parser(sub, _command)
    explore_cli.add_parser(sub, _command)

    p = _command(sub, "manifolds", "stable and unstable manifolds of the saddle fixed points of a map"
                 " (or of the saddle orbits of a period, or of one saddle given by --point): stable"
                 " ones grown by backward, unstable ones by forward iteration",
                 "gdmaps manifolds --map henon --out henon_manifolds.png\n"
                 "gdmaps manifolds --map henon --period 2 --length 3 --json\n"
                 "gdmaps manifolds --map henon --point 0.63,0.19 --which unstable --length 20\n"
                 "gdmaps manifolds --eta 0.5 --out gd_saddle.pdf",
                 limits=("period", "points", "steps"))
    add_target_arguments(p)
    p.add_argument("--eta", type=real(positive=True), help="step size of a GD map")
    p.add_argument("--point", metavar="X,Y,...",
                   help="one saddle: a point on it, polished by Newton (within 5%%; write"
                   " --point=-1.13,-0.34 for negatives); default: every saddle found in --region")
    p.add_argument("--period", type=count(1), default=1,
                   help="period of the saddle orbits (default 1: fixed points)")
    p.add_argument("--region", metavar="LO,HI,...",
                   help="the box searched for saddles (default -2,2 per coordinate)")
    p.add_argument("--which", choices=("both", "stable", "unstable"), default="both",
                   help="which manifolds (default both)")
    p.add_argument("--length", type=real(positive=True), default=5.0,
                   help="arc length of each branch (default 5)")
    p.add_argument("--samples", type=count(2), default=100,
                   help="points of the first fundamental domain (default 100)")
    p.add_argument("--steps", type=count(1), default=20,
                   help="fundamental domains grown at most (default 20)")
    p.add_argument("--max-gap", type=real(positive=True), default=0.01,
                   help="unstable manifolds: largest distance between consecutive points (default 0.01)")
    p.add_argument("--max-points", type=count(2), default=20_000,
                   help="unstable manifolds: points per branch at most (default 20000); a branch"
                   " that needs more stops there")
    p.add_argument("--delta", type=real(positive=True), default=1e-5,
                   help="distance of the first seeds from the saddle (default 1e-5)")
    p.add_argument("--out", metavar="FILE", help="write the figure (.png/.pdf/.svg; 2-D maps)")
    p.set_defaults(run=_manifolds)

    p = _command(sub, "lyapunov", "every Lyapunov exponent (QR method) of orbits of a map at one"
                 " parameter value, with standard errors",
                 "gdmaps lyapunov --map logistic -p r=4\n"
                 "gdmaps lyapunov --map henon --x0 0.1,0.1 --json\n"
                 "gdmaps lyapunov --loss '(x**2 - 1)**2/4' --eta 1.3 --region=-2,2",
                 limits=("points", "steps", "work"))
    add_target_arguments(p)
    p.add_argument("--eta", type=real(positive=True), help="step size of a GD map")
    p.add_argument("--x0", metavar="X,Y,...",
                   help="one start, a number per coordinate (write --x0=-0.5,0.1 for negatives);"
                   " default: --starts starts uniform in --region")
    p.add_argument("--starts", type=count(1), default=4, help="starts, one orbit each (default 4)")
    p.add_argument("--region", metavar="LO,HI,...",
                   help="box of the starts (default -1,1 per coordinate; 0,1 for the logistic map)")
    p.add_argument("--steps", type=count(10), default=100_000,
                   help="steps averaged over, at least 10 (default 100000)")
    p.add_argument("--transient", type=count(0), default=1000, help="steps dropped first (default 1000)")
    p.add_argument("--tol", type=real(positive=True), default=1e-3,
                   help="an orbit has converged when every standard error is below TOL (default 1e-3)")
    p.add_argument("--seed", type=count(0), default=0, help="random seed of the starts (default 0)")
    add_cluster_arguments(p)
    p.set_defaults(run=_lyapunov)
    return parser


def _basins(args):
    from gdmaps.basins.cell_map import cell_map

    from gdmaps.core.errors import CellLimitError
    from gdmaps.cli.limits import MEMORY_PER_CELL

    target = _with_eta(resolve_target(args), args)
    _require_bound(target)
    region = _region(args, target.dim)
    cells = [whole(c) for c in args.cells.split(",")]
    if any(c is None or c < 1 for c in cells) or len(cells) not in (1, target.dim):
        raise GdmapsError(f"--cells must be one whole number >= 1, or {target.dim} of them (one per"
                          f" axis), got {args.cells!r}")
    cells = cells * target.dim if len(cells) == 1 else cells
    total = math.prod(cells)
    gb = total * MEMORY_PER_CELL // 10**9
    gb = f"{total * MEMORY_PER_CELL / 1e9:.3g}" if gb < 10**5 else fmt(gb)
    check_limit(args, "cells", total, f"--cells {args.cells} on a {target.dim}-D map gives {fmt(total)}"
                f" cells (about {gb} GB of memory)", "lower --cells")
    work = total * (args.samples + 1) * args.steps
    check_limit(args, "work", work, f"--cells {args.cells} x (--samples {fmt(args.samples)} + 1) x"
                f" --steps {fmt(args.steps)} = {fmt(work)} map evaluations",
                "lower --cells, --samples or --steps")
    out_file("--out", args.out, FIGURE_FORMATS)
    dims, at = _slice_options(args, target, region)
    try:
        with cluster(args) as workers:
            result = cell_map(target, region, tuple(cells), samples_per_cell=args.samples, steps=args.steps,
                              refine=args.refine, max_cells=limits_of(args)["cells"], progress=progress(args),
                              workers=workers)
    except CellLimitError as exc:
        raise GdmapsError(f"--refine {args.refine}: refinement round {exc.round} would bring the cells"
                          f" mapped (all rounds) to {exc.cells:,}, over the limit cells={exc.max_cells:,};"
                          " lower --refine or --cells, or raise it with --limit cells=N") from None
    if args.out:
        from gdmaps.plotting import plot_basins, save_figure

        save_figure(plot_basins(result, dims=dims, at=at), args.out)
    if args.json:
        print(dumps_indented(result.to_dict()))
        return
    print(target)
    print(result)
    if args.out:
        print(f"wrote {args.out}")


def _slice_options(args, target, region):
    """``--dims`` and ``--at`` as (dims, at), checked before the cell map runs."""
    from gdmaps.core.regions import slice_of
    from gdmaps.core.regions import as_region

    if args.dims is None and args.at is None:
        return (0, 1), None
    if not args.out:
        raise GdmapsError("--dims and --at choose the slice drawn by --out; give --out FILE too")
    names = [str(v) for v in getattr(target, "state", ())]
    dims = (0, 1)
    if args.dims is not None:
        dims = []
        for tok in args.dims.split(","):
            tok = tok.strip()
            if tok in names:
                dims.append(names.index(tok))
                continue
            try:
                dims.append(int(tok))
            except ValueError:
                allowed = f"indices 0..{target.dim - 1}" + (f" or names {','.join(names)}" if names else "")
                raise GdmapsError(f"--dims must be two axes ({allowed}), got {args.dims!r}") from None
    at = None
    if args.at is not None:
        if target.dim == 2:
            raise GdmapsError("--at fixes the coordinates outside the slice; a 2-D map has none:"
                              " leave --at out")
        try:
            at = [float(v) for v in args.at.split(",")]
        except ValueError:
            raise GdmapsError(f"--at must be {target.dim} numbers, one per coordinate,"
                              f" got {args.at!r}") from None
    try:
        return slice_of(as_region(region, target.dim), dims, at)
    except GdmapsError as exc:  # name the options, not the Python arguments
        raise GdmapsError("--" + str(exc)) from None


def _sweep(args):
    from gdmaps.plotting import plot_phase_transition, save_figure
    from gdmaps.basins.sweep import sweep

    target = resolve_target(args)
    if not isinstance(target, GDMap):
        raise GdmapsError("gdmaps sweep needs a loss or a model, not a plain map")
    etas = _eta_grid(args)
    _check_batch(args, target.dim, len(etas))
    out = out_dir("--out", args.out)
    with cluster(args) as workers:
        result = sweep(target, etas, path=None if out is None else out / "sweep.jsonl",
                       progress=progress(args), starts=args.starts, steps=args.steps, seed=args.seed,
                       init=args.init, region=_init_region(args, target.dim),
                       eta_star=_eta_star(target), workers=workers, **_rule(args))
    for note in result.notes if args.json else ():  # said on stderr already when not --json
        print(f"gdmaps sweep: {note}", file=sys.stderr)
    if out is not None:
        fig = plot_phase_transition(result)
        for ext in ("png", "pdf"):
            save_figure(fig, out / f"phase_transition.{ext}")
    if args.json:
        print(dumps_indented([r.to_dict() for r in result.rows]))
        return
    for r in result.rows:
        print(r)
    if out is not None:
        print(f"wrote {out / 'sweep.jsonl'} and {out / 'phase_transition.png'}")


def _eta_grid(args):
    """--etas START:STOP:COUNT as the grid of step sizes, each part checked as typed."""
    text = args.etas
    parts = text.split(":")
    if len(parts) != 3:
        raise GdmapsError(f"--etas must be START:STOP:COUNT, e.g. 0.5:1.5:21, got {text!r}")
    ends = []
    for name, part in zip(("START", "STOP"), parts):
        value = float(number(part))
        if not (math.isfinite(value) and value > 0):
            raise GdmapsError(f"--etas {name} must be a finite step size > 0, got {part.strip()!r}"
                              f" in {text!r}")
        ends.append(value)
    num = whole(parts[2])
    if num is None or num < 1:
        raise GdmapsError(f"--etas COUNT must be a whole number >= 1, got {parts[2].strip()!r} in"
                          f" {text!r}")
    check_limit(args, "etas", num, f"--etas COUNT {parts[2].strip()} in {text!r}")
    return np.linspace(ends[0], ends[1], num)


def _eta_list(args):
    """--etas E1,E2,... as a list of step sizes, each checked as typed."""
    etas = []
    for part in args.etas.split(","):
        value = float(number(part))
        if not (math.isfinite(value) and value > 0):
            raise GdmapsError(f"--etas must be step sizes separated by commas, each a finite number"
                              f" > 0, got {part.strip()!r} in {args.etas!r}")
        etas.append(value)
    check_limit(args, "etas", len(etas), f"--etas with {len(etas)} step sizes")
    return etas


def _require_bound(target):
    """Refuse, in CLI words, a map with parameters still free (numeric work needs values)."""
    free = [p.name for p in target.free_parameters]
    if not free:
        return
    if isinstance(target, GDMap) and free == ["eta"]:
        raise GdmapsError("--eta is required: a GD map needs its step size, e.g. --eta 0.5")
    names = [f for f in free if f != "eta"]
    which = f"the parameters {', '.join(names)} have" if len(names) > 1 else f"the parameter {names[0]} has"
    raise GdmapsError(f"-p {names[0]}=VALUE is required: {which} no value")


def _eta_star(target):
    from gdmaps.certify.critical import Exactness, critical_learning_rate

    try:
        with np.errstate(all="ignore"):  # the numeric search may step where the loss overflows
            crit = critical_learning_rate(target, starts=8)
    except GdmapsError:
        return None
    value = float(crit.eta_star)
    return value if crit.exactness is Exactness.EXACT and np.isfinite(value) else None


def _certify(args):
    from gdmaps.certify.certificate import certify_measure_zero

    target = resolve_target(args)
    if not isinstance(target, GDMap):
        raise GdmapsError("gdmaps certify needs a loss or a model, not a plain map")
    eta = _exact_eta(args.eta)
    out_file("--latex", args.latex)
    with np.errstate(all="ignore"):  # its numeric eta* search may step where the loss overflows
        cert = certify_measure_zero(target, eta=eta, target=args.target)
    if args.latex:
        Path(args.latex).write_text(cert.to_latex())
    if args.json:
        crit = cert.critical   # the one the verdict rests on: nothing is computed twice
        star, exactness = crit.eta_star, crit.exactness.value
        bracket = [crit.certified_lower, crit.certified_upper]
        # the certificate's own to_dict, with eta* (the one the verdict rests on) lifted to the top
        print(dumps_indented({
            **cert.to_dict(), "eta_star": _exact_text(star), "eta_star_exactness": exactness,
            "eta_star_bracket": bracket,
            "global_minima": {True: "proved", None: "not proved", False: "none exist"}[crit.minima_proved]}))
    else:
        print(cert.to_markdown())
        if args.latex:
            print(f"wrote {args.latex}")
    return CERTIFY_EXIT[cert.status.value]


def _exact_text(value):
    """An exact number as JSON text: "inf" for SymPy's oo (no step size is critical)."""
    if value is None:
        return None
    value = sp.sympify(value, strict=True)  # strict: never parses text
    if value in (sp.oo, sp.zoo) or value.has(sp.nan):
        return {sp.oo: "inf"}.get(value, "undefined")
    return str(value)


#: ``gdmaps certify`` exit statuses: the verdict (2 is bad input, as for every command).
CERTIFY_EXIT = {"holds": 0, "fails": 1, "inconclusive": 3}

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?(/\d+(\.\d*)?([eE][+-]?\d{1,3})?)?")


def _exact_eta(text):
    """--eta as an exact positive number: a decimal (read as written) or a fraction."""
    allowed = "a positive number such as 0.5, 1e-3 or 2/3, exponents from e-999 to e999"
    if len(text) > 200 or not _NUMBER.fullmatch(text.strip()):
        raise GdmapsError(f"--eta must be {allowed}, got {text[:60]!r}{'...' if len(text) > 60 else ''}")
    num, _, den = text.strip().partition("/")
    den = sp.Rational(den) if den else sp.S.One
    if den == 0:
        raise GdmapsError(f"--eta must be {allowed}, got {text!r}, whose denominator is 0")
    value = sp.Rational(num) / den
    if not value > 0:
        raise GdmapsError(f"--eta must be {allowed}, got {text!r}")
    return value


def _add_orbit_options(p):
    p.add_argument("--region", metavar="LO,HI,...",
                   help="the box: low,high per coordinate (write --region=-2,2,... for negatives)")
    p.add_argument("--eta", type=real(positive=True), help="step size of a GD map")
    p.add_argument("--certify", action="store_true",
                   help="prove each isolated point/orbit with the Krawczyk test")
    p.add_argument("--out", metavar="FILE", help="write a figure (.png/.pdf/.svg; 2-D maps)")


def _region(args, dim):
    return parse_region(args.region, dim)


def _periods(args):
    """--period as a sorted list of distinct periods, within the period limit."""
    text = args.period
    out = set()
    for part in text.split(","):
        lo, dash, hi = part.partition("-")
        lo, hi = whole(lo), whole(hi) if dash else whole(lo)
        if lo is None or hi is None or lo < 1 or hi < lo:
            raise GdmapsError(f"--period must be periods >= 1 like 3, 1,2,4 or 1-8 (a range low-high"
                              f" with low <= high), got {part.strip()!r} in {text!r}")
        check_limit(args, "period", hi, f"--period {text} reaches period {fmt(hi)}",
                    "search shorter periods")
        out.update(range(lo, hi + 1))
        check_limit(args, "period", len(out), f"--period {text} asks for {len(out)} periods", "ask fewer")
    return sorted(out)


def _with_eta(target, args):
    if args.eta is not None:
        if not isinstance(target, GDMap):
            raise GdmapsError("--eta is the step size of a GD map; this map has none")
        target = target.at(args.eta)
    return target


def _figure(args, target, orbits, region):
    if not args.out:
        return
    if target.dim != 2:
        raise GdmapsError(f"--out draws 2-D maps; this one has dimension {target.dim}")
    from gdmaps.plotting import plot_orbits, save_figure

    lo, hi = np.asarray(region, dtype=float).T
    x0 = (lo + hi) / 2 + sample("uniform", 20, 2, seed=0) * (hi - lo) / 2
    cloud = iterate(target, x0, 500, keep_trajectory=True, blowup=1e6)
    fig = plot_orbits(orbits, cloud=cloud, labels=[str(s) for s in target.state])
    print(f"wrote {save_figure(fig, args.out)}")


def _fixed_points(args):
    from gdmaps.orbits.fixed_points import fixed_points

    target = _with_eta(resolve_target(args), args)
    region = _region(args, target.dim)
    method = "certified" if args.certify else "numeric" if region is not None else "symbolic"
    if method != "symbolic":
        _require_bound(target)
    out_file("--out", args.out, FIGURE_FORMATS)
    result = fixed_points(target, region, method=method)
    if args.json:
        print(dumps_indented(result.to_dict()))
        return
    print(target)
    print(result)
    for c in result.components:
        print(f"  {c}")
    for c in result.degenerate:
        print(f"  degenerate (Df - I = 0): {c}")
    for p in result.points:
        cert = "" if p.enclosure is None else f"  [{p.enclosure.reason}]"
        print(f"  {p}; multipliers {rounded(p.stability.multipliers)}{cert}")
    if result.points and region is not None:
        _figure(args, target, result, region)


def _orbits(args):
    from gdmaps.orbits.periodic_orbits import periodic_orbits

    target = _with_eta(resolve_target(args), args)
    region = _region(args, target.dim)
    if region is None:
        raise GdmapsError("gdmaps orbits needs --region low,high per coordinate")
    periods = _periods(args)
    _require_bound(target)
    out_file("--out", args.out, FIGURE_FORMATS)
    with cluster(args) as workers:
        results = [periodic_orbits(target, p, region, certify=args.certify, progress=progress(args),
                                   workers=workers) for p in periods]
    if args.json:
        print(dumps_indented([r.to_dict() for r in results]))
        return
    print(target)
    for r in results:
        print(r)
        for o in r.orbits:
            print(f"  {o}; multipliers {rounded(o.stability.multipliers)}")
    _figure(args, target, results, region)


def _analyze(args):
    """Parse, call gdmaps.analyze, render: the command computes nothing itself."""
    from gdmaps.analysis.figures import write_report
    from gdmaps.analysis.pipeline import FRACTIONS, SWEEP_GRID

    target = resolve_target(args)
    if not isinstance(target, GDMap):
        raise GdmapsError("gdmaps analyze studies a loss or a model, not a plain map;"
                          " use gdmaps iterate for maps")
    etas = None if args.etas is None else _eta_list(args)
    _check_batch(args, target.dim, len(etas or FRACTIONS) + SWEEP_GRID[2])
    skip = _skip_list(args)
    box = parse_region(args.box, target.dim, flag="--box")
    out = out_dir("--out", args.out)
    result = analyze(target, etas=etas, starts=args.starts, steps=args.steps, seed=args.seed,
                     init=args.init, region=_init_region(args, target.dim), box=box, skip=skip,
                     progress=progress(args))
    report = write_report(result, out) if out is not None else None
    if args.json:
        print(dumps_indented(result.to_dict()))
        return
    print(result)
    if report is not None:
        print(f"wrote {report}")


def _skip_list(args):
    """--skip PART,... as part names of gdmaps.analyze (dashes or underscores)."""
    from gdmaps.analysis.pipeline import PARTS

    if not args.skip:
        return ()
    names = [s.strip().replace("-", "_") for s in args.skip.split(",")]
    bad = [n for n in names if n not in PARTS]
    if bad:
        raise GdmapsError(f"--skip must name parts among {','.join(p.replace('_', '-') for p in PARTS)},"
                          f" got {bad[0]!r} in {args.skip!r}")
    return tuple(names)


def _iterate(args):
    target = _with_eta(resolve_target(args), args)
    _require_bound(target)
    _check_batch(args, target.dim)
    try:
        x0 = sample(args.init, args.starts, target.dim, region=_init_region(args, target.dim),
                    seed=args.seed)
    except GdmapsError as exc:  # in the options' words
        raise GdmapsError(re.sub(r"\bregion=", "--region ", str(exc))) from None
    result = iterate(target, x0, args.steps, progress=progress(args), **_rule(args))
    if args.json:
        map_ = [str(e) for e in target.exprs] if getattr(target, "symbolic", True) else target.describe()
        print(dumps_indented({"map": map_, **result.summary()}))
    else:
        print(target)
        print(result)


def _numbers(flag, text, dim):
    """``X,Y,...``: ``dim`` finite numbers, or a one-line error naming ``flag``."""
    try:
        vals = [float(number(v)) for v in text.split(",")]
    except ValueError:
        vals = [math.nan]
    if len(vals) != dim or not all(math.isfinite(v) for v in vals):
        raise GdmapsError(f"{flag} must be {dim} finite numbers separated by commas (one per coordinate),"
                          f" got {text!r}")
    return np.array(vals)


def _saddles(args, target):
    """The saddle orbits (each (period, d)) to draw manifolds of, and a note on what was skipped."""
    from gdmaps.orbits.fixed_points import fixed_points
    from gdmaps.core.stability import Kind
    from gdmaps.orbits.periodic_orbits import periodic_orbits, periodic_point

    if args.point is not None:
        if args.region is not None:
            raise GdmapsError("--region is the box searched for saddles; with --point there is no"
                              " search: leave one out")
        x = _numbers("--point", args.point, target.dim)
        try:
            return [periodic_point(target, x, args.period)], ""
        except InvalidArgumentError as e:
            raise GdmapsError(f"--{e}") from None
    region = _region(args, target.dim) or [[-2.0, 2.0]] * target.dim
    if args.period == 1:
        found = fixed_points(target, region, method="numeric").points
    else:
        found = periodic_orbits(target, args.period, region).orbits
    saddles = [np.asarray(o.points, dtype=float) for o in found
               if o.tangent is None and o.stability.kind is Kind.SADDLE]
    others = len(found) - len(saddles)
    note = (f"; {others} other {'fixed points' if args.period == 1 else 'orbits'} found (not isolated"
            " saddles)" if others else "")
    return saddles[:MAX_SADDLES], note + (f"; the first {MAX_SADDLES} of {len(saddles)} saddles drawn"
                                          if len(saddles) > MAX_SADDLES else "")


#: Saddles whose manifolds one ``gdmaps manifolds`` call computes at most.
MAX_SADDLES = 8


def _manifolds(args):
    from gdmaps.orbits.stable_manifold import stable_manifold
    from gdmaps.orbits.unstable_manifold import unstable_manifold

    target = _with_eta(resolve_target(args), args)
    _require_bound(target)
    check_limit(args, "period", args.period, f"--period {fmt(args.period)}", "ask a shorter period")
    check_limit(args, "steps", args.steps * args.period, f"--steps {fmt(args.steps)} x --period"
                f" {fmt(args.period)} = {fmt(args.steps * args.period)} steps per branch", "lower --steps")
    check_limit(args, "points", args.samples * target.dim * (args.steps + 1), f"--samples"
                f" {fmt(args.samples)} x (--steps {fmt(args.steps)} + 1) in dimension {target.dim}",
                "lower --samples or --steps")
    check_limit(args, "points", args.max_points * target.dim * 2 * args.period, f"--max-points"
                f" {fmt(args.max_points)} x 2 branches x --period {fmt(args.period)} in dimension"
                f" {target.dim}", "lower --max-points")
    out_file("--out", args.out, FIGURE_FORMATS)
    if args.out and target.dim != 2:
        raise GdmapsError(f"--out draws 2-D maps; this one has dimension {target.dim}")
    saddles, note = _saddles(args, target)
    rows, drawn = [], []
    for orbit in saddles:
        row = {"orbit": orbit, "stable": None, "unstable": None, "errors": []}
        kinds = ("stable", "unstable") if args.which == "both" else (args.which,)
        for kind in kinds:
            try:
                if kind == "stable":
                    W = stable_manifold(target, orbit[0], period=len(orbit), length=args.length,
                                        samples=args.samples, steps=args.steps, delta=args.delta)
                else:
                    W = unstable_manifold(target, orbit[0], period=len(orbit), length=args.length,
                                          samples=args.samples, steps=args.steps, delta=args.delta,
                                          max_gap=args.max_gap,
                                          max_points=max(args.samples, args.max_points))
            except GdmapsError as err:
                if args.point is not None:
                    raise
                row["errors"].append(f"{kind} manifold not computed: {_cli_words(err)}")
                continue
            row[kind] = W
            drawn.append(W)
        rows.append(row)
    if args.out:
        from gdmaps.plotting import save_figure
        from gdmaps.plotting.manifolds import plot_manifolds

        if not drawn:
            raise GdmapsError("--out: no manifold to draw (no saddle found" + (
                f" in --region {args.region}" if args.region else " in -2,2 per coordinate; give --region")
                + ")")
        names = [str(v) for v in target.state]
        save_figure(plot_manifolds(*drawn, labels=names[:2], title=_map_title(target)), args.out)
    if args.json:
        print(dumps_indented({
            "map": _map_title(target), "period": args.period,
            "saddles": [{"orbit": r["orbit"].tolist(),
                         "stable": None if r["stable"] is None else r["stable"].to_dict(),
                         "unstable": None if r["unstable"] is None else r["unstable"].to_dict(),
                         "errors": r["errors"]} for r in rows],
            "notes": note.lstrip("; ")}))
        return
    print(target)
    what = "saddle fixed point" if args.period == 1 else f"saddle orbit of period {args.period}"
    print(f"{len(rows)} {what}{'' if len(rows) == 1 else 's'}{note}")
    for r in rows:
        where = r["orbit"] if args.period > 1 else r["orbit"][0]
        print(f"{what} {rounded(where).tolist()}")
        for kind in ("stable", "unstable"):
            if r[kind] is not None:
                print(f"  {r[kind]}")
                print(textwrap.fill(r[kind].notes, 100, initial_indent="    ", subsequent_indent="    "))
        for e in r["errors"]:
            print(f"  {e}")
    if args.out:
        print(f"wrote {args.out}")


def _map_title(target):
    if isinstance(target, GDMap):
        return f"GD on {target.describe()}, eta = {target.eta}"
    return "; ".join(f"{x} -> {e}" for x, e in zip(target.state, target.exprs))


def _lyapunov(args):
    from gdmaps.cli.bifurcation import _box
    from gdmaps.bifurcations.lyapunov import lyapunov_spectrum

    target = _with_eta(resolve_target(args), args)
    _require_bound(target)
    d = target.dim
    if args.x0 is not None:
        if args.region is not None:
            raise GdmapsError("--region is the box of random starts; with --x0 there are none: leave"
                              " one out")
        X = _numbers("--x0", args.x0, d)[None, :]
    else:
        box = np.asarray(_box(args.region, target), dtype=float)
        check_limit(args, "points", args.starts * d, f"--starts {fmt(args.starts)} in dimension {d}"
                    f" gives {fmt(args.starts * d)} coordinates", "lower --starts")
        rng = np.random.default_rng(args.seed)
        X = box[:, 0] + rng.random((args.starts, d)) * (box[:, 1] - box[:, 0])
    check_limit(args, "steps", args.steps + args.transient, f"--steps {fmt(args.steps)} + --transient"
                f" {fmt(args.transient)}", "lower --steps or --transient")
    work = len(X) * (args.steps + args.transient)
    check_limit(args, "work", work, f"{len(X)} starts x (--steps {fmt(args.steps)} + --transient"
                f" {fmt(args.transient)}) = {fmt(work)} map evaluations", "lower --starts or --steps")
    with cluster(args) as workers:
        spec = lyapunov_spectrum(target, X, args.steps, transient=args.transient, tol=args.tol,
                                 progress=progress(args), workers=workers)
    if args.json:
        data = spec.to_dict()
        data.pop("values")
        print(dumps_indented({"map": _map_title(target), "starts": X.tolist(), **data}))
        return
    print(target)
    print(spec)
    for x, exps, errs, div, conv in zip(X, spec.exponents, spec.stderr, spec.diverged, spec.converged):
        start = rounded(x).tolist()
        if div:
            print(f"  from {start}: diverged")
            continue
        text = ", ".join(f"{e:.6f} +- {s:.1e}" for e, s in zip(exps, errs))
        tail = "" if conv else f" (not converged to --tol {args.tol:g}: raise --steps)"
        print(f"  from {start}: {text}; sum {exps.sum():.6f}{tail}")


def main(argv=None) -> int:
    """Run the command line; returns the exit status (2 for bad input, see ``--help``)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help exits 0 as usual; usage errors (one line) return 2
        if not exit_.code:
            raise
        return exit_.code
    where = f"gdmaps {args.command}: error:"
    plt = sys.modules.get("matplotlib.pyplot")
    figures = set(plt.get_fignums()) if plt else set()
    try:
        seconds = limits_of(args)["seconds"]  # a bad --limit is refused before any work
        # Overflow, NaN and divergence are outcomes the commands classify and print (a fate
        # "diverged", a start dropped, eta* "inf"), never floating-point warnings: numerics that
        # no module of the command line owns (numeric searches on losses that overflow, such as
        # exp(1000)*x) are quiet here too.
        with deadline(seconds), warnings.catch_warnings(), np.errstate(all="ignore"):
            # a figure with nothing labelled (every orbit diverged) has an empty legend: cosmetic
            warnings.filterwarnings("ignore", "No artists with labels found", UserWarning)
            status = args.run(args)
    except TimeLimitReached:
        print(f"{where} stopped after {seconds} s, the limit seconds={seconds} (wall-clock time of"
              " the command); ask for a smaller job, or raise it with --limit seconds=N", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        return 0
    except ZeroDivisionError:
        print(f"{where} a number divides by zero", file=sys.stderr)
        return 2
    except GdmapsError as exc:
        print(f"{where} {_cli_words(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file named on the command line cannot be read or written
        name = f" {exc.filename!r}" if exc.filename else ""
        print(f"{where} cannot use the file{name}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{where} out of memory; ask for a smaller job (fewer --starts, --cells, ...)",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"gdmaps {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:  # the figures this command drew are written: close them (main may run many times)
        plt = sys.modules.get("matplotlib.pyplot")
        for num in set(plt.get_fignums()) - figures if plt else ():
            plt.close(num)
    return status if isinstance(status, int) else 0


_API_WORDS = [
    (re.compile(r"\(use \.subs or \.at\)"), "(give them with -p NAME=VALUE, or --eta for the step size)"),
    (re.compile(r"pass eta=\.\.\. or fix it with (gdmap)?\.at\(eta\)"), "give it with --eta"),
    (re.compile(r"fixed_points\(method='numeric'\)"), "the numeric search (--region)"),
    (re.compile(r"(map)?\.subs\((\w+)=\.\.\.\)"), r"-p \2=VALUE"),
    (re.compile(r"(map\.)?\.?at\(eta\)"), "--eta"),
    (re.compile(r"use method='numeric' with a region"), "give --region LO,HI,... for a numeric search"),
    (re.compile(r"\bmethod='symbolic'"), "the exact fixed points (no --region)"),
    (re.compile(r"\bmethod='(numeric|certified)'"), "--region"),
]


def _cli_words(exc) -> str:
    """A library message in command-line words: ``-p r=VALUE`` for ``.subs(r=...)``, ``--eta``
    for ``.at(eta)``; one line."""
    text = " ".join(str(exc).split())
    for pattern, words in _API_WORDS:
        text = pattern.sub(words, text)
    return text


if __name__ == "__main__":
    sys.exit(main())
