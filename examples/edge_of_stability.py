"""Edge of stability: GD on L(x) = (x^2 - 1)^2 / 4 as the step size eta runs over [0.5, 2].

The minimum x = 1 has L'' = 2, so it loses stability at eta = 2 / L'' = 1 by period
doubling; the 2-cycle born there doubles at eta = sqrt(5) - 1, and the cascade that follows
accumulates with gaps shrinking by Feigenbaum's delta = 4.669... Shows the orbit diagram,
the continued branches (switching at each doubling), the largest Lyapunov exponent and the
exact bifurcation values. Usage: python edge_of_stability.py [OUT_DIR]  (default out/).
"""

import sys
from pathlib import Path

import numpy as np
import sympy as sp

from gdmaps import GDMap, continuation, exact_bifurcations, lyapunov_spectrum, orbit_diagram
from gdmaps.plotting import plot_orbit_diagram, save_figure

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
x = sp.symbols("x")
gd = GDMap((x**2 - 1) ** 2 / 4, [x])
etas = np.linspace(0.5, 2.0, 600)

diagram = orbit_diagram(gd, "eta", etas, starts=50, transient=1000, keep=20)
branches = continuation(gd, [1.0], "eta", (0.5, 2.0), switch=5)
lam = lyapunov_spectrum(gd, [0.9], 2000, parameter="eta", values=etas)
print(diagram, branches, lam, sep="\n")

doublings = [b.value for b in branches.bifurcations if b.kind == "period-doubling"]
print("located period doublings:")
for b in branches.bifurcations:
    if b.kind == "period-doubling":
        print(f"  period {b.period} -> {2 * b.period} at eta = {b.value:.10f}")

exact = exact_bifurcations(gd, "eta", period=1) + exact_bifurcations(gd, "eta", period=2)
print("exact bifurcations (one per orbit: the minima x = 1 and x = -1 are mirror images):")
for e in exact:
    orbit = ", ".join(f"{p[0]:.4f}" for p in e.numeric_orbit)
    print(f"  {e.kind} of period {e.period} at eta = {e.value} = {e.float:.10f}, orbit ({orbit})")
for e, found in zip(sorted({e.value for e in exact}, key=float), doublings):
    print(f"  located - exact at {e}: {found - float(e):.1e}")

print("gap ratios (Feigenbaum delta = 4.6692...):")
gaps = np.diff(doublings)
for k in range(len(gaps) - 1):
    print(f"  ({doublings[k + 1]:.6f} - {doublings[k]:.6f}) / ({doublings[k + 2]:.6f} - "
          f"{doublings[k + 1]:.6f}) = {gaps[k] / gaps[k + 1]:.4f}")

fig = plot_orbit_diagram(diagram, continuation=branches, lyapunov=lam,
                         title="GD on (x^2 - 1)^2 / 4: the edge of stability")
for suffix in (".png", ".pdf"):
    print("wrote", save_figure(fig, out / f"edge_of_stability{suffix}"))
