"""Linear stability of fixed points and periodic orbits: the one rule used everywhere."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from gdmaps.core.gd import at_step
from gdmaps.core.errors import InvalidArgumentError, check_positive_finite
from gdmaps.core.krylov import lanczos
from gdmaps.core.numeric import check_map
from gdmaps.core.results import Result

__all__ = ["Kind", "Stability", "classify", "stability", "orbit_multipliers", "spectral_radii",
           "DENSE_LIMIT"]

#: ``spectral_radii(method="auto")`` takes dense eigenvalues up to this dimension, Lanczos on
#: Hessian-vector products above it (where the map has them).
DENSE_LIMIT = 64

#: Points per chunk of :func:`spectral_radii` (64k: each temporary a few hundred kB).
CHUNK = 16384


class Kind(enum.Enum):
    """Stability class of a fixed point or periodic orbit, from its multipliers."""

    ATTRACTING = "attracting"          #: every |mu| < 1
    REPELLING = "repelling"            #: every |mu| > 1
    SADDLE = "saddle"                  #: some |mu| < 1, some |mu| > 1, none on the circle
    NON_HYPERBOLIC = "non-hyperbolic"  #: some |mu| = 1 (to the tolerance)


@dataclass(frozen=True, repr=False, eq=False)
class Stability(Result):
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


def stability(map, point_or_orbit, *, eta=None, tol=1e-9) -> Stability:
    """Multipliers, spectral radius and class of a fixed point or a periodic orbit.

    Parameters
    ----------
    map : Map
        A map with every parameter bound.
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
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
    map = at_step(map, eta)
    tol = check_positive_finite("tol", tol)
    check_map(map)
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


def spectral_radii(map, points, *, method="auto", krylov=40, seed=0) -> np.ndarray:
    """The spectral radius of the Jacobian Df at each point of a batch ``(N, d) -> (N,)``.

    The test behind :attr:`Fate.UNSTABLE <gdmaps.basins.iterate.Fate>`: a fixed point is
    linearly unstable when this exceeds 1.

    Parameters
    ----------
    map : Map or GDMap
        A map with every parameter bound.
    points : array (N, d) or (d,)
    method : {"auto", "dense", "lanczos"}, keyword-only
        "dense": the Jacobian (for GD maps the Hessian, DG = I - eta H) of every point at
        once and its eigenvalues (``numpy.linalg.eigvalsh`` / ``eigvals``, batched).
        "lanczos": ``krylov`` Lanczos steps on Hessian-vector products, batched over the
        points (GD maps with an HVP: network models). "auto": dense up to
        ``DENSE_LIMIT`` (64) dimensions or without HVPs, Lanczos above.
    krylov : int, keyword-only
        Lanczos steps (at most d).
    seed : int, keyword-only
        The random start vectors of Lanczos.

    Returns
    -------
    ndarray (N,)
        nan where the Jacobian is not finite.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> gd = GDMap((a*b - 1)**2 / 2, [a, b], eta=1.2)
    >>> spectral_radii(gd, [[1.0, 1.0], [0.0, 0.0], [2.0, 0.5]])  # |1 - eta (a^2 + b^2)|, 1 + eta
    array([1.4, 2.2, 4.1])

    Notes
    -----
    For a GD map the multipliers are mu_i = 1 - eta lambda_i(H), so
    rho = max(|1 - eta lambda_min|, |1 - eta lambda_max|). Lanczos gives Ritz values
    inside [lambda_min, lambda_max] (Paige), so its rho is a lower bound that converges
    from below: an instability it reports is there (to rounding); a point it passes may
    still hide an eigenvalue it did not reach in ``krylov`` steps.
    """
    from gdmaps.core.errors import check_choice, check_int

    check_choice("method", method, ("auto", "dense", "lanczos"))
    krylov = check_int("krylov", krylov, minimum=1)
    check_map(map)
    numeric = map.numeric
    X = np.atleast_2d(np.asarray(points, dtype=float))
    if X.ndim != 2 or X.shape[1] != map.dim:
        raise InvalidArgumentError(
            f"points must have shape ({map.dim},) or (N, {map.dim}), got {np.shape(points)}")
    if not X.shape[0]:
        return np.full(0, np.nan)
    if X.shape[0] > CHUNK:  # chunks keep the temporaries in cache (and out of fresh pages)
        return np.concatenate([spectral_radii(map, X[i:i + CHUNK], method=method, krylov=krylov,
                                              seed=seed + i) for i in range(0, X.shape[0], CHUNK)])
    eta = numeric.eta
    hvp = _hvp_of(map) if eta is not None else None
    if method == "auto":
        method = "lanczos" if hvp is not None and map.dim > DENSE_LIMIT else "dense"
    if method == "lanczos" and hvp is None:
        raise InvalidArgumentError(
            "method='lanczos' needs Hessian-vector products: a GD map of a network model"
            " (gdmaps.models.mlp) with its step size bound; use method='dense'")
    with np.errstate(all="ignore"):
        if method == "lanczos":
            lo, hi = _lanczos_extremes(hvp, X, min(krylov, map.dim), seed)
            rho = np.maximum(np.abs(1 - eta * lo), np.abs(1 - eta * hi))
        elif eta is not None and map.dim == 2 and numeric.kernel is not None \
                and numeric.supports("hessian"):
            # the four Hessian rows as the compiled kernel returns them: no (N, 2, 2) array
            cols = [np.ascontiguousarray(c) for c in X.T]
            # float copies: a Hessian row may come back as an int constant (relu pieces give 0)
            h = [np.array(v, dtype=float) for v in
                 np.broadcast_arrays(*numeric.kernel.hessian_rows(*cols, *numeric.values), cols[0])]
            m = h[0] + h[3]
            m *= 0.5
            r = np.hypot(h[0] - h[3], h[1] + h[2])
            r *= 0.5
            lo, hi = m - r, m
            hi += r
            lo *= -eta
            lo += 1
            hi *= -eta
            hi += 1
            rho = np.maximum(np.abs(lo, out=lo), np.abs(hi, out=hi), out=lo)
        elif eta is not None:
            H = _dense_hessian(map, X)
            ok = np.isfinite(H).all(axis=(1, 2))
            rho = np.full(len(X), np.nan)
            if ok.any():
                lo, hi = _extremes_symmetric(H[ok])
                rho[ok] = np.maximum(np.abs(1 - eta * lo), np.abs(1 - eta * hi))
        else:
            J = numeric.jacobian(X)
            ok = np.isfinite(J).all(axis=(1, 2))
            rho = np.full(len(X), np.nan)
            if ok.any():
                rho[ok] = np.abs(np.linalg.eigvals(J[ok])).max(axis=1)
    return rho


def _extremes_symmetric(H):
    """Smallest and largest eigenvalues of a batch of symmetric matrices (N, d, d)."""
    if H.shape[1] == 1:
        return H[:, 0, 0], H[:, 0, 0]
    if H.shape[1] == 2:  # closed form, 20x faster than batched eigvalsh on 2 x 2 blocks
        m, h = (H[:, 0, 0] + H[:, 1, 1]) / 2, (H[:, 0, 0] - H[:, 1, 1]) / 2
        r = np.hypot(h, (H[:, 0, 1] + H[:, 1, 0]) / 2)
        return m - r, m + r
    lam = np.linalg.eigvalsh(H)
    return lam[:, 0], lam[:, -1]


def _network_numeric(map):
    """Backpropagation for a SymPy-built MLP (no Hessian to compile), else None."""
    net = getattr(map, "network", None)
    if net is None or not hasattr(net, "hvp"):
        return None
    return net.numeric(map.numeric.eta)


def _hvp_of(map):
    numeric = map.numeric
    if numeric.supports("hvp"):
        return numeric.hvp
    back = _network_numeric(map)
    return None if back is None else back.hvp


def _dense_hessian(map, X):
    numeric = map.numeric
    if not numeric.supports("hvp"):
        numeric = _network_numeric(map) or numeric
    return numeric.hessian(X)


def _lanczos_extremes(hvp, X, k, seed):
    """Smallest and largest Ritz values of ``k`` Lanczos steps at each point, batched
    (:func:`gdmaps.core.krylov.lanczos` on ``V -> hvp(X, V)``)."""
    return lanczos(lambda V: hvp(X, V), X.shape[0], X.shape[1], k, seed=seed)
