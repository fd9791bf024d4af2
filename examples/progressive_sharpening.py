"""Progressive sharpening and the edge of stability of full-batch GD on a small tanh network.

A tanh MLP (2-32-32-1 with biases) fits a synthetic regression set (50 points, mean squared
loss) by full-batch GD at three step sizes. The sharpness lambda_max(H), measured by warm-
started Lanczos on exact Hessian-vector products every 25 steps, first rises (progressive
sharpening) and then hovers at 2/eta (the edge of stability) while the loss keeps falling,
as Cohen et al. (2021, "Gradient descent on neural networks typically occurs at the edge of
stability") observed.
Usage: python progressive_sharpening.py [OUT_DIR]  (default out/).
"""

import sys
from pathlib import Path

import numpy as np

from gdmaps.basins.sharpness import sharpness_along
from gdmaps.core.samplers import network_init
from gdmaps.models import mlp
from gdmaps.plotting import save_figure
from gdmaps.plotting.sharpness import plot_sharpness

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
rng = np.random.default_rng(0)
X = rng.uniform(-2, 2, (2, 50))
Y = np.sin(2 * X[:1]) * np.cos(X[1:])
net = mlp(X, Y, [32, 32], "tanh", reduction="mean", bias=True, symbolic=False)
x0 = network_init(net, "glorot", 3, seed=1)

runs = []
for eta in (2 / 24, 2 / 18, 2 / 12):
    run = sharpness_along(net, x0, 6000, eta=eta, every=25, krylov=20)
    runs.append(run)
    late = run.sharpness[run.steps >= 4000]
    print(f"{run}\n  2/eta = {run.threshold:.4g}: sharpness over steps 4000-6000 in"
          f" [{np.nanmin(late):.4g}, {np.nanmax(late):.4g}], median {np.nanmedian(late):.4g}")

fig = plot_sharpness(runs)
for suffix in (".png", ".pdf"):
    print("wrote", save_figure(fig, out / f"progressive_sharpening{suffix}"))
