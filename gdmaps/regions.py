"""Boxes in state space: ``[low, high]`` per coordinate."""

from __future__ import annotations

import numpy as np

from gdmaps.errors import InvalidArgumentError, check_finite_array

__all__ = ["as_region"]


def as_region(region, dim: int) -> np.ndarray:
    """``region`` as a float array of shape (dim, 2) with low < high, else a clear error.

    Examples
    --------
    >>> as_region([[-1, 1], [0, 2]], 2).tolist()
    [[-1.0, 1.0], [0.0, 2.0]]
    """
    R = check_finite_array("region", region)
    if R.shape == (2,) and dim == 1:
        R = R[None, :]
    if R.shape != (dim, 2):
        raise InvalidArgumentError(
            f"region must have shape ({dim}, 2), one [low, high] per coordinate, got shape {R.shape}")
    bad = np.flatnonzero(R[:, 0] >= R[:, 1])
    if bad.size:
        i = int(bad[0])
        raise InvalidArgumentError(
            f"region must have low < high in every coordinate, got [{R[i, 0]}, {R[i, 1]}] for"
            f" coordinate {i}")
    return R
