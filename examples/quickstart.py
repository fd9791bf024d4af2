"""Quick start: the GD map of (ab - 1)^2 / 2 on both sides of its critical step size 1."""

import numpy as np
import sympy as sp

from gdmaps import GDMap, iterate

a, b = sp.symbols("a b")
gd = GDMap((a * b - 1) ** 2 / 2, [a, b])
print("Jacobian I - eta*H:", gd.jacobian())

x0 = np.random.default_rng(0).normal(size=(10_000, 2))
for eta in (0.5, 0.9, 1.1, 1.5):
    result = iterate(gd.at(eta), x0, 1000)
    print(result, "median asymptotic |grad L|:",
          f"{result.summary()['asymptotic_grad_norm']['median']:.3g}")
