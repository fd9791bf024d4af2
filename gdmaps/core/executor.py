"""Where batch work runs: in this process (the default), or on a Dask cluster.

One knob, ``workers=``, on every batch function (:func:`~gdmaps.basins.sweep`,
:func:`~gdmaps.basins.convergent_fraction`, :func:`~gdmaps.bifurcations.orbit_diagram`,
:func:`~gdmaps.bifurcations.lyapunov_spectrum` over parameter values,
:func:`~gdmaps.basins.cell_map` (its images), :func:`~gdmaps.orbits.periodic_orbits` and
:func:`~gdmaps.orbits.periodic_orbits_up_to` (the seed batches of each round)):

- ``None``: this process, as always;
- an int N: a Dask ``LocalCluster`` of N single-threaded worker processes, closed at the end;
- ``"tcp://host:port"``: the Dask scheduler of an existing cluster;
- a ``dask.distributed.Client`` (or an :class:`Executor`): used as it is, left open.

Work is cut into chunks (tasks) whose results are combined in a fixed order, and whatever
is random is drawn from seeds per block of rows (:func:`seeded_rows`), never from a stream
shared by the chunks; so the answer does not depend on where the chunks ran, in what order
they finished, or how large they were. The serial path runs the same chunk functions.

Dask is imported only when a cluster is asked for: ``import gdmaps`` does not import it.
"""

from __future__ import annotations

import logging
import sys
import uuid
from numbers import Integral

import numpy as np

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_int

__all__ = ["Executor", "executor", "seeded_rows", "block_seed", "spans", "row_spans", "in_order",
           "SEED_BLOCK"]

#: Rows (initial points) per seeding block: block 0 draws from ``default_rng(seed)`` itself,
#: so runs of up to SEED_BLOCK rows are the ones earlier versions drew; block k >= 1 draws
#: from child k - 1 of ``SeedSequence(seed)`` (``SeedSequence(seed).spawn(k)[k - 1]``).
SEED_BLOCK = 65536

_INSTALL = "pip install 'gdmaps[cluster]' (dask[distributed])"


def block_seed(seed, k: int):
    """The seed of block ``k`` of a seeded stream: ``seed`` itself for block 0, else a spawned child.

    Examples
    --------
    >>> import numpy as np
    >>> child = np.random.SeedSequence(7).spawn(3)[2]
    >>> block_seed(7, 3).spawn_key == child.spawn_key, block_seed(7, 0)
    (True, 7)
    """
    return seed if k == 0 else np.random.SeedSequence(seed, spawn_key=(k - 1,))


def seeded_rows(draw, lo: int, hi: int, *, seed) -> np.ndarray:
    """Rows ``lo:hi`` of the seeded stream whose block k is ``draw(block_seed(seed, k), m)``.

    ``draw(seed, m)`` must return ``m`` rows and draw them in order, so that fewer rows are
    a prefix of more (true of numpy's ``standard_normal``, ``uniform`` and ``random``). A
    chunk then draws its own rows without the others: the rows do not depend on the chunks.

    Examples
    --------
    >>> import numpy as np
    >>> draw = lambda s, m: np.random.default_rng(s).standard_normal((m, 2))
    >>> whole = seeded_rows(draw, 0, 70000, seed=1)
    >>> bool((seeded_rows(draw, 65000, 70000, seed=1) == whole[65000:]).all())
    True
    >>> bool((whole[:10] == draw(1, 10)).all())  # block 0 is the seed's own stream
    True
    """
    parts = []
    for k in range(lo // SEED_BLOCK, -(-hi // SEED_BLOCK)):
        base = k * SEED_BLOCK
        a, b = max(lo, base), min(hi, base + SEED_BLOCK)
        parts.append(draw(block_seed(seed, k), b - base)[a - base:])
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def spans(n: int, chunk: int) -> list:
    """``[(lo, hi), ...]`` cutting ``range(n)`` into pieces of ``chunk`` (the last shorter).

    Examples
    --------
    >>> spans(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    return [(lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]


def row_spans(n: int, chunk=None, *, workers: int = 1, least: int = 1024) -> list:
    """The pieces ``[(lo, hi), ...]`` of ``n`` rows cut into tasks for ``workers`` workers.

    ``chunk`` rows each if given; else one piece for one worker, and about four pieces per
    worker (of at least ``least`` rows, so that a task outweighs its 2-4 ms round trip) on
    a cluster.

    Examples
    --------
    >>> row_spans(5000), row_spans(5000, 2000)
    ([(0, 5000)], [(0, 2000), (2000, 4000), (4000, 5000)])
    >>> len(row_spans(5000, workers=2, least=100)), row_spans(5000, workers=2, least=100)[:2]
    (8, [(0, 625), (625, 1250)])
    >>> row_spans(5000, workers=2, least=2000)
    [(0, 2000), (2000, 4000), (4000, 5000)]
    """
    if chunk is None:
        chunk = n if workers <= 1 else max(least, -(-n // (4 * workers)))
    return spans(n, check_int("chunk", chunk, minimum=1))


def in_order(ex, fn, items, *, shared=None, name="task") -> list:
    """``[fn(shared, item) for item in items]``, the items run as tasks of the executor ``ex``.

    Examples
    --------
    >>> in_order(executor(None), lambda k, x: k + x, [1, 2], shared=10)
    [11, 12]
    """
    items = list(items)
    out = [None] * len(items)
    for i, result in ex.run(fn, items, shared=shared, name=name):
        out[i] = result
    return out


class Executor:
    """Runs ``fn(shared, item)`` for each item, here or on a Dask cluster.

    Make one with :func:`executor`; use it as a context manager (a cluster it started is
    closed at the end). ``run`` yields ``(index, result)`` as results arrive.

    Attributes
    ----------
    workers : int
        Worker processes (1 in this process).
    client : dask.distributed.Client or None
    dashboard_link : str or None
        The Dask dashboard, when there is a cluster.
    """

    def __init__(self, client=None, *, owned=()):
        self.client = client
        self._owned = owned

    @property
    def distributed(self) -> bool:
        return self.client is not None

    @property
    def workers(self) -> int:
        if self.client is None:
            return 1
        return max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))

    @property
    def dashboard_link(self):
        return None if self.client is None else self.client.dashboard_link

    def share(self, obj, *, name="shared"):
        """``obj`` held on the cluster for several runs: pass the handle as ``run(shared=...)``.

        For work that calls :meth:`run` many times on the same map (the rounds of an orbit
        search, the refinement rounds of a cell map): the map is sent once for all of them,
        not once per run. Here (no cluster) the handle is ``obj`` itself.
        """
        if self.client is None:
            return obj
        return self.client.submit(_identity, obj, key=f"gdmaps-shared-{name}-{uuid.uuid4().hex[:12]}",
                                  pure=False)

    def run(self, fn, items, *, shared=None, name="task"):
        """Yield ``(i, fn(shared, items[i]))`` for every item, in the order they finish.

        On a cluster ``shared`` (the map) is sent once, as the result of one task that all
        chunks depend on: each worker fetches it once and keeps it for the run (a worker
        lost with it makes the scheduler run that task again); the tasks carry only their
        item. A handle from :meth:`share` is used as it is (sent once for many runs). A
        worker lost mid-task has its tasks run again elsewhere by the scheduler.
        """
        items = list(items)
        if self.client is None:
            for i, item in enumerate(items):
                yield i, fn(shared, item)
            return
        from distributed import Future, as_completed

        token = uuid.uuid4().hex[:12]
        if isinstance(shared, Future):
            held, release = shared, []
        else:
            held = self.client.submit(_identity, shared, key=f"gdmaps-shared-{name}-{token}", pure=False)
            release = [held]
        futures = [self.client.submit(fn, held, item, key=f"gdmaps-{name}-{token}-{i}", pure=False)
                   for i, item in enumerate(items)]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in as_completed(futures):
                yield index[future.key], future.result()
        finally:
            self.client.cancel([f for f in futures if not f.done()] + release)

    def close(self):
        for thing in self._owned:
            thing.close()
        self._owned = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        where = "this process" if self.client is None else f"Dask scheduler {self.client.scheduler.address}"
        return f"<Executor: {where}>"


def _identity(x):
    return x


def _client_type():
    """``distributed.Client`` if dask.distributed is imported already (a Client can exist only then)."""
    mod = sys.modules.get("distributed")
    return getattr(mod, "Client", None)


def executor(workers=None, *, progress=False) -> Executor:
    """The executor that ``workers`` names: None here, N a LocalCluster, an address or Client a cluster.

    Parameters
    ----------
    workers : None, int, str, dask.distributed.Client or Executor
        None: this process. An int N >= 1: a new Dask ``LocalCluster`` with N single-threaded
        worker processes (closed with the executor). A string: the address of a running Dask
        scheduler, e.g. ``"tcp://10.0.0.5:8786"``. A Client or Executor: used as given.
    progress : bool, keyword-only
        Print the Dask dashboard link on stderr when a cluster is started or joined.

    Raises
    ------
    InvalidArgumentError
        If dask.distributed is not installed, ``workers`` is an int < 1, or the scheduler
        cannot be reached.

    Examples
    --------
    >>> with executor(None) as ex:
    ...     sorted(ex.run(lambda shared, x: shared * x, [1, 2, 3], shared=10))
    [(0, 10), (1, 20), (2, 30)]
    """
    if workers is None:
        return Executor()
    if isinstance(workers, Executor):
        return Executor(workers.client)  # not ours to close
    client_type = _client_type()
    if client_type is not None and isinstance(workers, client_type):
        return Executor(workers)
    if isinstance(workers, bool) or not isinstance(workers, (Integral, str)):
        raise InvalidTypeError(
            f"workers must be None (this process), a number of local workers, a Dask scheduler address"
            f" 'tcp://host:port' or a dask.distributed.Client; got {type(workers).__name__}")
    if isinstance(workers, Integral) and workers < 1:
        raise InvalidArgumentError(f"workers must be >= 1 (or None for this process), got {workers}")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InvalidArgumentError(f"workers={workers!r} needs dask.distributed: {_INSTALL}") from None
    if isinstance(workers, str):
        try:
            client = Client(workers, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InvalidArgumentError(
                f"cannot reach the Dask scheduler at {workers!r} ({exc}); start one with"
                " 'dask scheduler' and give its address as tcp://HOST:PORT") from None
        ex = Executor(client, owned=(client,))
    else:
        cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(cluster)
        ex = Executor(client, owned=(client, cluster))
    if progress:
        print(f"gdmaps: Dask dashboard at {ex.dashboard_link}", file=sys.stderr)
    return ex
