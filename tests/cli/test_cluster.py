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


CLUSTER_COMMANDS = {
    "orbits": ("orbits", "--map", "henon", "--period", "1-6", "--region=-2,2,-2,2"),
    "basins": ("basins", "--map", "henon", "-p", "a=1.0", "--region=-2,2,-2,2", "--cells", "80"),
    "lyapunov": ("lyapunov", "--map", "henon", "--starts", "6", "--steps", "2000", "--transient", "100"),
    "bifurcation": ("bifurcation", "--map", "logistic", "--range", "2.8:4", "--values", "40", "--starts",
                    "10", "--transient", "200", "--switch", "2", "--no-exact"),
}


@pytest.mark.parametrize("command", sorted(CLUSTER_COMMANDS))
def test_commands_on_two_workers_print_the_serial_numbers(cli, command):
    """The serial run is the truth; it is itself checked against closed forms and published
    values in tests/orbits, tests/basins and tests/bifurcations."""
    pytest.importorskip("distributed")
    argv = (*CLUSTER_COMMANDS[command], "--json")
    code, serial, _ = cli(*argv, seconds=120)
    assert code == 0
    code, out, err = cli(*argv, "--workers", "2", seconds=180)
    assert code == 0 and json.loads(out) == json.loads(serial)
    assert "gdmaps: Dask dashboard at http" in err
    if command == "orbits":  # Henon periods 1-6: 2, 1, 0, 1, 0, 2 orbits (Davidchack & Lai 1999)
        assert [r["count"] for r in json.loads(out)] == [2, 1, 0, 1, 0, 2]


@pytest.mark.parametrize("command", sorted(CLUSTER_COMMANDS))
@pytest.mark.parametrize("extra,says", [
    (("--workers", "0"), "--workers"),
    (("--workers", "2", "--scheduler", "tcp://127.0.0.1:1"), "not both"),
    (("--scheduler", "localhost"), "tcp://HOST:PORT"),
])
def test_bad_cluster_options_of_every_command_are_one_line(cli, command, extra, says):
    code, out, err = cli(*CLUSTER_COMMANDS[command], *extra)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1
