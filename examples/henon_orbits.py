"""A typed map: the Henon map, its fate statistics and a trajectory kept for plotting."""

import numpy as np

from gdmaps import iterate
from gdmaps.maps import from_text

henon = from_text("x: 1 - a*x**2 + y; y: b*x; a = 1.4; b = 0.3")
x0 = np.random.default_rng(1).uniform(-0.5, 0.5, size=(2000, 2))
result = iterate(henon, x0, 500, keep_trajectory=True)
print(result)  # the attractor: orbits keep moving, those far out diverge
print("last states of three orbits:\n", result.trajectory[-1, :3])
