"""The executor choice: the same numbers in this process and on a Dask LocalCluster, with faults.

Truths: the serial run of the library (itself checked against the one-stream draw of earlier
versions below), rows written by a sweep before its client was killed, and results after a
worker was killed mid-run.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, convergent_fraction, iterate, sweep
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError
from gdmaps.core.executor import SEED_BLOCK, executor, seeded_rows
from gdmaps.core.samplers import sample

distributed = pytest.importorskip("distributed")

a, b = sp.symbols("a b")
GD = GDMap((a * b - 1) ** 2 / 2, [a, b])
ETAS = [0.5, 0.8, 0.95, 1.0, 1.02, 1.05]


@pytest.fixture
def deadline():
    """Fail instead of hanging: every test here gets at most three minutes."""
    def expired(*_):
        raise TimeoutError("test_executor: a cluster test ran past its 180 s deadline")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(180)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _same(r, s):
    return json.dumps(r.to_dict(), sort_keys=True) == json.dumps(s.to_dict(), sort_keys=True)


def test_import_gdmaps_does_not_import_dask():
    code = "import sys, gdmaps; print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_first_block_is_the_one_stream_draw_of_earlier_versions():
    """Published numbers stay: up to SEED_BLOCK starts are drawn from default_rng(seed) as before."""
    x0 = sample("normal", 3000, 2, seed=5)
    old = iterate(GD.at(0.95), x0, 300, backend="numpy").counts
    new = convergent_fraction(GD, eta=0.95, starts=3000, steps=300, seed=5, backend="numpy", progress=False)
    assert new.counts == old


def test_blocks_are_spawned_seed_sequences():
    draw = lambda s, m: np.random.default_rng(s).uniform(-1, 1, (m, 3))  # noqa: E731
    rows = seeded_rows(draw, SEED_BLOCK - 2, SEED_BLOCK + 3, seed=4)
    child = np.random.SeedSequence(4).spawn(1)[0]
    assert (rows[2:] == np.random.default_rng(child).uniform(-1, 1, (3, 3))).all()
    assert (rows[:2] == np.random.default_rng(4).uniform(-1, 1, (SEED_BLOCK, 3))[-2:]).all()


def test_chunk_size_does_not_change_the_answer():
    """Starts across two seed blocks, cut in chunks that straddle the block boundary."""
    kw = dict(eta=0.95, starts=SEED_BLOCK + 5000, steps=40, seed=3, backend="numpy", progress=False)
    assert _same(convergent_fraction(GD, **kw), convergent_fraction(GD, chunk=7777, **kw))


def test_bad_workers_say_what_is_allowed():
    with pytest.raises(InvalidArgumentError, match="workers must be >= 1"):
        executor(0)
    with pytest.raises(InvalidTypeError, match="scheduler address"):
        executor(2.5)


def test_cluster_gives_the_serial_numbers(client, deadline):
    kw = dict(eta=0.95, starts=SEED_BLOCK + 5000, steps=40, seed=3, backend="numpy", progress=False)
    serial = convergent_fraction(GD, **kw)
    assert _same(convergent_fraction(GD, workers=client, chunk=9000, **kw), serial)
    sw = dict(starts=4000, steps=400, seed=1, progress=False)
    rows = sweep(GD, ETAS, **sw).rows
    on_cluster = sweep(GD, ETAS, workers=client, chunk=1500, **sw).rows
    assert all(_same(r, s) for r, s in zip(rows, on_cluster))
    # eta* = 1/|y| = 1 (DESIGN.md): some orbits converge below it, none above
    assert [r.counts["converged"] > 0 for r in rows if r.eta != 1.0] == [True, True, True, False, False]


@pytest.mark.slow
def test_a_killed_worker_changes_nothing(deadline):
    """SIGKILL one of two workers after the first row: its tasks run again, the rows are the same."""
    sw = dict(starts=6000, steps=3000, seed=2, backend="numpy", progress=False)
    serial = sweep(GD, ETAS, **sw).rows
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=50)
    with cluster, distributed.Client(cluster) as c:
        pids = c.run(os.getpid)
        victim = max(pids.values())
        killed = []

        def kill_once(row):
            if not killed:
                os.kill(victim, signal.SIGKILL)
                killed.append(row.eta)

        rows = sweep(GD, ETAS, workers=c, chunk=1000, on_row=kill_once, **sw).rows
        assert killed and victim not in c.run(os.getpid).values()
    assert all(_same(r, s) for r, s in zip(rows, serial))


_CLIENT = """
import sympy as sp
from gdmaps import GDMap, sweep
a, b = sp.symbols("a b")
sweep(GDMap((a*b - 1)**2 / 2, [a, b]), {etas}, path={path!r}, workers={address!r}, chunk=1000,
      starts=6000, steps=3000, seed=2, backend="numpy", progress=False)
"""


@pytest.mark.slow
def test_a_killed_client_resumes_through_the_cluster(client, tmp_path, deadline):
    path = tmp_path / "sweep.jsonl"
    code = textwrap.dedent(_CLIENT.format(etas=ETAS, path=str(path), address=client.scheduler.address))
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE)
    try:
        while proc.poll() is None and (not path.exists() or len(path.read_bytes().splitlines()) < 3):
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    kept = [json.loads(line)["eta"] for line in Path(path).read_bytes().splitlines()[1:]]
    assert 2 <= len(kept) < len(ETAS), proc.stderr.read().decode()[-2000:]
    new = []
    s = sweep(GD, ETAS, path=path, workers=client, chunk=1000, on_row=lambda r: new.append(r.eta),
              starts=6000, steps=3000, seed=2, backend="numpy", progress=False)
    assert sorted(new) == sorted(set(ETAS) - set(kept))  # finished rows were kept, not run again
    serial = sweep(GD, ETAS, starts=6000, steps=3000, seed=2, backend="numpy", progress=False).rows
    assert all(_same(r, t) for r, t in zip(s.rows, serial))


def test_orbit_diagram_and_lyapunov_sweep_on_the_cluster(client, deadline):
    """Chunks of parameter values on two workers give the serial arrays, bit for bit."""
    from gdmaps import lyapunov_spectrum, orbit_diagram
    from gdmaps.maps import logistic

    r = np.linspace(2.8, 4.0, 37)
    serial = orbit_diagram(logistic(3.0), "r", r, starts=7, keep=4, region=[0, 1], progress=False)
    spread = orbit_diagram(logistic(3.0), "r", r, starts=7, keep=4, region=[0, 1], workers=client, chunk=5)
    assert np.array_equal(serial.points, spread.points, equal_nan=True)
    assert np.array_equal(serial.diverged, spread.diverged)
    assert np.unique(serial.points[0].round(9)).tolist() == [round(1 - 1 / 2.8, 9)]  # fixed point 1 - 1/r
    kw = dict(parameter="eta", values=np.linspace(0.5, 1.4, 23), transient=200, blocks=4, progress=False)
    lyap = lyapunov_spectrum(GD, [0.3, 1.2], 2000, **kw)
    spread = lyapunov_spectrum(GD, [0.3, 1.2], 2000, workers=client, chunk=4, **kw)
    for field in ("exponents", "stderr", "history", "converged", "diverged"):
        assert np.array_equal(getattr(lyap, field), getattr(spread, field), equal_nan=True), field


NEWTON = "x: 2*x/3 + (x**2 - y**2)/(3*(x**2 + y**2)**2); y: 2*y/3 - 2*x*y/(3*(x**2 + y**2)**2)"


def _same_cells(r, s):
    edges = [sorted(g.edges, key=str) for g in (r.graph, s.graph)]
    return (np.array_equal(r.boxes, s.boxes) and np.array_equal(r.labels, s.labels)
            and r.exact_shares == s.exact_shares and edges[0] == edges[1])


def test_cell_map_images_on_the_cluster(client, deadline):
    """Newton's map for z^3 = 1 with two refinement rounds: the sample points drawn here, their
    images computed in chunks on two workers, the same cells, graph and exact shares."""
    from gdmaps import cell_map
    from gdmaps.maps import from_text

    newton = from_text(NEWTON)
    kw = dict(refine=2)
    serial = cell_map(newton, [[-2, 2], [-2, 2]], 40, **kw)
    with distributed.get_task_stream(client) as ts:
        spread = cell_map(newton, [[-2, 2], [-2, 2]], 40, workers=client, chunk=2000, **kw)
    assert sum("cell-map" in str(t["key"]) for t in ts.data) >= 3 * 4  # three rounds of >= 4 chunks
    assert spread.n_cells > 2000 * 2 and _same_cells(serial, spread)
    assert _same_cells(serial, cell_map(newton, [[-2, 2], [-2, 2]], 40, chunk=777, **kw))  # chunks here
    # the three basins of the roots of z^3 = 1 share the box as 0.3236, 0.3236, 0.3528 (2000^2 grid)
    assert np.allclose(list(serial.basin_share.values()), [0.3236, 0.3236, 0.3528], atol=0.005)


def test_periodic_orbit_searches_on_the_cluster(client, deadline):
    """Newton and Davidchack-Lai seed batches cut into chunks on two workers: the same orbits
    (bit for bit), seeds and rounds; the counts are Davidchack & Lai's published ones."""
    from gdmaps import periodic_orbits, periodic_orbits_up_to
    from gdmaps.maps import henon

    box, kw = [[-2, 2], [-2, 2]], dict(starts=512, iterates=8192)
    serial = periodic_orbits_up_to(henon(), 9, box, **kw)
    with distributed.get_task_stream(client) as ts:
        spread = periodic_orbits_up_to(henon(), 9, box, workers=client, chunk=300, **kw)
    assert sum("periodic-orbits" in str(t["key"]) for t in ts.data) > 50
    here = periodic_orbits_up_to(henon(), 9, box, chunk=100, **kw)
    assert [r.count for r in serial.values()] == [2, 1, 0, 1, 0, 2, 4, 7, 6]  # Davidchack & Lai 1999
    for other in (spread, here):
        for p, r in serial.items():
            s = other[p]
            assert (r.seeds_tried, r.rounds, r.notes) == (s.seeds_tried, s.rounds, s.notes), p
            assert np.array_equal(r.points, s.points), p
    one = periodic_orbits(henon(), 7, box, workers=client, chunk=200, **kw)
    assert np.array_equal(one.points, periodic_orbits(henon(), 7, box, **kw).points) and one.count == 4
