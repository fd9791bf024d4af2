"""Background work for the explorer: one running job per view, cancelled by new input.

Pure Python (threads): the page stays live while a job runs, and a job whose input was
replaced stops at its next check.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

__all__ = ["Cancelled", "Token", "Jobs", "SECONDS"]

#: Seconds one job may run before it is stopped (the page says so).
SECONDS = 60.0


class Cancelled(Exception):
    """Raised inside a job at a check after its input was replaced or its time ran out."""


class Token:
    """A job's handle: ``check()`` raises :class:`Cancelled` once cancelled or past its deadline;
    ``progress(fraction)`` reports how far it got.

    Examples
    --------
    >>> t = Token(seconds=10)
    >>> t.check(); t.cancel(); t.cancelled
    True
    """

    def __init__(self, seconds=SECONDS, on_progress=None):
        self._event = threading.Event()
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self._on_progress = on_progress

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("replaced by new input")
        if time.monotonic() > self.deadline:
            raise Cancelled(f"stopped after {self.seconds:g} s, the time limit of one computation;"
                            " ask for a smaller one")

    def progress(self, fraction) -> None:
        self.check()
        if self._on_progress is not None:
            self._on_progress(float(fraction))


class Jobs:
    """Runs ``fn(token)`` in a worker thread, one job per key: submitting a key again cancels the
    job it replaces. ``done(result)`` / ``failed(message)`` are called in the worker thread, and
    only for the newest job of the key.

    Examples
    --------
    >>> jobs = Jobs()
    >>> out = []
    >>> jobs.submit("x", lambda token: 41 + 1, out.append, out.append).result()
    >>> out
    [42]
    """

    def __init__(self, workers=2, seconds=SECONDS):
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="gdmaps-explore")
        self._tokens: dict = {}
        self._lock = threading.Lock()
        self.seconds = seconds

    def running(self) -> list:
        with self._lock:
            return [k for k, t in self._tokens.items() if not t.cancelled]

    def submit(self, key, fn, done, failed, progress=None):
        token = Token(self.seconds, progress)
        with self._lock:
            old = self._tokens.get(key)
            if old is not None:
                old.cancel()
            self._tokens[key] = token

        def work():
            token.deadline = time.monotonic() + token.seconds  # the limit counts running, not queueing
            try:
                result = fn(token)
            except Cancelled as exc:
                if not token.cancelled:  # ran out of time: say so; a replaced job stays quiet
                    failed(str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - shown in the page as one line
                if not token.cancelled:
                    failed(one_line(exc))
                return
            finally:
                with self._lock:
                    if self._tokens.get(key) is token and token.cancelled is False:
                        self._tokens.pop(key, None)
            if not token.cancelled:
                done(result)

        return self._pool.submit(work)

    def shutdown(self):
        with self._lock:
            for t in self._tokens.values():
                t.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)


def one_line(exc) -> str:
    """An exception as one line: its message, else its class name."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
