"""sweep: rows equal single runs; an interrupted sweep resumes with exactly the same rows."""

import json

import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.convergence import convergent_fraction
from gdmaps.sweep import sweep

a, b = sp.symbols("a b")
AB = GDMap((a * b - 1) ** 2 / 2, [a, b])
ETAS = [0.5, 0.7, 0.9, 1.1, 1.3]
KW = dict(n=400, steps=300, progress=False)


class Killed(Exception):
    pass


def test_killed_sweep_resumes_with_exactly_the_rows_of_an_uninterrupted_one(tmp_path):
    full = sweep(AB, ETAS, path=tmp_path / "full.jsonl", **KW)

    def kill_after_two(row, seen=[]):  # noqa: B006 - counts rows across calls
        seen.append(row)
        if len(seen) == 2:
            raise Killed

    path = tmp_path / "resumed.jsonl"
    with pytest.raises(Killed):
        sweep(AB, ETAS, path=path, on_row=kill_after_two, **KW)
    assert len(path.read_text().splitlines()) == 3  # header + the two finished rows
    with path.open("a") as f:
        f.write('{"eta": 0.9, "n": 4')  # a row torn by the kill
    done = []
    resumed = sweep(AB, ETAS, path=path, on_row=done.append, **KW)
    assert [r.eta for r in done] == ETAS[2:]  # only the missing step sizes ran
    assert [r.to_dict() for r in resumed.rows] == [r.to_dict() for r in full.rows]
    assert path.read_text().splitlines()[1:] == (tmp_path / "full.jsonl").read_text().splitlines()[1:]


def test_rows_equal_independent_runs():
    s = sweep(AB, [0.8, 1.2], **KW)
    for row in s.rows:
        ref = convergent_fraction(AB, eta=row.eta, n=400, steps=300)
        assert row.counts == ref.counts


def test_other_settings_refuse_the_file(tmp_path):
    path = tmp_path / "s.jsonl"
    sweep(AB, [0.5], path=path, **KW)
    with pytest.raises(InvalidArgumentError, match="other settings"):
        sweep(AB, [0.5], path=path, n=100, steps=300, progress=False)
    assert json.loads(path.read_text().splitlines()[0])["n"] == 400


def test_progress_lines(capsys):
    sweep(AB, [0.5, 1.5], n=100, steps=100)
    err = capsys.readouterr().err
    assert "sweep: eta 1/2 = 0.5" in err and "sweep: eta 2/2 = 1.5: 0/100 converged" in err
