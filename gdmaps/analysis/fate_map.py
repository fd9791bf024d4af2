"""The fate of gradient descent from every point of a grid on a 2-D slice of parameter space."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.basins.iterate import Fate, iterate
from gdmaps.core.errors import InvalidArgumentError, check_int
from gdmaps.core.regions import slice_of
from gdmaps.core.results import Result, jsonable
from gdmaps.core.samplers import search_box

__all__ = ["FateMap", "fate_map"]


@dataclass(frozen=True, repr=False, eq=False)
class FateMap(Result):
    """The fate (a :class:`~gdmaps.basins.iterate.Fate`) of the orbit from each grid point.

    Attributes
    ----------
    eta : float
        The step size.
    box : ndarray (2, 2)
        The ranges of the two coordinates the slice spans.
    dims : tuple of two int
        Which coordinates the slice spans.
    at : ndarray (d,)
        The point the slice passes through (its other coordinates stay fixed there).
    fates : ndarray (resolution, resolution) of int8
        ``fates[i, j]`` is the fate from ``x[dims[0]] = xs[j]``, ``x[dims[1]] = ys[i]``.
    steps : int
    names : tuple of two str
        The names of the two coordinates.
    """

    eta: float
    box: np.ndarray
    dims: tuple
    at: np.ndarray
    fates: np.ndarray
    steps: int
    names: tuple = ("x", "y")

    @property
    def resolution(self) -> int:
        return self.fates.shape[0]

    @property
    def shares(self) -> dict:
        """The share of the grid per fate, ``{"converged": 0.5, ...}``."""
        return {f.name.lower(): float(np.mean(self.fates == f)) for f in Fate}

    def summary(self) -> dict:
        """Everything but the grid, JSON-ready."""
        return {"eta": self.eta, "box": jsonable(self.box), "dims": list(self.dims),
                "at": jsonable(self.at), "names": list(self.names), "resolution": self.resolution,
                "steps": self.steps, "shares": self.shares}

    def to_dict(self) -> dict:
        return {**self.summary(), "fates": jsonable(self.fates)}

    def __repr__(self) -> str:
        s = self.shares
        return (f"<FateMap: eta = {self.eta:.4g}, {self.resolution} x {self.resolution} grid on"
                f" ({self.names[0]}, {self.names[1]}): {s['converged']:.1%} converged,"
                f" {s['diverged']:.1%} diverged, {s['moving']:.1%} moving>")


def fate_map(gdmap, box, *, eta, dims=(0, 1), at=None, resolution=201, steps=1000) -> FateMap:
    """Run GD from every point of a grid on a 2-D slice of a box and record each fate.

    Parameters
    ----------
    gdmap : GDMap
        Of dimension d >= 2, with every parameter but the step size bound.
    box : number or array (d, 2)
        The box: r for [-r, r]^d, or low, high per coordinate.
    eta : float, keyword-only
        The step size.
    dims : pair of int, keyword-only
        The two coordinates the slice spans.
    at : array (d,) or None, keyword-only
        A point of the box fixing the other coordinates (default: the centre of the box).
    resolution : int, keyword-only
        Grid points per axis.
    steps : int, keyword-only
        Steps per orbit.

    Returns
    -------
    FateMap

    Notes
    -----
    Only the starts lie on the slice: each orbit is the full d-dimensional GD orbit.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> fm = fate_map(GDMap((a*b - 1)**2 / 2, [a, b]), 2, eta=0.5, resolution=21, steps=200)
    >>> round(fm.shares["converged"], 3)
    0.952
    """
    d = gdmap.dim
    if d < 2:
        raise InvalidArgumentError(f"fate_map draws a 2-D slice; this map has dimension {d}")
    resolution = check_int("resolution", resolution, minimum=2)
    R = search_box(box, d)
    dims, point = slice_of(R, dims, at)
    dims = tuple(int(i) for i in dims)
    point = np.asarray(point, dtype=float)
    xs = np.linspace(*R[dims[0]], resolution)
    ys = np.linspace(*R[dims[1]], resolution)
    X, Y = np.meshgrid(xs, ys)
    starts = np.tile(point, (X.size, 1))
    starts[:, dims[0]], starts[:, dims[1]] = X.ravel(), Y.ravel()
    run = iterate(gdmap.at(eta), starts, steps)
    names = [str(s) for s in gdmap.state]
    return FateMap(float(eta), R[list(dims)].astype(float), dims, point,
                   run.fate.reshape(X.shape).astype(np.int8), int(steps),
                   (names[dims[0]], names[dims[1]]))
