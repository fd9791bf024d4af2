"""--workers and --scheduler: the same numbers on a LocalCluster, bad input in one line (exit 2)."""

import json

import pytest


def test_sweep_on_two_workers_prints_the_serial_rows_and_the_dashboard(cli):
    pytest.importorskip("distributed")
    argv = ("sweep", "--etas", "0.5:1.5:5", "--starts", "3000", "--steps", "300", "--json")
    code, serial, _ = cli(*argv, seconds=60)
    assert code == 0
    code, out, err = cli(*argv, "--workers", "2", seconds=120)
    assert code == 0 and json.loads(out) == json.loads(serial)
    assert "gdmaps: Dask dashboard at http" in err


@pytest.mark.parametrize("extra,says", [
    (("--workers", "0"), "--workers"),
    (("--workers", "2", "--scheduler", "tcp://127.0.0.1:1"), "not both"),
    (("--scheduler", "localhost"), "tcp://HOST:PORT"),
])
def test_bad_cluster_options_are_one_line(cli, extra, says):
    code, out, err = cli("sweep", "--starts", "10", *extra)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1
