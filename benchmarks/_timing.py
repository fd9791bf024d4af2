"""Timing shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""

import time


def best(fn, repeats=3):
    """``(min time, last result)`` over ``repeats`` calls of ``fn()``."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out
