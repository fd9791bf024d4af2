"""Engines that run the step loop of :func:`gdmaps.iterate`.

Every engine takes a numeric map and an ``(N, d)`` batch and returns the raw
fields of an :class:`~gdmaps.iterate.IterationResult` with the same meaning, so
they can be compared point for point.
"""

from gdmaps.engines.numpy_engine import run_numpy

__all__ = ["run_numpy", "fused_engine"]


def fused_engine(map):
    """A fused compiled engine for ``map``, or None where none is available."""
    try:
        from gdmaps.engines.numba_engine import fused_engine as build
    except ImportError:
        return None
    return build(map)
