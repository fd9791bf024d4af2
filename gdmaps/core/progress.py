"""Progress bars for long calls: one rule for when they show, tqdm to draw them.

Every function that can take more than a couple of seconds takes ``progress=None``:
None shows a bar on stderr when stderr is a terminal, True always shows one, False never.
A bar appears only after two seconds, so quick calls stay silent either way.
"""

from __future__ import annotations

import sys
import warnings

from tqdm import TqdmWarning

with warnings.catch_warnings():  # in Jupyter without ipywidgets tqdm.auto warns, then uses text bars
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm

from gdmaps.core.errors import InvalidTypeError

__all__ = ["bar", "wanted"]

#: Seconds before a bar appears: calls shorter than this print nothing.
DELAY = 2.0


def wanted(progress) -> bool:
    """Whether to show progress: ``progress`` itself, or for None whether stderr is a terminal.

    Examples
    --------
    >>> wanted(False), wanted(True)
    (False, True)
    """
    if progress is None:
        stream = sys.stderr
        return bool(getattr(stream, "isatty", None) and stream.isatty())
    if not isinstance(progress, bool):
        raise InvalidTypeError(f"progress must be True, False or None (on when stderr is a terminal),"
                               f" got {progress!r}")
    return progress


def bar(progress, *, total, desc: str, unit: str = "it"):
    """A tqdm bar on stderr labelled ``gdmaps <desc>``, disabled unless :func:`wanted`.

    Use it as a context manager and ``update`` it; ``set_postfix_str`` for a short status.

    Examples
    --------
    >>> with bar(False, total=3, desc="demo") as b:  # off: updates cost nothing
    ...     for _ in range(3):
    ...         _ = b.update(1)
    >>> b.disable
    True
    """
    return tqdm(total=total, desc=f"gdmaps {desc}", unit=unit, disable=not wanted(progress),
                leave=False, file=sys.stderr, delay=DELAY, mininterval=0.5, dynamic_ncols=True)
