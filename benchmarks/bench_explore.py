"""Response of the explorer after a slider move (issue 13): under 1 s for a 2-D map.

Times (1) the compute functions a slider move runs (fate map of 317^2 = 100,489 starts x 300
steps, orbits on the fate map, the certificate) and the orbit diagram of 300 parameter values
(60 starts x 60 kept, >= 10^6 points, with the largest Lyapunov exponent), and (2) the whole
callback through Panel's server-side objects (``Explorer.set_value`` with the page built, the
results written into the Bokeh sources). Median of 5 runs after a warm-up.

    python benchmarks/bench_explore.py
"""

import statistics
import time

import numpy as np

from gdmaps.explore import compute
from gdmaps.explore.app import DIAGRAM_COLUMNS, FATE_RESOLUTION, FATE_STEPS, Explorer
from gdmaps.explore.state import target_from


def _median(fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    rows = []
    for text, values in [("(a*b - 1)^2/2", (0.9, 1.2)), ("(x^2 - 1)^2/4 + y^2/2", (0.9, 1.2))]:
        t = target_from(loss=text)
        for v in values:
            rows.append((text, f"fate map {FATE_RESOLUTION}^2 x {FATE_STEPS} at eta = {v}",
                         _median(lambda: compute.fate_grid(t, v, resolution=FATE_RESOLUTION,
                                                            steps=FATE_STEPS))))
            rows.append((text, f"orbits at eta = {v}", _median(lambda: compute.orbits_at(t, v))))
            rows.append((text, f"certificate at eta = {v}", _median(lambda: compute.certificate_at(t, v))))
        im = compute.orbit_image(t, *t.span, columns=DIAGRAM_COLUMNS)
        rows.append((text, f"orbit diagram, {DIAGRAM_COLUMNS} values, {im.points:,} points + Lyapunov",
                     _median(lambda: compute.orbit_image(t, *t.span, columns=DIAGRAM_COLUMNS))))
        app = Explorer(loss=text, sync=True)
        app.panel()
        cycle = iter(np.tile(values, 100))
        rows.append((text, "slider move: Explorer.set_value (fate map + orbits + certificate + page)",
                     _median(lambda: app.set_value(next(cycle)))))
        rows.append((text, "zoom: the orbit diagram's callback on a new range",
                     _median(lambda: app._zoom(type("R", (), dict(x0=0.8, x1=1.0 + 1e-3 * np.random.rand(),
                                                                   y0=-1.5, y1=1.5))()))))
    width = max(len(r[1]) for r in rows)
    for text, what, s in rows:
        print(f"{text:24s} {what:{width}s} {s * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
