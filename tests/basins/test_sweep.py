"""sweep: rows equal single runs; an interrupted sweep resumes with exactly the same rows.

The sweep file cases (issue 11, section 3): whatever a kill leaves (nothing, a torn header, a
torn or unterminated last row) resumes to the bytes of an uninterrupted file; whatever a kill
cannot leave (a malformed complete line, a row of the wrong shape, another sweep's settings, a
foreign file) is refused untouched. The truth is always a sweep that never touched a file.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.basins.convergence import convergent_fraction
from gdmaps.basins.sweep import sweep

a, b = sp.symbols("a b")
AB = GDMap((a * b - 1) ** 2 / 2, [a, b])
ETAS = [0.5, 0.7, 0.9, 1.1, 1.3]
KW = dict(starts=400, steps=300, progress=False)


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
        ref = convergent_fraction(AB, eta=row.eta, starts=400, steps=300)
        assert row.counts == ref.counts


def test_other_settings_refuse_the_file(tmp_path):
    path = tmp_path / "s.jsonl"
    sweep(AB, [0.5], path=path, **KW)
    with pytest.raises(InvalidArgumentError, match="other settings"):
        sweep(AB, [0.5], path=path, starts=100, steps=300, progress=False)
    assert json.loads(path.read_text().splitlines()[0])["starts"] == 400


def test_progress_bar_follows_the_rule(capsys, monkeypatch):
    """A bar with progress=True; none when stderr is not a terminal (None) or with False."""
    monkeypatch.setattr("gdmaps.core.progress.DELAY", 0.0)  # show it however quick the run
    sweep(AB, [0.5, 1.5], starts=100, steps=100, progress=True)
    err = capsys.readouterr().err
    assert "gdmaps sweep" in err and "/2 [" in err and "eta 1.5: 0/100 converged" in err
    for quiet in (None, False):
        sweep(AB, [0.5, 1.5], starts=100, steps=100, progress=quiet)
        assert capsys.readouterr().err == ""


# --- sweep files: torn writes, wrong rows, locks (issue 11, section 3) ---------------------------

SMALL = dict(starts=60, steps=60, progress=False)
E3 = [0.5, 0.9, 1.3]
FIX = "move it away or pass a new path"


def _rows(s):
    """Rows as JSON text: equal text is equal rows (NaN included)."""
    return [json.dumps(r.to_dict()) for r in s.rows]


FRESH = _rows(sweep(AB, E3, **SMALL))  # the truth: a sweep that never touched a file


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """The bytes of an uninterrupted sweep file over E3."""
    path = tmp_path_factory.mktemp("full") / "s.jsonl"
    assert _rows(sweep(AB, E3, path=path, **SMALL)) == FRESH
    return path.read_bytes()


def _lines_end(data):
    """Byte offsets just past the last character (before the newline) of each line."""
    return [i for i, c in enumerate(data) if c == ord("\n")]


def _resume(path, **kw):
    ran = []
    s = sweep(AB, E3, path=path, on_row=lambda r: ran.append(r.eta), **SMALL, **kw)
    return s, ran


def _check_resume_from_prefix(path, full, k):
    """Resume from the first k bytes of ``full``: never raises, keeps every complete row."""
    path.write_bytes(full[:k])
    ends = _lines_end(full)  # ends[0] is the header's, ends[i] row i's
    kept = [eta for eta, end in zip(E3, ends[1:]) if end <= k]  # the row's closing brace is there
    start = full.rfind(b"\n", 0, k) + 1  # where the last (maybe torn) line begins
    torn = start < k and k not in ends
    s, ran = _resume(path)
    assert _rows(s) == FRESH
    assert ran == [eta for eta in E3 if eta not in kept]  # complete rows were not run again
    assert path.read_bytes() == full  # no row lost, no row glued onto another
    assert len(s.notes) == torn and all("torn" in note for note in s.notes)
    s, ran = _resume(path)  # and the repaired file resumes as it is
    assert ran == [] and s.notes == () and path.read_bytes() == full


@pytest.fixture
def no_fsync(monkeypatch):
    """fsync guards against power loss, which truncation cannot show; it costs ms per row on /tmp."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def test_resume_from_every_byte_offset_of_the_header_and_first_row(full, no_fsync):
    """Every kind of cut lies there; the later rows are cut near their ends here, anywhere below."""
    ends = _lines_end(full)
    near_ends = {e + j for e in ends[1:] for j in range(-3, 3)}
    offsets = sorted(k for k in set(range(ends[1] + 3)) | near_ends if k <= len(full))
    with tempfile.TemporaryDirectory() as d:
        for k in offsets:
            _check_resume_from_prefix(Path(d) / f"s{k}.jsonl", full, k)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(0, 10_000), again=st.integers(0, 10_000))
def test_resume_after_two_kills_at_random_offsets(full, no_fsync, k, again):
    """A kill, a resume killed too, a last resume: the file ends as an uninterrupted one."""
    k %= len(full) + 1
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.jsonl"
        path.write_bytes(full[:k])
        _resume(path)  # the first resume completes the file, so its bytes are full's:
        assert path.read_bytes() == full
        _check_resume_from_prefix(path, full, max(k, again % (len(full) + 1)))


def test_empty_file_gets_a_header_and_resumes_again(tmp_path, full):
    path = tmp_path / "s.jsonl"
    path.touch()
    s, ran = _resume(path)
    assert _rows(s) == FRESH and ran == E3 and s.notes == ()
    assert path.read_bytes() == full
    assert _resume(path)[1] == []  # the next resume reads its own file


@pytest.mark.parametrize("cut", [1, 5, 17, 40, -2])
def test_torn_header_starts_a_new_file(tmp_path, full, cut):
    path = tmp_path / "s.jsonl"
    header_end = full.index(b"\n")
    path.write_bytes(full[:cut % header_end])
    s, ran = _resume(path)
    assert _rows(s) == FRESH and ran == E3
    assert "dropped a torn header" in s.notes[0]
    assert path.read_bytes() == full and _resume(path)[1] == []


def test_complete_last_row_without_newline_is_kept(tmp_path, full):
    path = tmp_path / "s.jsonl"
    ends = _lines_end(full)
    path.write_bytes(full[:ends[1]])  # header and the first row, its newline missing
    s, ran = _resume(path)
    assert ran == E3[1:] and s.notes == () and _rows(s) == FRESH
    assert path.read_bytes() == full  # no "}{": the newline came first


def test_torn_last_row_is_dropped_said_and_run_again(tmp_path, full, caplog, capsys):
    path = tmp_path / "s.jsonl"
    ends = _lines_end(full)
    path.write_bytes(full[:ends[1] + 1] + b'{"eta": 0.9, "n": 6')
    with caplog.at_level(logging.WARNING, logger="gdmaps.basins.sweep"):
        s = sweep(AB, E3, path=path, **{**SMALL, "progress": True})
    note = s.notes[0]
    assert "dropped a torn last line 3 (19 bytes, no newline" in note
    assert [r.getMessage() for r in caplog.records] == [note]  # a log record, not a Python warning
    assert f"sweep: {note}" in capsys.readouterr().err
    assert _rows(s) == FRESH and path.read_bytes() == full
    assert all(json.loads(line) for line in path.read_text().splitlines())


def test_quiet_sweep_prints_nothing_for_a_repair(tmp_path, full, capsys):
    path = tmp_path / "s.jsonl"
    path.write_bytes(full[:-5])
    s, _ = _resume(path)
    assert s.notes and capsys.readouterr().err == ""


ROW = json.dumps({"eta": 0.7, "starts": 60, "steps": 60, "seed": 0, "init": "normal", "moving": 0,
                  "converged": 60, "diverged": 0, "fraction": 1.0, "ci_low": 0.9, "ci_high": 1.0,
                  "upper95": 1.0, "to_global_minimum": None, "grad_norm_quantiles": None})


@pytest.mark.parametrize("line, what", [
    ('{"eta": 0.7}', "lacks starts, steps"),
    ("[1, 2]", "is a JSON list, expected a row object"),
    ('"text"', "is a JSON str"),
    ("null", "is a JSON NoneType"),
    (ROW.replace('"eta": 0.7', '"eta": -1'), "has eta -1, expected a finite number > 0"),
    (ROW.replace('"eta": 0.7', '"eta": "0.7"'), "has eta '0.7'"),
    (ROW.replace('"starts": 60', '"starts": 50'), "has starts 50, but the header says 60"),
    (ROW.replace('"init": "normal"', '"init": "uniform"'), "has init 'uniform'"),
    (ROW.replace('"starts": 60', '"n": 50'), "has starts 50, but the header says 60"),  # a 0.1 row
    (ROW.replace('"diverged": 0', '"diverged": 1'), "add up to starts = 60"),
    (ROW.replace('"fraction": 1.0', '"fraction": null'), "has fraction None, expected a number"),
    (ROW.replace('"grad_norm_quantiles": null', '"grad_norm_quantiles": [1]'), "expected an object"),
    ('{"eta": 0.9, "n": 6', "is not complete JSON, though a newline follows it"),
    ("", "is not complete JSON"),
])
@pytest.mark.parametrize("place", ["middle", "last with newline"])
def test_wrong_rows_refuse_the_file_and_leave_it_alone(tmp_path, full, line, what, place):
    path = tmp_path / "s.jsonl"
    ends = _lines_end(full)
    bad = line.encode() + b"\n"
    data = full[:ends[1] + 1] + bad + (full[ends[1] + 1:] if place == "middle" else b"")
    path.write_bytes(data)
    with pytest.raises(InvalidArgumentError, match="line 3") as err:
        _resume(path)
    assert what in str(err.value) and FIX in str(err.value)
    assert path.read_bytes() == data  # a refused file is not touched


@pytest.mark.parametrize("tail, what", [
    (b"[1, 2]", "is a JSON list"),  # complete JSON with no newline is a whole row, not a torn one
    (b'{"eta": 0.7}', "lacks starts"),
    (b"garbage", "is neither a row nor a row cut short by a kill"),
])
def test_complete_or_foreign_last_line_without_newline_is_not_dropped(tmp_path, full, tail, what):
    path = tmp_path / "s.jsonl"
    data = full + tail
    path.write_bytes(data)
    with pytest.raises(InvalidArgumentError, match=what):
        _resume(path)
    assert path.read_bytes() == data


def test_two_different_rows_for_one_eta_refuse_the_file(tmp_path, full):
    path = tmp_path / "s.jsonl"
    row = json.loads(full.splitlines()[1])
    row["converged"], row["moving"] = row["moving"], row["converged"]
    path.write_bytes(full + json.dumps(row).encode() + b"\n")
    with pytest.raises(InvalidArgumentError, match="line 5 holds a second, different row for eta = 0.5"):
        _resume(path)
    path.write_bytes(full + full.splitlines(keepends=True)[1])  # the same row twice is harmless
    assert _rows(_resume(path)[0]) == FRESH


@pytest.mark.parametrize("data", [b"hello\n", b"hello", b"[1, 2]\n", b'{"a": 1}', b"\n"])
def test_a_file_that_is_no_sweep_is_refused_not_overwritten(tmp_path, data):
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    with pytest.raises(InvalidArgumentError, match=f"line 1 is .*not a gdmaps sweep header.*{FIX}"):
        _resume(path)
    assert path.read_bytes() == data


def test_other_settings_are_named(tmp_path, full):
    path = tmp_path / "s.jsonl"
    path.write_bytes(full)
    with pytest.raises(InvalidArgumentError, match=r"other settings \(starts: file 60, this call 50; steps:"
                       r" file 60, this call 40\); use the settings of the file to resume it"):
        sweep(AB, E3, path=path, starts=50, steps=40, progress=False)
    assert path.read_bytes() == full


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(InvalidArgumentError, match=f"path {tmp_path} is a directory; pass a file path"):
        sweep(AB, E3, path=tmp_path, **SMALL)


def test_a_path_under_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InvalidArgumentError, match="cannot open sweep file .* pass a new path"):
        sweep(AB, E3, path=tmp_path / "f" / "s.jsonl", **SMALL)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_refused(tmp_path, full):
    path = tmp_path / "s.jsonl"
    path.write_bytes(full)
    path.chmod(0o200)
    with pytest.raises(InvalidArgumentError, match=r"\(Permission denied\); fix its permissions"):
        _resume(path)


def test_a_file_without_permission_is_refused(tmp_path, monkeypatch):
    """Root ignores file modes, so the refusal of the system is simulated."""
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(InvalidArgumentError, match=r"cannot open sweep file .*\(Permission denied\);"
                       " fix its permissions or pass a new path"):
        _resume(tmp_path / "s.jsonl")


def test_a_file_locked_by_another_sweep_is_refused(tmp_path, full):
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "s.jsonl"
    path.write_bytes(full[:-7])
    with path.open("rb") as other:  # another open file, as another process would hold
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(InvalidArgumentError, match="in use by another running sweep"):
            _resume(path)
    assert path.read_bytes() == full[:-7]  # not repaired under another sweep's feet
    s, _ = _resume(path)  # the lock is gone with its holder
    assert _rows(s) == FRESH and path.read_bytes() == full


CHILD = """
import sys, time
import sympy as sp
from gdmaps import GDMap
from gdmaps.basins.sweep import sweep
a, b = sp.symbols("a b")
sweep(GDMap((a * b - 1) ** 2 / 2, [a, b]), {etas}, path=sys.argv[1], starts=60, steps=60,
      progress=False, on_row=lambda row: time.sleep(10))  # killed long before
"""


def test_sigkilled_sweep_resumes_with_the_rows_of_an_uninterrupted_one(tmp_path, full):
    path = tmp_path / "s.jsonl"
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(etas=E3), str(path)])
    try:
        deadline = time.monotonic() + 120
        while not (path.exists() and path.read_bytes().count(b"\n") >= 2):  # header and a row
            assert child.poll() is None and time.monotonic() < deadline, "the child sweep did not start"
            time.sleep(0.01)
        with pytest.raises(InvalidArgumentError, match="in use by another running sweep"):
            _resume(path)  # a second sweep on the file while the first runs
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    done = path.read_bytes().count(b"\n") - 1
    assert 1 <= done < len(E3)  # killed mid-run
    s, ran = _resume(path)
    assert ran == E3[done:] and _rows(s) == FRESH
    assert path.read_bytes() == full


def test_the_convergence_rule_reaches_every_row_and_is_a_setting_of_the_file(tmp_path):
    from gdmaps import convergent_fraction

    a, b = sp.symbols("a b")
    g = GDMap((a * b - 1) ** 2 / 2, [a, b])
    rule = dict(grad_tol=1e-4, stability=False)
    s = sweep(g, [0.5, 1.2], starts=300, steps=200, progress=False, path=tmp_path / "s.jsonl", **rule)
    for row in s.rows:
        direct = convergent_fraction(g, eta=row.eta, starts=300, steps=200, **rule)
        assert row.counts == direct.counts
    with pytest.raises(InvalidArgumentError, match="grad_tol"):
        sweep(g, [0.5], starts=300, steps=200, progress=False, path=tmp_path / "s.jsonl")


def test_a_sweep_file_of_version_0_1_resumes(tmp_path):
    """0.1 wrote n, sampler, scale and center; today's sweep reads them as starts, init, region."""
    path = tmp_path / "old.jsonl"
    first = sweep(AB, [0.5], path=path, **SMALL)
    lines = path.read_text().splitlines()
    head, row = json.loads(lines[0]), json.loads(lines[1])
    head.update(gdmaps_sweep=1, n=head.pop("starts"), sampler=head.pop("init"), scale=1.0, center=0.0)
    del head["region"]
    row.update(n=row.pop("starts"), sampler=row.pop("init"))
    path.write_text(json.dumps(head) + "\n" + json.dumps(row) + "\n")
    again = sweep(AB, [0.5, 1.5], path=path, **SMALL)
    assert again.rows[0].counts == first.rows[0].counts and again.rows[0].starts == 60
    assert len(again.rows) == 2 and not again.notes


def test_rows_with_unstable_starts_resume(tmp_path):
    """Starts a hair from the minimum (1, 1) of (ab - 1)^2/2, whose Hessian has eigenvalues 0 and 2:
    at eta = 1.01 > 2/2 every one stalls there unstable. The row counts them as "unstable" (the
    four counts add up to starts), and the file resumes with the same rows."""
    kw = dict(starts=50, steps=20, init="uniform", region=[[1, 1 + 1e-9], [1, 1 + 1e-9]], grad_tol=1e-6,
              progress=False)
    path = tmp_path / "s.jsonl"
    first = sweep(AB, [0.5, 1.01], path=path, **kw)
    assert first.rows[0].counts == {"moving": 0, "converged": 50, "diverged": 0, "unstable": 0}
    assert first.rows[1].counts == {"moving": 0, "converged": 0, "diverged": 0, "unstable": 50}
    done = []
    again = sweep(AB, [0.5, 1.01, 1.2], path=path, on_row=done.append, **kw)
    assert [r.eta for r in done] == [1.2]
    assert [r.to_dict() for r in again.rows[:2]] == [r.to_dict() for r in first.rows]


def test_a_mismatch_with_a_long_loss_is_named_briefly(tmp_path):
    x = sp.Symbol("x")
    long = sum((x - k) ** 2 for k in range(60))
    path = tmp_path / "s.jsonl"
    sweep(GDMap(long, [x]), [0.001], path=path, starts=20, steps=5, progress=False)
    with pytest.raises(InvalidArgumentError, match="other settings") as err:
        sweep(GDMap(long + x ** 4, [x]), [0.001], path=path, starts=20, steps=5, progress=False)
    assert len(str(err.value)) < 600 and "..." in str(err.value)
