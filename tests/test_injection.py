"""Typed text never runs as code, at every entry point that takes text (issue 11, section 1).

Each payload tries to create a sentinel file in tmp_path by running Python; every entry
point (the library functions and the command line, in a subprocess) must refuse it with a
clean one-line error and leave no sentinel behind.
"""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError, InvalidTypeError, Map, loss_from_text
from gdmaps.core.family import Family
from gdmaps.bifurcations.exact_bifurcations import exact_bifurcations, gd_period_doubling
from gdmaps.core.gd import ETA
from gdmaps.exact.interval import compile_interval
from gdmaps.maps import from_text
from gdmaps.core.parsing import parse_bindings, parse_expression, parse_number
from gdmaps.core.symbols import as_expr, exact, exact_step

# Each template holds {s}, the sentinel's path; a successful attack creates that file.
PAYLOADS = {
    "import": '__import__("os").system("touch {s}")',
    "after a statement": 'x**2; y = __import__("os").system("touch {s}")',
    "inside a map": 'x: x + 0*__import__("os").system("touch {s}")',
    "dunder walk": '().__class__.__bases__[0].__subclasses__()',
    "lambda": '(lambda: __import__("os").system("touch {s}"))()',
    "open": 'open("{s}", "w").write("x")',
    "getattr": 'getattr(__builtins__, "exec")("open(\'{s}\', \'w\')")',
    "eval": 'x + eval("open(\'{s}\', \'w\')")',
    "sympify": 'sympify("__import__(\'os\').system(\'touch {s}\')")',
    "power": 'x^__import__("os").system("touch {s}")',
    "in a function": 'Max(x, __import__("os").system("touch {s}"))',
    "f-string": 'f"{{__import__(\'os\').system(\'touch {s}\')}}"',
    "comprehension": '[open("{s}", "w") for c in (1,)]',
}

# Library entry points: each takes the payload text.
ENTRIES = {
    "GDMap(loss)": lambda p: GDMap(p, ["x"]),
    "GDMap(eta)": lambda p: GDMap("x**2", ["x"], p),
    "GDMap.at": lambda p: GDMap("x**2", ["x"]).at(p),
    "GDMap.subs": lambda p: GDMap("x**2*y", ["x"]).subs(y=p),
    "Map(exprs)": lambda p: Map([p], ["x"]),
    "Map.subs": lambda p: Map(["r*x"], ["x"]).subs(r=p),
    "Map.subs(mapping)": lambda p: Map(["r*x"], ["x"]).subs({"r": p}),
    "Family.at": lambda p: Family(Map(["r*x"], ["x"]), "r").at(p),
    "loss_from_text": lambda p: loss_from_text(p),
    "loss_from_text value": lambda p: loss_from_text("x**2*y; y = " + p),
    "maps.from_text": lambda p: from_text(p),
    "maps.from_text component": lambda p: from_text("x: " + p),
    "maps.from_text value": lambda p: from_text("x: a*x; a = " + p),
    "symbols.exact": lambda p: exact(p),
    "symbols.as_expr": lambda p: as_expr(p, name="value"),
    "symbols.exact_step": lambda p: exact_step(p),
    "parse_expression": lambda p: parse_expression(p),
    "parse_number": lambda p: parse_number(p),
    "parse_bindings": lambda p: parse_bindings("y = " + p),
    "exact_bifurcations(domain)": lambda p: exact_bifurcations(GDMap("(x**2 - 1)**2", ["x"]), ETA,
                                                               domain=(p, 4)),
    "gd_period_doubling(point)": lambda p: gd_period_doubling(GDMap("(x**2 - 1)**2", ["x"]), (p,)),
    "compile_interval": lambda p: compile_interval([p], [sp.Symbol("x")]),
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("entry", ENTRIES.values(), ids=ENTRIES.keys())
def test_library_entry_points_refuse_payloads(entry, payload, tmp_path):
    sentinel = tmp_path / "SENTINEL"
    text = payload.format(s=sentinel)
    with pytest.raises((InvalidArgumentError, InvalidTypeError)) as info:
        entry(text)
    assert "\n" not in str(info.value)
    assert not sentinel.exists()


def test_the_payloads_would_run_through_sympys_own_parser(tmp_path):
    """The payloads are real: SymPy's eval-based sympify runs them (why gdmaps never calls it on text)."""
    sentinel = tmp_path / "SENTINEL"
    try:
        sp.sympify(PAYLOADS["import"].format(s=sentinel))
    except Exception:  # noqa: BLE001 - only the side effect matters
        pass
    assert sentinel.exists()


# -- the command line, in subprocesses ------------------------------------------------------

def _cli_cases():
    """(case id, argv with {p} for the payload, payload ids) for each typed-text option."""
    every, some = list(PAYLOADS), ["import", "after a statement", "getattr"]
    return [
        ("iterate --loss", ["iterate", "--loss", "{p}", "--starts", "5", "--steps", "2"], every),
        ("iterate --map", ["iterate", "--map", "{p}", "--starts", "5", "--steps", "2"], some),
        ("iterate --map x:", ["iterate", "--map", "x: {p}", "--starts", "5", "--steps", "2"], some),
        ("iterate -p", ["iterate", "--loss", "x**2*y", "--params", "x", "-p", "y={p}", "--eta", "0.1",
                        "--starts", "5", "--steps", "2"], some),
        ("iterate --eta", ["iterate", "--loss", "x**2", "--eta", "{p}", "--starts", "5"], some),
        ("certify --eta", ["certify", "--loss", "x**2", "--eta", "{p}"], some),
        ("certify --loss", ["certify", "--loss", "{p}", "--eta", "1"], some),
        ("analyze --loss", ["analyze", "--loss", "{p}", "--starts", "5", "--steps", "2"], some),
    ]


def _run(argv, cwd):
    return subprocess.run([sys.executable, "-m", "gdmaps.cli.main", *argv], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_command_line_refuses_payloads_with_exit_2_and_one_line(tmp_path):
    jobs = []
    for case, argv, ids in _cli_cases():
        for i in ids:
            sentinel = tmp_path / f"SENTINEL-{case.replace(' ', '_')}-{i.replace(' ', '_')}"
            text = PAYLOADS[i].format(s=sentinel)
            jobs.append((case, i, sentinel, [a.replace("{p}", text) for a in argv]))
    assert len(jobs) >= 30
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: _run(job[3], tmp_path), jobs))
    for (case, i, sentinel, _), res in zip(jobs, results):
        where = f"{case} with the payload {i!r}"
        assert not sentinel.exists(), f"{where} ran code"
        assert res.returncode == 2, f"{where}: exit {res.returncode}, stderr {res.stderr!r}"
        assert "Traceback" not in res.stderr, f"{where}: {res.stderr}"
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gdmaps "), f"{where}: {res.stderr!r}"
    assert not any(p.name.startswith("SENTINEL") for p in tmp_path.iterdir())
