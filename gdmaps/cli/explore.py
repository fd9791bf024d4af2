"""``gdmaps explore``: the interactive explorer in the browser (needs ``gdmaps[explore]``)."""

from __future__ import annotations

from gdmaps.cli.options import count
from gdmaps.cli.targets import MODELS, add_target_arguments
from gdmaps.core.errors import GdmapsError

__all__ = ["add_parser", "run"]

EXAMPLE = ("gdmaps explore\n"
           "gdmaps explore --loss '(a*b*c - 2)**2/2' --port 5007\n"
           "gdmaps explore --map logistic\n"
           "gdmaps explore --map 'x: 1 - a*x**2 + y; y: b*x; a = 1.4; b = 0.3' --vary a --range 1:1.4")


def add_parser(sub, command):
    p = command(sub, "explore", "the interactive explorer: a local web app whose slider moves the step"
                " size (or a parameter of a map) under an orbit diagram, a fate map with clickable"
                " starts, the phase transition, fixed points and periodic orbits, a cobweb for 1-D"
                " maps and the certificate; prints its URL and serves until Ctrl-C", EXAMPLE)
    add_target_arguments(p)
    p.add_argument("--vary", metavar="NAME", help="the parameter the slider moves (default eta for a"
                   " GD map, else the map's first parameter)")
    p.add_argument("--range", metavar="LO:HI", help="its range (default around eta*, or the map's value)")
    p.add_argument("--region", metavar="LO,HI,...", help="the box of initializations (default -2,2 per"
                   " coordinate)")
    p.add_argument("--port", type=count(0), default=5006, help="port (default 5006; 0 picks a free one)")
    p.add_argument("--address", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--show", action="store_true", help="open the page in a browser")
    p.set_defaults(run=run)
    return p


def _target(args) -> dict:
    from gdmaps.cli.targets import _pairs  # noqa: PLC0415 - same room

    params = {k: _value(v) for k, v in _pairs(args.param).items()}
    out = {}
    if args.model:
        if args.model not in ("scalar_chain", "relu_example"):
            raise GdmapsError(f"--model: the explorer builds scalar_chain and relu_example, not"
                              f" {args.model!r} (of {', '.join(MODELS)})")
        out.update(model=args.model, params=params)
    elif args.map:
        out.update(map=args.map, params=params)
    elif args.loss:
        text = args.loss + "".join(f"; {k} = {v}" for k, v in params.items())
        out.update(loss=text)
    if args.vary:
        out["parameter"] = args.vary
    if args.range:
        lo, sep, hi = args.range.partition(":")
        try:
            out["span"] = (float(lo), float(hi))
        except ValueError:
            sep = ""
        if not sep or not out["span"][0] < out["span"][1]:
            raise GdmapsError(f"--range must be LO:HI with LO < HI, got {args.range!r}")
    if args.region:
        try:
            v = [float(s) for s in args.region.split(",")]
        except ValueError:
            raise GdmapsError(f"--region must be numbers LO,HI,... got {args.region!r}") from None
        out["region"] = v[0] if len(v) == 1 else [v[i:i + 2] for i in range(0, len(v), 2)]
    return out


def _value(text):
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() and "." not in text else f


def run(args):
    try:
        from gdmaps.explore.app import serve
    except ImportError:
        raise GdmapsError("gdmaps explore needs Panel: pip install 'gdmaps[explore]'") from None
    import signal
    import socket

    target = _target(args)
    port = args.port
    if port == 0:
        with socket.socket() as s:
            s.bind((args.address, 0))
            port = s.getsockname()[1]
    from gdmaps.explore.state import target_from

    target_from(**target)  # refuse a bad target before serving
    if hasattr(signal, "setitimer"):  # a server runs until stopped: each of its computations is
        signal.setitimer(signal.ITIMER_REAL, 0)  # bounded by the explorer's own time limit instead
    print(f"gdmaps explorer at http://{args.address}:{port}/  (Ctrl-C stops it)", flush=True)
    server = serve(port=port, address=args.address, show=args.show, threaded=False, **target)
    return 0 if server is None else 0
