"""Boxes in state space: ``[low, high]`` per coordinate."""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_finite_array, check_int

__all__ = ["as_region", "slice_of"]


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


def slice_of(region, dims, at):
    """A 2-D slice of ``region``: ``dims`` as two distinct axes, ``at`` as a point of it.

    ``at`` fixes the coordinates not in ``dims`` (their centre when None; a 2-D
    region has none). Raises a clear error for anything else.

    Examples
    --------
    >>> dims, at = slice_of(as_region([[-1, 1], [0, 2], [0, 4]], 3), (0, 2), None)
    >>> dims, at.tolist()
    ((0, 2), [0.0, 1.0, 2.0])
    """
    d = len(region)
    try:
        dims = tuple(dims)
    except TypeError:
        raise InvalidTypeError(f"dims must be a pair of axes, got {dims!r}") from None
    if len(dims) != 2:
        raise InvalidArgumentError(f"dims must be two distinct axes in [0, {d}), got {dims!r}")
    dims = tuple(check_int(f"dims[{i}]", a) for i, a in enumerate(dims))
    if dims[0] == dims[1] or max(dims) >= d:
        raise InvalidArgumentError(f"dims must be two distinct axes in [0, {d}), got {dims!r}")
    if d == 2:
        if at is not None:
            raise InvalidArgumentError(
                f"at fixes the coordinates not in dims, and a 2-D cell map has none: leave at as"
                f" None, got {at!r}")
        return dims, region.mean(axis=1)
    if at is None:
        return dims, region.mean(axis=1)
    at = check_finite_array("at", at, ndim=1)
    if len(at) != d:
        raise InvalidArgumentError(f"at must be a point with {d} coordinates, got {len(at)}")
    out = np.flatnonzero((at < region[:, 0]) | (at > region[:, 1]))
    if out.size:
        k = int(out[0])
        raise InvalidArgumentError(
            f"at must lie in the region, got at[{k}] = {at[k]:g} outside [{region[k, 0]:g},"
            f" {region[k, 1]:g}]")
    return dims, at
