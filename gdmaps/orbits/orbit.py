"""Periodic orbits (fixed points are orbits of period 1) as result objects."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.core.stability import Stability
from gdmaps.core.results import Result

__all__ = ["Orbit", "Enclosure"]


@dataclass(frozen=True, repr=False, eq=False)
class Enclosure(Result):
    """A proof, or the reason there is none, that a box holds exactly one orbit.

    Attributes
    ----------
    certified : bool
        True only when an interval test (Krawczyk) proved that the box holds a
        unique solution of the orbit equations.
    lower, upper : ndarray (p, d) or None
        The box, with outward-rounded endpoints.
    reason : str
        How it was proved, or why not ("not certified: ...").
    """

    certified: bool
    lower: np.ndarray | None
    upper: np.ndarray | None
    reason: str

    @property
    def radius(self) -> float | None:
        """Half the largest width of the box, or None without a box."""
        if self.lower is None:
            return None
        return float(np.max(self.upper - self.lower) / 2)

    def distance(self, points) -> float:
        """Largest relative distance from ``points`` (p, d) to the box (0 inside)."""
        if self.lower is None:
            return np.inf
        pts = np.asarray(points, dtype=float).reshape(self.lower.shape)
        gap = np.maximum(self.lower - pts, 0) + np.maximum(pts - self.upper, 0)
        return float(np.max(gap / (1 + np.abs(pts))))

    def for_points(self, points, *, tol=1e-8) -> Enclosure:
        """This certificate for an orbit given by ``points`` found to ``tol`` (relative).

        Kept when the points lie within ``tol`` of the box (the proven orbit is the
        one found, up to its Newton accuracy); downgraded otherwise.
        """
        if not self.certified:
            return self
        gap = self.distance(points)
        if gap == 0:
            return self
        if gap <= tol:
            return Enclosure(True, self.lower, self.upper, f"{self.reason}; the points found lie"
                             f" within {gap:.1g} (relative) of the box")
        return Enclosure(False, self.lower, self.upper, "not certified: the box proven to hold an"
                         f" orbit is {gap:.2g} away from the points found ({self.reason})")

    def __repr__(self) -> str:
        r = "" if self.radius is None else f", radius {self.radius:.2g}"
        reason = self.reason.removeprefix("not certified: ")
        return f"<Enclosure: {'certified' if self.certified else 'not certified'}{r}: {reason}>"


@dataclass(frozen=True, repr=False, eq=False)
class Orbit(Result):
    """A periodic orbit x_0 -> x_1 -> ... -> x_{p-1} -> x_0 of a map.

    Attributes
    ----------
    points : ndarray (p, d)
        The orbit in order, starting from its lexicographically smallest point.
    stability : Stability
        Multipliers (eigenvalues of the ordered Jacobian product) and class.
    residual : float
        max_k ||f(x_k) - x_{k+1 mod p}||.
    enclosure : Enclosure or None
        The certificate, when one was asked for.
    tangent : ndarray (d, k) or None
        For a fixed point that is not isolated: an orthonormal basis of the null
        space of Df - I, the tangent directions of the set of fixed points
        (k = its local dimension). None when k = 0 or not computed.
    normal_multipliers : ndarray or None
        With ``tangent``: the multipliers on the normal directions (Df restricted to
        the quotient by the tangent space), the ones that decide stability.
    """

    points: np.ndarray
    stability: Stability
    residual: float
    enclosure: Enclosure | None = None
    tangent: np.ndarray | None = None
    normal_multipliers: np.ndarray | None = None

    @property
    def local_dimension(self) -> int:
        """Dimension of the set of fixed points through this point (0: isolated)."""
        return 0 if self.tangent is None else self.tangent.shape[1]

    @property
    def period(self) -> int:
        return len(self.points)

    @property
    def certified(self) -> bool:
        return self.enclosure is not None and self.enclosure.certified

    def to_dict(self) -> dict:
        """JSON-ready: points, multipliers, stability, certified, enclosure radius."""
        mus = [[float(np.real(m)), float(np.imag(m))] for m in np.atleast_1d(self.stability.multipliers)]
        return {"period": self.period, "points": self.points.tolist(), "multipliers": mus,
                "stability": self.stability.kind.value, "unstable_dim": self.stability.unstable_dim,
                "spectral_radius": self.stability.spectral_radius, "residual": self.residual,
                "certified": self.certified, "local_dimension": self.local_dimension,
                "enclosure_radius": None if self.enclosure is None else self.enclosure.radius,
                "certificate": None if self.enclosure is None else self.enclosure.reason}

    def __repr__(self) -> str:
        what = "fixed point" if self.period == 1 else f"period-{self.period} orbit"
        at = np.array2string(self.points[0], precision=6, separator=", ")
        cert = " (certified)" if self.certified else ""
        on = f" on a {self.local_dimension}-dimensional set" if self.local_dimension else ""
        return f"<Orbit: {self.stability.kind.value} {what}{on} through {at}{cert}>"
