"""Sharpness: the largest Hessian eigenvalue, at points and along gradient-descent orbits.

A minimum is linearly stable for GD with step eta only if its sharpness lambda_max(H) is at
most 2/eta. Cohen et al. (2021, "Gradient descent on neural networks typically occurs at the
edge of stability", ICLR) measure the sharpness along full-batch GD on networks: it rises
(progressive sharpening) until it reaches 2/eta and then hovers there (the edge of
stability). :func:`sharpness_along` records that curve, batched over initializations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdmaps.core.errors import (InvalidArgumentError, InvalidTypeError, check_choice, check_finite_array,
                                check_int, check_positive_finite)
from gdmaps.core.gd import GDMap, at_step
from gdmaps.core.krylov import lanczos, power_top
from gdmaps.core.map import require_bound
from gdmaps.core.results import Result

__all__ = ["Sharpness", "sharpness", "sharpness_along", "METHODS"]

#: How lambda_max(H) is computed: Lanczos or power iteration on Hessian-vector products, or
#: eigenvalues of the dense Hessian; "auto" is dense up to 64 parameters, Lanczos above.
METHODS = ("auto", "lanczos", "power", "dense")

#: ``method="auto"`` takes the dense Hessian up to this many parameters.
DENSE_LIMIT = 64


def _products(map):
    """(hvp(X, V) or None, hessian(X)) of a GD map: backpropagation for network models."""
    numeric = map.numeric
    net = getattr(map, "network", None)
    if not numeric.supports("hvp") and net is not None and hasattr(net, "hvp"):
        numeric = net.numeric(None)  # a SymPy-built MLP: its backprop twin has HVPs
    if not numeric.supports("hessian"):
        raise InvalidTypeError(f"{type(map).__name__} has no Hessian: sharpness needs a GD map (GDMap)")
    return (numeric.hvp if numeric.supports("hvp") else None), numeric.hessian


def _top(map, X, method, krylov, seed, v0):
    """lambda_max(H) at each row of X (N, d) and its unit eigenvector (or None)."""
    hvp, hessian = _products(map)
    N, d = X.shape
    if not N:
        return np.full(0, np.nan), np.full((0, d), np.nan)
    if method == "auto":
        method = "lanczos" if hvp is not None and d > DENSE_LIMIT else "dense"
    with np.errstate(all="ignore"):
        if method == "dense" or hvp is None:
            H = hessian(X)
            ok = np.isfinite(H).all(axis=(1, 2))
            top, vec = np.full(N, np.nan), np.full((N, d), np.nan)
            if method == "dense":
                if ok.any():
                    lam, U = np.linalg.eigh(H[ok])
                    top[ok], vec[ok] = lam[:, -1], U[:, :, -1]
                return top, vec
            H = np.where(ok[:, None, None], H, 0.0)

            def matvec(V):
                return np.einsum("nij,nj->ni", H, V)
        else:
            def matvec(V):
                return hvp(X, V)
        if method == "lanczos":
            _, top, vec = lanczos(matvec, N, d, min(krylov, d), seed=seed, v0=v0, vectors=True)
        else:
            top, vec = power_top(matvec, N, d, seed=seed, v0=v0)
        if hvp is None:
            top[~ok] = np.nan
        return top, vec


def _points(map, points):
    X = np.asarray(points, dtype=float)
    if X.ndim not in (1, 2) or X.shape[-1] != map.dim:
        raise InvalidArgumentError(
            f"points must have shape ({map.dim},) or (N, {map.dim}), got {np.shape(points)}")
    return np.atleast_2d(X)


def _check(map, method, krylov, seed):
    if not isinstance(map, GDMap):
        raise InvalidTypeError(f"map must be a GDMap (the GD map of a loss or a model), got"
                               f" {type(map).__name__}")
    check_choice("method", method, METHODS)
    return check_int("krylov", krylov, minimum=1), check_int("seed", seed)


def sharpness(map, points, *, method="auto", krylov=30, seed=0) -> np.ndarray:
    """lambda_max(H), the largest eigenvalue of the Hessian of the loss, at each point.

    Parameters
    ----------
    map : GDMap
        The GD map of a loss or a model; its step size may be free (it is not used).
    points : array (N, d) or (d,)
    method : {"auto", "lanczos", "power", "dense"}, keyword-only
        "lanczos": ``krylov`` Lanczos steps on Hessian-vector products (exact ones by the
        R-operator for network models; products with the compiled Hessian for SymPy losses).
        "power": power iteration on the same products. "dense": the eigenvalues of the whole
        Hessian. "auto": dense up to 64 parameters, Lanczos above.
    krylov : int, keyword-only
        Lanczos steps (at most d).
    seed : int, keyword-only
        The random start vectors.

    Returns
    -------
    ndarray (N,) or float
        nan where the Hessian is not finite; a float for a single point.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> a, b = sp.symbols("a b")
    >>> gd = GDMap((a*b - 1)**2 / 2, [a, b])
    >>> sharpness(gd, [[1.0, 1.0], [2.0, 0.5]])  # a^2 + b^2 on the minima ab = 1
    array([2.  , 4.25])

    Notes
    -----
    Lanczos Ritz values lie inside the spectrum (Paige 1980), so a Lanczos sharpness is a
    lower bound that converges from below as ``krylov`` grows; with ``krylov >= d`` it is
    the top eigenvalue up to rounding.
    """
    krylov, seed = _check(map, method, krylov, seed)
    X = _points(map, points)
    top, _ = _top(map, X, method, krylov, seed, None)
    return float(top[0]) if np.ndim(points) == 1 else top


@dataclass(frozen=True, repr=False, eq=False)
class Sharpness(Result):
    """Sharpness, loss and gradient norm along a batch of GD orbits; see :func:`sharpness_along`.

    Attributes
    ----------
    steps : ndarray (T,)
        The recorded steps (0, every, 2 every, ..., and the last).
    sharpness : ndarray (T, N)
        lambda_max(H) at each recorded step of each orbit; nan once an orbit diverged.
    loss, grad_norm : ndarray (T, N)
        L and ``||grad L||`` there.
    eta : float
        The step size; the stability threshold is ``2 / eta``.
    method : str
        How lambda_max was computed ("dense", "lanczos" or "power").
    final : ndarray (N, d)
        The last state of each orbit.
    diverged : ndarray (N,) of bool
        Orbits that overflowed or left the ball ``||x|| <= blowup``.
    """

    steps: np.ndarray
    sharpness: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    eta: float
    method: str
    final: np.ndarray
    diverged: np.ndarray

    @property
    def threshold(self) -> float:
        """2 / eta: minima sharper than this are linearly unstable."""
        return 2.0 / self.eta

    @property
    def starts(self) -> int:
        return self.sharpness.shape[1]

    def ratio(self) -> np.ndarray:
        """``sharpness / (2 / eta)``: 1 is the edge of stability."""
        return self.sharpness / self.threshold

    def __repr__(self) -> str:
        last = self.sharpness[-1][~self.diverged]
        tail = f"final sharpness median {np.median(last):.4g}" if last.size else "every orbit diverged"
        return (f"<Sharpness: {self.starts} orbits, {int(self.steps[-1])} steps at eta={self.eta:g}"
                f" (2/eta = {self.threshold:.4g}), {self.diverged.sum()} diverged; {tail}>")


def sharpness_along(map, x0, steps, *, eta=None, every=1, method="auto", krylov=20, seed=0,
                    blowup=1e8) -> Sharpness:
    """Run GD from each row of ``x0`` and record lambda_max(H), L and ||grad L|| every ``every`` steps.

    Parameters
    ----------
    map : GDMap
    x0 : array (N, d) or (d,)
        Initial points, one orbit each.
    steps : int
        GD steps.
    eta : float, keyword-only
        The step size (else the map's own).
    every : int, keyword-only
        Record every ``every`` steps (and at step 0 and the last step).
    method, krylov, seed : keyword-only
        As in :func:`sharpness`. Along an orbit Lanczos and power iteration start from the
        top eigenvector of the previous record (a warm start), so few products suffice.
    blowup : float, keyword-only
        An orbit with ``||x|| > blowup`` or a non-finite value has diverged; it is left out
        from then on (nan).

    Returns
    -------
    Sharpness

    Examples
    --------
    A quadratic with Hessian diag(1, 3): the sharpness is 3 at every step.

    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x, y = sp.symbols("x y")
    >>> q = GDMap((x**2 + 3*y**2) / 2, [x, y])
    >>> s = sharpness_along(q, [[1.0, 1.0], [0.5, -2.0]], 20, eta=0.5, every=5)
    >>> s.steps.tolist(), s.sharpness[:, 0].tolist()
    ([0, 5, 10, 15, 20], [3.0, 3.0, 3.0, 3.0, 3.0])
    >>> s  # 3 > 2/eta: the y-direction flips and grows
    <Sharpness: 2 orbits, 20 steps at eta=0.5 (2/eta = 4), 0 diverged; final sharpness median 3>

    Notes
    -----
    The orbit is ``x_{t+1} = x_t - eta grad L(x_t)``. With Lanczos the recorded sharpness is
    a Ritz value, a lower bound of lambda_max that the warm start makes tight after the
    first records (compare with ``method="dense"`` on small models).
    """
    map = at_step(map, eta)
    krylov, seed = _check(map, method, krylov, seed)
    require_bound(map, "sharpness_along")
    steps = check_int("steps", steps, minimum=0)
    every = check_int("every", every, minimum=1)
    blowup = check_positive_finite("blowup", blowup)
    numeric = map.numeric
    eta = numeric.eta
    X = check_finite_array("x0", x0)
    X = _points(map, X).copy()
    N, d = X.shape
    if method == "auto":
        method = "lanczos" if _products(map)[0] is not None and d > DENSE_LIMIT else "dense"
    record = sorted(set(range(0, steps + 1, every)) | {steps})
    T = len(record)
    lam, loss, gnorm = (np.full((T, N), np.nan) for _ in range(3))
    alive = np.ones(N, dtype=bool)
    v = None
    r = 0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            g = numeric.gradient(X[alive])
            if t == record[r]:
                idx = np.flatnonzero(alive)
                if idx.size:
                    top, vec = _top(map, X[idx], method, krylov, seed + r, None if v is None else v[idx])
                    lam[r, idx] = top
                    loss[r, idx] = numeric.loss(X[idx])
                    gnorm[r, idx] = np.linalg.norm(g, axis=1)
                    v = np.zeros((N, d)) if v is None else v
                    v[idx] = vec
                r += 1
            if t == steps:
                break
            X[alive] = X[alive] - eta * g
            bad = ~(np.isfinite(X[alive]).all(axis=1) & (np.linalg.norm(X[alive], axis=1) <= blowup))
            alive[np.flatnonzero(alive)[bad]] = False
    return Sharpness(np.array(record), lam, loss, gnorm, float(eta), method, X, ~alive)
