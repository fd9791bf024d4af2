"""Engines that run the step loop of :func:`gdmaps.basins.iterate`.

Every engine takes a numeric map and an ``(N, d)`` batch and returns the raw
fields of an :class:`~gdmaps.basins.iterate.IterationResult` with the same meaning, so
they can be compared point for point.
"""

from gdmaps.engines.numpy_engine import run_numpy

__all__ = ["run_numpy", "fused_engine", "AUTO_FUSED_WORK"]


#: Below this many point-steps "auto" uses the fused engine only if it is compiled already:
#: compiling a new template costs 0.2 s to seconds, numpy does 1e8 point-steps in about that.
AUTO_FUSED_WORK = 10**8


def fused_engine(map, *, compile=True):
    """A fused compiled engine for ``map``, or None where none is available.

    With ``compile=False``, None also when its kernel is not compiled yet.
    """
    try:
        from gdmaps.engines.numba_engine import fused_engine as build
    except ImportError:
        return None
    return build(map, compile=compile)
