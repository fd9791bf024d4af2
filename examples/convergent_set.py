"""The convergent set of GD on (ab - 1)^2 / 2, below and above its critical step size eta* = 1.

A sweep of the convergent fraction over eta in [0.5, 1.5] shows the phase transition at
eta* = 1: below it almost every start converges, above it almost none does. Past eta*
the starts that still converge lie on a set of dimension about 1 in the plane (measure
zero), which convergent_set_dimension measures at eta = 1.2.
Usage: python convergent_set.py [OUT_DIR]  (default out/).
"""

import sys
from pathlib import Path

import numpy as np
import sympy as sp

from gdmaps import GDMap, convergent_set_dimension, sweep
from gdmaps.plotting import plot_phase_transition, plot_set_dimension, save_figure

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
a, b = sp.symbols("a b")
gd = GDMap((a * b - 1) ** 2 / 2, [a, b])

s = sweep(gd, np.linspace(0.5, 1.5, 21), starts=2000, progress=False, eta_star=1)
for row in s.rows:
    print(row)

dim = convergent_set_dimension(gd, [[-3, 3], [-3, 3]], eta=1.2)
print(dim)
print(f"dimension of the convergent set at eta = 1.2: {dim.dimension:.3f} +- {dim.dimension_stderr:.3f}"
      f" (in {dim.dim}-D)")

for fig, name in ((plot_phase_transition(s, eta_star=1), "phase_transition"),
                  (plot_set_dimension(dim), "set_dimension")):
    for suffix in (".png", ".pdf"):
        print("wrote", save_figure(fig, out / f"{name}{suffix}"))
