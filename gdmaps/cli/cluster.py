"""--workers N and --scheduler tcp://HOST:PORT: where a command's batch work runs."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from gdmaps.cli.options import count
from gdmaps.core.errors import GdmapsError
from gdmaps.core.executor import executor

__all__ = ["add_cluster_arguments", "cluster"]


def add_cluster_arguments(p) -> None:
    """Add --workers and --scheduler to a command whose work can run on a Dask cluster."""
    p.add_argument("--workers", type=count(1), default=None, metavar="N",
                   help="run on a Dask LocalCluster of N worker processes (needs gdmaps[cluster]);"
                   " the numbers are the same as without it")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run on the running Dask cluster whose scheduler listens there"
                   " (start one with 'dask scheduler' and 'dask worker tcp://HOST:PORT')")


@contextmanager
def cluster(args):
    """The ``workers=`` of the library for this command: None, or a connected Dask client.

    Prints the Dask dashboard link on stderr; closes a LocalCluster it started at the end.
    """
    workers, scheduler = getattr(args, "workers", None), getattr(args, "scheduler", None)
    if workers is not None and scheduler is not None:
        raise GdmapsError(f"give --workers or --scheduler, not both (got --workers {workers} and"
                          f" --scheduler {scheduler})")
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise GdmapsError(f"--scheduler must be an address such as tcp://HOST:PORT, got {scheduler!r}")
    choice = workers if workers is not None else scheduler
    if choice is None:
        yield None
        return
    with executor(choice) as ex:
        print(f"gdmaps: Dask dashboard at {ex.dashboard_link}", file=sys.stderr)
        yield ex.client
