import signal
import threading
from contextlib import contextmanager

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def fresh_figures():
    """Commands that draw leave no open figure behind."""
    plt.close("all")
    yield
    plt.close("all")


class TimeBoundExceeded(BaseException):
    """A command ran past the time bound of its test (BaseException: no except Exception eats it)."""


@contextmanager
def time_bound(seconds):
    """Interrupt the block after ``seconds`` (SIGALRM; a no-op off the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise TimeBoundExceeded(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_bounded(capsys, argv, seconds=30):
    """``main(argv)`` in-process within ``seconds``: (status, stdout, stderr)."""
    from gdmaps.cli.main import main

    with time_bound(seconds):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # --help
            code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(capsys):
    """Run the command line in-process within a time bound: ``cli(*argv, seconds=30)``."""
    return lambda *argv, seconds=30: run_bounded(capsys, argv, seconds)
