"""Linear stability of fixed points and periodic orbits: the one rule used everywhere."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from gdmaps.errors import InvalidArgumentError, InvalidTypeError, check_positive_finite

__all__ = ["Kind", "Stability", "classify", "stability", "orbit_multipliers"]


class Kind(enum.Enum):
    """Stability class of a fixed point or periodic orbit, from its multipliers."""

    ATTRACTING = "attracting"          #: every |mu| < 1
    REPELLING = "repelling"            #: every |mu| > 1
    SADDLE = "saddle"                  #: some |mu| < 1, some |mu| > 1, none on the circle
    NON_HYPERBOLIC = "non-hyperbolic"  #: some |mu| = 1 (to the tolerance)


@dataclass(frozen=True, repr=False)
class Stability:
    """Multipliers of a fixed point or an orbit of period ``period`` and their verdict.

    ``unstable_dim``, ``center_dim`` and ``stable_dim`` count multipliers with
    modulus above, on (within ``tol``) and below 1. A non-hyperbolic point with
    ``unstable_dim > 0`` is still linearly unstable: ``spectral_radius > 1``.
    """

    multipliers: np.ndarray
    period: int
    kind: Kind
    unstable_dim: int
    center_dim: int
    stable_dim: int
    tol: float

    @property
    def spectral_radius(self) -> float:
        """The largest modulus of a multiplier."""
        return float(np.max(np.abs(self.multipliers)))

    @property
    def unstable(self) -> bool:
        """True when some multiplier has modulus > 1 + tol."""
        return self.unstable_dim > 0

    def __repr__(self) -> str:
        mus = ", ".join(_fmt(m) for m in self.multipliers)
        what = "fixed point" if self.period == 1 else f"period-{self.period} orbit"
        extra = f" with {self.unstable_dim} unstable direction(s)" if self.kind in (
            Kind.SADDLE, Kind.NON_HYPERBOLIC) and self.unstable_dim else ""
        return f"<Stability: {self.kind.value} {what}{extra}; multipliers {mus}>"


def _fmt(m) -> str:
    m = complex(m)
    return f"{m.real:.6g}" if m.imag == 0 else f"{m.real:.6g}{m.imag:+.6g}j"


def classify(multipliers, *, tol=1e-9) -> tuple[Kind, int, int, int]:
    """The class and the (unstable, center, stable) dimensions of a set of multipliers.

    Examples
    --------
    >>> classify([0.5, -2.0])
    (<Kind.SADDLE: 'saddle'>, 1, 0, 1)
    >>> classify([1.0, -1.5])  # a minimum on a manifold of minima, past eta*
    (<Kind.NON_HYPERBOLIC: 'non-hyperbolic'>, 1, 1, 0)
    """
    mod = np.abs(np.asarray(multipliers, dtype=complex))
    if mod.ndim != 1 or mod.size == 0 or not np.isfinite(mod).all():
        raise InvalidArgumentError(f"multipliers must be a non-empty finite 1-D array, got {multipliers!r}")
    up, down = mod > 1 + tol, mod < 1 - tol
    n_up, n_down = int(up.sum()), int(down.sum())
    n_center = mod.size - n_up - n_down
    if n_center:
        kind = Kind.NON_HYPERBOLIC
    elif n_up == mod.size:
        kind = Kind.REPELLING
    elif n_down == mod.size:
        kind = Kind.ATTRACTING
    else:
        kind = Kind.SADDLE
    return kind, n_up, n_center, n_down


def orbit_multipliers(map, orbit) -> np.ndarray:
    """Eigenvalues of ``J(x_{p-1}) ... J(x_1) J(x_0)`` along an orbit ``(p, d)``."""
    J = map.numeric.jacobian(np.atleast_2d(np.asarray(orbit, dtype=float)))
    M = J[0]
    for Jk in J[1:]:
        M = Jk @ M
    return np.linalg.eigvals(M)


def stability(map, point_or_orbit, *, tol=1e-9) -> Stability:
    """Multipliers, spectral radius and class of a fixed point or a periodic orbit.

    Parameters
    ----------
    map : Map
        A map with every parameter bound.
    point_or_orbit : array (d,) or (p, d)
        A fixed point, or the points of a periodic orbit in order.
    tol : float, keyword-only
        Multipliers with ``| |mu| - 1 | <= tol`` count as on the unit circle.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> gd = GDMap((a*b - 1)**2 / 2, [a, b], eta=1.2)
    >>> stability(gd, [1.0, 1.0])  # H = [[1, 1], [1, 1]]: multipliers 1 and 1 - 2 eta
    <Stability: non-hyperbolic fixed point with 1 unstable direction(s); multipliers -1.4, 1>

    Notes
    -----
    For a GD map DG = I - eta H, so mu_i = 1 - eta lambda_i: a minimum is unstable
    when some Hessian eigenvalue exceeds 2 / eta, a saddle whenever lambda_i < 0.
    """
    tol = check_positive_finite("tol", tol)
    if not hasattr(map, "numeric"):
        raise InvalidTypeError(f"map must be a gdmaps Map, got {type(map).__name__}")
    pts = np.asarray(point_or_orbit, dtype=float)
    if pts.ndim not in (1, 2) or pts.shape[-1] != map.dim or not np.isfinite(pts).all():
        raise InvalidArgumentError(
            f"point_or_orbit must be finite with shape ({map.dim},) or (p, {map.dim}),"
            f" got shape {pts.shape}")
    pts = np.atleast_2d(pts)
    mus = orbit_multipliers(map, pts)
    mus = mus[np.lexsort((mus.imag, mus.real))]
    if np.all(mus.imag == 0):
        mus = mus.real
    kind, n_up, n_center, n_down = classify(mus, tol=tol)
    return Stability(mus, len(pts), kind, n_up, n_center, n_down, tol)
