"""Initial points for batches of orbits, reproducible from a seed."""

from __future__ import annotations

import numpy as np

from gdmaps.errors import check_choice, check_int, check_positive_finite

__all__ = ["sample", "SAMPLERS"]

#: Distributions :func:`sample` knows.
SAMPLERS = ("normal", "uniform")


def sample(kind, n, dim, *, scale=1.0, center=0.0, seed=0) -> np.ndarray:
    """``n`` points in dimension ``dim``: Gaussian N(center, scale^2) or uniform on a box.

    Examples
    --------
    >>> sample("uniform", 2, 3, scale=0.5, seed=1).shape
    (2, 3)
    >>> bool(abs(sample("uniform", 1000, 2, scale=0.5)).max() <= 0.5)
    True

    Notes
    -----
    "uniform" draws from the box ``[center - scale, center + scale]^dim``.
    """
    check_choice("kind", kind, SAMPLERS)
    n, dim = check_int("n", n, minimum=1), check_int("dim", dim, minimum=1)
    scale = check_positive_finite("scale", scale)
    rng = np.random.default_rng(seed)
    if kind == "normal":
        return center + scale * rng.standard_normal((n, dim))
    return center + rng.uniform(-scale, scale, size=(n, dim))
