"""``gdmaps bifurcation``: orbit diagram, continued branches, bifurcation points, Lyapunov exponent."""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import GdmapsError
from gdmaps.core.gd import GDMap
from gdmaps.cli.cluster import add_cluster_arguments, cluster
from gdmaps.cli.limits import check_limit, fmt
from gdmaps.cli.options import FIGURE_FORMATS, count, dumps_indented, out_file, progress, rounded
from gdmaps.cli.targets import add_target_arguments, parse_region, resolve_target

__all__ = ["add_parser", "run"]

EXAMPLE = ("gdmaps bifurcation --map logistic --range 2.8:4 --switch 6 --out logistic.png\n"
           "gdmaps bifurcation --loss '(x**2 - 1)**2/4' --range 0.5:2 --out quartic.png\n"
           "gdmaps bifurcation --map henon -p b=0.3 --vary a --range 0.1:1.4 --json")


def add_parser(sub, command):
    p = command(sub, "bifurcation", "bifurcations in a parameter (the step size of a GD map by"
                " default): the orbit diagram, fixed points continued with their period doublings,"
                " folds and Neimark-Sacker points, exact values where SymPy finds them, and the"
                " largest Lyapunov exponent", EXAMPLE, limits=("values", "period", "work"))
    add_target_arguments(p)
    p.add_argument("--vary", metavar="NAME",
                   help="the parameter to move (default: eta for a GD map, else the map's only"
                   " parameter)")
    p.add_argument("--range", metavar="LO:HI", required=True,
                   help="the parameter interval (write --range=-0.1:1.4 for negatives)")
    p.add_argument("--values", type=count(1), default=400,
                   help="parameter values in the diagram (400)")
    p.add_argument("--starts", type=count(1), default=50, help="starts per value (default 50)")
    p.add_argument("--transient", type=count(0), default=1000, help="steps dropped (default 1000)")
    p.add_argument("--keep", type=count(1), default=8, help="iterates kept per start (default 8)")
    p.add_argument("--region", metavar="LO,HI,...",
                   help="box of the starts and of the fixed points continued (default [-1, 1] per"
                   " coordinate; [0, 1] for the logistic map)")
    p.add_argument("--switch", type=count(0), default=4,
                   help="levels of period doubling to follow by branch switching (default 4); the"
                   " period 2^switch reached is bounded by the period limit")
    p.add_argument("--no-exact", action="store_true",
                   help="skip the exact (SymPy) bifurcation points of periods 1 and 2")
    p.add_argument("--coord", type=count(0), default=0,
                   help="coordinate drawn, 0 to the dimension - 1 (default 0)")
    p.add_argument("--seed", type=count(0), default=0, help="random seed of the starts (default 0)")
    p.add_argument("--out", metavar="FILE", help="write the figure (.png/.pdf/.svg)")
    add_cluster_arguments(p)
    p.set_defaults(run=run)
    return p


def run(args):
    lo, hi = _range(args.range)
    target = resolve_target(_with_varied_value(args, lo))
    name = _parameter(target, args.vary)
    _check(args, target, name, lo)
    region = _box(args.region, target)
    values = np.linspace(lo, hi, args.values)
    with cluster(args) as workers:  # the orbit diagram and the Lyapunov exponents
        return _run(args, target, name, lo, hi, region, values, workers)


def _run(args, target, name, lo, hi, region, values, workers):
    from gdmaps.bifurcations.continuation import continuation
    from gdmaps.bifurcations.lyapunov import lyapunov_spectrum
    from gdmaps.bifurcations.orbit_diagram import orbit_diagram

    diagram = orbit_diagram(target, name, values, progress=progress(args), starts=args.starts,
                            transient=args.transient, keep=args.keep, region=region, seed=args.seed,
                            workers=workers)
    starts, on_continua = _fixed_points(target, name, lo, region)
    conts, failed = [], []
    # far out in the parameter (eta = 1e300) branches and exponents overflow: what overflows
    # ends non-finite (a branch stops, an exponent is nan), an outcome, not a warning
    def quiet():
        return np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")

    for x in starts:
        try:
            with quiet():
                conts.append((x, continuation(target, x, name, (lo, hi), switch=args.switch,
                                              progress=progress(args))))
        except GdmapsError as err:
            failed.append((x, err))
    exact = [] if args.no_exact else _exact(target, name, lo, hi)
    x0 = np.nan_to_num(_bounded_starts(diagram), nan=0.0)
    with quiet():
        lyap = lyapunov_spectrum(target, x0, 2000, transient=args.transient, parameter=name,
                                 values=values, workers=workers)
    points = sorted((b for _, c in conts for b in c.bifurcations), key=lambda b: b.value)
    if args.out:
        from gdmaps.plotting import plot_orbit_diagram, save_figure

        save_figure(plot_orbit_diagram(diagram, continuation=_merged(conts), lyapunov=lyap,
                                       coord=args.coord, title=target), args.out)  # a math title
    if args.json:
        print(dumps_indented({
            "map": _title(target, name), "parameter": name, "range": [lo, hi],
            "diagram": {"values": values.tolist(), "starts": diagram.starts,
                        "diverged": int(diagram.diverged.sum())},
            "continuations": [{"start": np.asarray(x).tolist(), **c.to_dict()} for x, c in conts],
            "not_continued": [{"start": np.asarray(x).tolist(), "reason": str(e)} for x, e in failed],
            "bifurcations": [_point_dict(b) for b in points],
            "exact": [{"kind": e.kind, "period": e.period, "value": str(e.value),
                       "float": float(e)} for e in exact if not isinstance(e, str)],
            "exact_notes": [e for e in exact if isinstance(e, str)],
            "largest_lyapunov": [None if np.isnan(v) else float(v) for v in lyap.largest],
        }))
        return
    print(_title(target, name))
    print(diagram)
    for x, c in conts:
        print(f"continued from the fixed point {rounded(x).tolist()} at {name} = {lo:g}: {c}")
    for x, err in failed:
        print(f"not continued from {rounded(x).tolist()}: {err}")
    if on_continua:
        print(f"not continued: {on_continua} fixed points found on continua (e.g. a curve of minima);"
              " continuation follows isolated points only")
    if points:
        print("bifurcation points:")
        for (kind, value, period), n in _distinct(points):
            twins = f", {n} orbits" if n > 1 else ""
            print(f"  {kind:<16} {name} = {value:.12g}  (period {period}{twins})")
        _gap_ratios(conts)
    for e in _distinct_exact(exact):
        print(f"  exact: {e}")
    pos = lyap.chaotic
    if pos.any():
        print(f"largest Lyapunov exponent > 0 (beyond 3 standard errors) at {int(pos.sum())} of"
              f" {len(values)} values, first at {name} = {values[np.argmax(pos)]:.6g};"
              f" max {np.nanmax(lyap.largest):.4f}")
    else:
        print("largest Lyapunov exponent not positive beyond its error at any value: no chaos seen"
              " in this range")
    if args.out:
        print(f"wrote {args.out}")


def _with_varied_value(args, lo):
    """A built-in map needs every parameter; the one varied may go unsaid: bind it to LO."""
    import inspect

    from gdmaps.maps.classic import BUILDERS

    builder = BUILDERS.get(args.map) if args.map else None
    if builder is None:
        return args
    given = {item.partition("=")[0].strip() for item in args.param}
    takes = inspect.signature(builder).parameters
    missing = [p for p, s in takes.items() if s.default is s.empty and p not in given]
    # an unknown --vary is reported by the family, which lists the parameters
    if len(missing) == 1 and (args.vary in (None, missing[0]) or args.vary not in takes):
        args.param = [*args.param, f"{missing[0]}={lo!r}"]
    return args


def _title(target, name):
    """The family with the moving parameter left as a symbol."""
    if isinstance(target, GDMap):
        return f"GD on {target.describe()}, {name} moving"
    keep = {p: v for p, v in target.values.items() if p.name != name}
    parts = [f"{x} -> {e.xreplace(keep)}" for x, e in zip(target.state, target.template)]
    return f"{'; '.join(parts)}  ({name} moving)"


def _parameter(target, vary):
    if vary:
        return vary
    if isinstance(target, GDMap):
        return "eta"
    names = [p.name for p in target.parameters]
    if len(names) != 1:
        raise GdmapsError(f"say which parameter to move with --vary (one of {', '.join(names)})")
    return names[0]


def _range(text):
    try:
        lo, hi = (float(v) for v in text.split(":"))
    except ValueError:
        raise GdmapsError(f"--range must be LO:HI, two numbers, got {text!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise GdmapsError(f"--range must have LO < HI, both finite, got {text!r} (at one parameter value,"
                          " gdmaps lyapunov gives the exponents)")
    return lo, hi


def _check(args, target, name, lo):
    """Options that depend on the map, and the size of the job, before any work."""
    if args.coord >= target.dim:
        raise GdmapsError(f"--coord must be a coordinate from 0 to {target.dim - 1} of this"
                          f" {target.dim}-D map, got {args.coord}")
    if isinstance(target, GDMap) and name == "eta" and lo <= 0:
        raise GdmapsError(f"--range must lie in eta > 0 (the step size of gradient descent), got"
                          f" {args.range!r}; e.g. --range 0.5:2")
    names = [p.name for p in target.parameters]
    if name not in names:
        raise GdmapsError(f"--vary must be a parameter of this map ({', '.join(names) or 'none'}),"
                          f" got {name!r}")
    others = [p.name for p in target.free_parameters if p.name != name]
    if others:
        raise GdmapsError(f"-p {others[0]}=VALUE is required: only the --vary parameter {name} may"
                          f" stay without a value (free: {', '.join(others)})")
    check_limit(args, "values", args.values, f"--values {fmt(args.values)}")
    check_limit(args, "period", 2**min(args.switch, 64), f"--switch {args.switch} reaches period"
                f" {fmt(2**min(args.switch, 64))}", "lower --switch")
    work = args.values * args.starts * (args.transient + args.keep) + args.values * (2000 + args.transient)
    check_limit(args, "work", work, f"--values {fmt(args.values)} x --starts {fmt(args.starts)} x"
                f" (--transient {fmt(args.transient)} + --keep {fmt(args.keep)}) = {fmt(work)} map"
                " evaluations",
                "lower --values, --starts or --transient")
    out_file("--out", args.out, FIGURE_FORMATS)


def _box(text, target):
    d = target.dim
    if text is None:
        logistic = d == 1 and {p.name for p in target.parameters} == {"r"}
        return [[0.0, 1.0]] if logistic else [[-1.0, 1.0]] * d
    return parse_region(text, d)


def _fixed_points(target, name, p0, region):
    """Isolated fixed points at the start of the range (at most four, near-copies dropped)
    in the region widened three times about its centre, to continue; and how many found
    lie on continua."""
    from gdmaps.core.family import Family
    from gdmaps.orbits.fixed_points import fixed_points

    c = np.mean(region, axis=1)
    wide = [[ci - 3 * (h - ci), ci + 3 * (h - ci)] for ci, (_, h) in zip(c, region)]
    found = fixed_points(Family(target, name).at(p0), wide, method="numeric")
    scale = 1e-3 * max(h - lo_ for lo_, h in wide)
    pts = []
    for o in found.points:  # Newton on a degenerate point leaves a cloud of near-copies
        x = o.points[0]
        if o.tangent is None and all(np.max(np.abs(x - q)) > scale for q in pts):
            pts.append(x)
    return pts[:4], sum(o.tangent is not None for o in found.points)


def _exact(target, name, lo, hi):
    from gdmaps.bifurcations.exact_bifurcations import exact_bifurcations

    out = []
    for period in (1, 2):
        try:
            out += [e for e in exact_bifurcations(target, name, period=period, domain=(lo, hi))]
        except GdmapsError as err:
            return out + [f"period {period}: none exactly ({str(err).split(';')[0]})"]
    return out


def _bounded_starts(diagram):
    """Per value, the last kept point of its first bounded orbit (on the attractor)."""
    ok = ~diagram.diverged
    j = np.argmax(ok, axis=1)  # 0 where every orbit diverged: that one diverges again
    return diagram.points[np.arange(len(j)), j * diagram.keep + diagram.keep - 1].copy()


def _merged(conts):
    """Every continued branch, as one Continuation for the figure."""
    from gdmaps.bifurcations.continuation import Continuation

    if not conts:
        return None
    return Continuation(conts[0][1].parameter, tuple(b for _, c in conts for b in c.branches))


def _point_dict(b):
    return {"kind": b.kind, "value": b.value, "period": b.period,
            "orbit": np.asarray(b.orbit).tolist()}


def _distinct(points):
    """Bifurcations of symmetric orbits at the same value, counted once."""
    out = []
    for b in points:
        key = (b.kind, b.value, b.period)
        if out and out[-1][0][0] == b.kind and out[-1][0][2] == b.period and np.isclose(
                out[-1][0][1], b.value, rtol=1e-10, atol=1e-12):
            out[-1][1] += 1
        else:
            out.append([key, 1])
    return out


def _distinct_exact(exact):
    seen, out = set(), []
    for e in exact:
        key = e if isinstance(e, str) else (e.kind, e.period, str(e.value))
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _gap_ratios(conts):
    """Gap ratios along the longest period-doubling cascade of one continuation."""
    chains = [[b.value for b in c.bifurcations if b.kind == "period-doubling"] for _, c in conts]
    pd = max(chains, key=len, default=[])
    if len(pd) >= 3:
        gaps = np.diff(sorted(pd))
        ratios = gaps[:-1] / gaps[1:]
        print("  ratios of successive period-doubling gaps (Feigenbaum delta = 4.6692): "
              + " ".join(f"{r:.4f}" for r in ratios))
