"""Which map a command works on: a built-in map, a model, a typed map or a typed loss."""

from __future__ import annotations

import argparse
import math
import re

import numpy as np

from gdmaps.core.errors import InvalidArgumentError
from gdmaps.cli.limits import check_limit, number, whole
from gdmaps.core.losses import loss_from_text
from gdmaps import maps, models

__all__ = ["add_target_arguments", "parse_region", "resolve_target", "DEFAULT_LOSS", "MODELS"]

#: The built-in default example: eta* = 1 for it.
DEFAULT_LOSS = "(a*b - 1)**2/2"

#: Models the command line builds, with the options each takes (-p NAME=VALUE).
MODELS = {
    "scalar_chain": "depth (int, default 2), y (number, default 1)",
    "linear_network": "data (a built-in set xor|teacher|sine|iris|diabetes|digits, or a .npz with arrays"
                      " X, Y or a .csv), points (a subset, or the size of teacher|sine), widths"
                      " (e.g. 3,3), reduction (sum|mean)",
    "mlp": "data, points and widths as linear_network; activation (tanh|sigmoid|softplus|relu),"
           " bias (true|false, default false), loss (squared|cross_entropy), reduction (sum|mean)",
    "relu_example": "reduction (sum|mean)",
}


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """Options choosing the map; with none, the default example."""
    g = parser.add_argument_group("what to study (default: the loss " + DEFAULT_LOSS + ")")
    which = g.add_mutually_exclusive_group()
    which.add_argument("--map", metavar="NAME|TEXT",
                       help=f"a built-in map ({', '.join(maps.NAMES)}) or a map typed as"
                            " text, e.g. 'x: 1 - a*x**2 + y; y: b*x'")
    which.add_argument("--model", metavar="NAME", choices=sorted(MODELS),
                       help="a model: " + "; ".join(f"{k}: {v}" for k, v in MODELS.items()))
    which.add_argument("--loss", metavar="TEXT",
                       help="a loss typed as text, e.g. '(a*b - y)**2/2; y = 2'")
    g.add_argument("--params", metavar="A,B,...",
                   help="trainable parameters of --loss (default: every symbol without a value)")
    g.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value of the map or an option of the model (repeatable)")


def _pairs(items) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidArgumentError(f"--param must be NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _number(name, text):
    value = number(text)
    if not math.isfinite(value):
        raise InvalidArgumentError(f"-p {name} must be a finite number, got {text!r}")
    return value


def _whole(name, text, args, limit=None):
    n = whole(text)
    if n is None or n < 1:
        raise InvalidArgumentError(f"-p {name} must be a whole number >= 1, got {text!r}")
    if limit:
        check_limit(args, "params", n, f"-p {name}={text}")
    return n


def _data(opts, args):
    from gdmaps.models.data import DATASETS, dataset

    name = opts.pop("data", None)
    if name is None:
        raise InvalidArgumentError(f"this model needs -p data=NAME (one of {', '.join(DATASETS)}) or"
                                   " -p data=FILE (.npz with arrays X, Y; .csv with the target last)")
    points = opts.pop("points", None)
    points = None if points is None else _whole("points", points, args)
    try:
        return dataset(name, points=points)
    except InvalidArgumentError as exc:  # "data must ...", "points must ..." in CLI words
        raise InvalidArgumentError(re.sub(r"^(data|points)\b", r"-p \1", str(exc))) from None


def _flag(name, text):
    value = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(text.lower())
    if value is None:
        raise InvalidArgumentError(f"-p {name} must be true or false, got {text!r}")
    return value


def _widths(opts, args):
    text = opts.pop("widths", "")
    return [_whole("widths", w, args) for w in text.split(",") if w.strip()]


def _builtin(name, opts):
    """A built-in map, its parameters checked against what it takes, in CLI words."""
    import inspect

    from gdmaps.maps.classic import BUILDERS

    builder = BUILDERS.get(name)
    if builder is None:
        raise InvalidArgumentError(f"--map must be one of {', '.join(map(repr, maps.NAMES))}, or a map"
                                   f" typed as text such as 'x: r*x*(1 - x)'; got {name!r}")
    sig = inspect.signature(builder).parameters
    takes = ", ".join(f"-p {p}=VALUE" + ("" if s.default is s.empty else f" (default {s.default})")
                      for p, s in sig.items())
    unknown = sorted(set(opts) - set(sig))
    if unknown:
        raise InvalidArgumentError(f"-p {unknown[0]}=... is not a parameter of --map {name}; it takes"
                                   f" {takes}")
    missing = [p for p, s in sig.items() if s.default is s.empty and p not in opts]
    if missing:
        raise InvalidArgumentError(f"-p {missing[0]}=VALUE is required for --map {name}; it takes {takes}")
    return maps.by_name(name, **{k: _number(k, opts.pop(k)) for k in list(opts)})


def _model(name, opts, args):
    try:
        target = _build_model(name, opts, args)
    except InvalidArgumentError as exc:  # "reduction must be ..." -> "-p reduction must be ..."
        raise InvalidArgumentError(re.sub(r"^(reduction|activation|widths|depth|loss|y|X|Y)\b", r"-p \1",
                                          str(exc))) from None
    extra = sorted(set(opts) - {"eta"})  # -p eta=... binds the step size, as for a loss
    if extra:
        raise InvalidArgumentError(f"-p {extra[0]}=... is not an option of --model {name}; its"
                                   f" options: {MODELS[name]}")
    return target


def _build_model(name, opts, args):
    if name == "scalar_chain":
        return models.scalar_chain(_whole("depth", opts.pop("depth", "2"), args, limit=True),
                                   _number("y", opts.pop("y", "1")))
    if name == "relu_example":
        return models.relu_example(reduction=opts.pop("reduction", "sum"))
    X, Y = _data(opts, args)
    widths = _widths(opts, args)
    sizes = [np.shape(X)[0] if np.ndim(X) > 1 else 1, *widths, np.shape(Y)[0] if np.ndim(Y) > 1 else 1]
    bias = name == "mlp" and _flag("bias", opts.pop("bias", "false"))
    n = sum(o * i + (o if bias else 0) for i, o in zip(sizes, sizes[1:]))
    check_limit(args, "params", n, f"-p widths={','.join(map(str, widths))} gives {n} weights on this"
                " data", "narrow the layers")
    if name == "linear_network":
        return models.linear_network(X, Y, widths, reduction=opts.pop("reduction", "sum"))
    return models.mlp(X, Y, widths, opts.pop("activation", "tanh"), bias=bias,
                      loss=opts.pop("loss", "squared"), reduction=opts.pop("reduction", "sum"))


def resolve_target(args):
    """The Map or GDMap the parsed arguments describe."""
    opts = _pairs(args.param)
    if args.params is not None and args.loss is None:
        raise InvalidArgumentError("--params goes with --loss only")
    for flag, text, example in (("--map", args.map, "henon or 'x: r*x*(1 - x)'"),
                                ("--loss", args.loss, "'(a*b - 1)**2/2'")):
        if text is not None and not text.strip():
            raise InvalidArgumentError(f"{flag} must be non-empty, e.g. {flag} {example}, got ''"
                                       f" (leave {flag} out for the default loss {DEFAULT_LOSS})")
    if args.model:
        target = _model(args.model, opts, args)
    elif args.map:
        if ":" in args.map:
            target = maps.from_text(args.map)
        else:
            target = _builtin(args.map, opts)
    else:
        try:
            target = loss_from_text(args.loss or DEFAULT_LOSS, args.params)
        except InvalidArgumentError as exc:  # "params must ...", "loss could not ..." in CLI words
            raise InvalidArgumentError(re.sub(r"^(params|loss)\b", r"--\1", str(exc))) from None
    check_limit(args, "params", target.dim, f"the map's dimension {target.dim}")
    _closed_form(target, args)
    if opts:
        names = {p.name for p in target.parameters}
        unknown = sorted(set(opts) - names)
        if unknown:
            raise InvalidArgumentError(
                f"-p {unknown[0]}=... is not a parameter here; the parameters are"
                f" {', '.join(sorted(names - {'eta'})) or 'none'}")
        target = target.subs(**{k: _number(k, v) for k, v in opts.items()})
    return target


def _closed_form(target, args):
    """Refuse a map whose formula keeps an unevaluated derivative (SymPy cannot differentiate
    Abs of a complex symbol): it would fail later, deep in the numerics."""
    import sympy as sp

    if isinstance(target, models.MLPMap):
        return  # built by backprop, its formula is closed by construction (and costly to build)
    bad = next((e for e in target.template if e.has(sp.Derivative)), None)
    if bad is not None:
        d = next(iter(bad.atoms(sp.Derivative)))
        flag, text = ("--loss", args.loss) if args.loss is not None else ("--map", args.map)
        raise InvalidArgumentError(f"{flag} {text!r}: its GD map keeps the unevaluated derivative {d}, which"
                                   " cannot be computed; allowed: losses SymPy differentiates in closed form"
                                   " (e.g. relu(x) or Max(x, 0) instead of Abs(x))")


def parse_region(text, dim, *, flag="--region"):
    """``"lo,hi,lo,hi,..."`` -> ``[[lo, hi], ...]`` for ``dim`` coordinates, ``"r"`` -> ``[-r, r]``
    per coordinate (None for None)."""
    if text is None:
        return None
    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        vals = [math.nan]
    if not all(math.isfinite(v) and abs(v) <= REGION_MAX for v in vals):
        raise InvalidArgumentError(f"{flag} must be numbers low,high per coordinate (or one number r"
                                   f" for -r,r), each of size at most {REGION_MAX:g}, got {text!r}")
    if len(vals) == 1:
        if not vals[0] > 0:
            raise InvalidArgumentError(f"{flag} as one number r means -r,r per coordinate and needs"
                                       f" r > 0, got {text!r}")
        vals = [-vals[0], vals[0]] * dim
    if len(vals) != 2 * dim:
        raise InvalidArgumentError(f"{flag} needs {2 * dim} numbers (low,high for each of {dim}"
                                   f" coordinates) or one number r, got {len(vals)} in {text!r}")
    box = [vals[2 * i:2 * i + 2] for i in range(dim)]
    for i, (lo, hi) in enumerate(box):
        if not lo < hi:
            raise InvalidArgumentError(f"{flag} must have low < high for every coordinate, got"
                                       f" {lo:g},{hi:g} for coordinate {i} in {text!r}")
    return box


#: Largest coordinate a region may have: past it the numeric searches overflow float64.
REGION_MAX = 1e300
