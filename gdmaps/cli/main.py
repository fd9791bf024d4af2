"""``gdmaps <command>``: each command prints a summary, or JSON with ``--json``."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from gdmaps.errors import GdmapsError
from gdmaps.gd import GDMap
from gdmaps.iterate import iterate
from gdmaps.report import DEFAULT_ETAS, analyze
from gdmaps.samplers import SAMPLERS, sample
from gdmaps.cli.targets import add_target_arguments, resolve_target

__all__ = ["main", "build_parser"]


def _command(sub, name, help, example):
    p = sub.add_parser(name, help=help, description=help,
                       epilog="example:\n" + textwrap.indent(example, "  "),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return p


def _add_batch(p, *, steps=1000, n=1000):
    p.add_argument("--points", type=int, default=n, help=f"initializations (default {n})")
    p.add_argument("--steps", type=int, default=steps, help=f"steps per orbit (default {steps})")
    p.add_argument("--init", choices=SAMPLERS, default="normal",
                   help="distribution of initializations (default normal)")
    p.add_argument("--scale", type=float, default=1.0, help="its scale (default 1)")
    p.add_argument("--center", type=float, default=0.0, help="its center (default 0)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdmaps", description="Gradient descent as a discrete dynamical system.",
        epilog="example:\n  gdmaps analyze --out report/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = _command(sub, "analyze", "the main job: the GD map, its Jacobian and the fate of random"
                 " initializations at several step sizes; writes report.md with --out",
                 "gdmaps analyze\n"
                 "gdmaps analyze --loss '(a*b*c - 1)**2/2' --etas 0.3,0.7 --out out/")
    add_target_arguments(p)
    p.add_argument("--etas", default=",".join(map(str, DEFAULT_ETAS)),
                   help="comma-separated step sizes")
    p.add_argument("--out", metavar="DIR", help="write report.md (and figures) into DIR")
    _add_batch(p)
    p.set_defaults(run=_analyze)

    p = _command(sub, "iterate", "run a batch of orbits and report their fates",
                 "gdmaps iterate --map henon --points 500 --steps 200\n"
                 "gdmaps iterate --model scalar_chain -p depth=3 --eta 0.5 --json\n"
                 "gdmaps iterate --map 'x: r*x*(1 - x)' -p r=3.2 --init uniform --center 0.5 --scale 0.4")
    add_target_arguments(p)
    p.add_argument("--eta", type=float, help="step size (needed for GD maps)")
    p.add_argument("--tol", type=float, default=1e-9, help="convergence tolerance on |f(x) - x|")
    _add_batch(p)
    p.set_defaults(run=_iterate)
    return parser


def _analyze(args):
    target = resolve_target(args)
    if not isinstance(target, GDMap):
        raise GdmapsError("gdmaps analyze studies a loss or a model, not a plain map;"
                          " use gdmaps iterate for maps")
    etas = [float(e) for e in args.etas.split(",") if e.strip()]
    report = analyze(target, etas, n=args.points, steps=args.steps, init=args.init,
                     scale=args.scale, seed=args.seed)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.md").write_text(report.to_markdown())
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report)
        if args.out:
            print(f"wrote {Path(args.out) / 'report.md'}")


def _iterate(args):
    target = resolve_target(args)
    if args.eta is not None:
        if not isinstance(target, GDMap):
            raise GdmapsError("--eta is the step size of a GD map; this map has none")
        target = target.at(args.eta)
    x0 = sample(args.init, args.points, target.dim, scale=args.scale, center=args.center,
                seed=args.seed)
    result = iterate(target, x0, args.steps, tol=args.tol)
    if args.json:
        print(json.dumps({"map": [str(e) for e in target.exprs], **result.summary()}, indent=2))
    else:
        print(target)
        print(result)


def main(argv=None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    args = build_parser().parse_args(argv)  # usage errors exit 2 here
    try:
        args.run(args)
    except GdmapsError as exc:
        print(f"gdmaps {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
