"""Running batches of orbits and classifying their fate."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from gdmaps.errors import InvalidArgumentError, InvalidTypeError, check_choice, check_int
from gdmaps.errors import check_finite_array, check_positive_finite

__all__ = ["Fate", "IterationResult", "iterate", "BACKENDS"]

#: Engines that can run the step loop; "auto" picks the fastest one available.
BACKENDS = ("auto", "numpy", "numba")


class Fate(enum.IntEnum):
    """What became of an orbit."""

    MOVING = 0      #: still moving at the last step: run longer or loosen ``tol``
    CONVERGED = 1   #: reached a fixed point: ``||f(x) - x|| <= tol``
    DIVERGED = 2    #: overflowed, became NaN, or left the ball ``||x|| <= blowup``


@dataclass(frozen=True, repr=False, eq=False)
class IterationResult:
    """The fate of a batch of orbits; see :func:`iterate`.

    Attributes
    ----------
    final : ndarray (N, d)
        The last state: where a converged orbit stopped, the last state checked
        finite for a diverged one, the state after ``steps`` steps otherwise.
    fate : ndarray (N,) of int8
        A :class:`Fate` per orbit.
    decided_at : ndarray (N,) of int
        The step at whose check the fate was decided; -1 for moving orbits.
    displacement : ndarray (N,)
        ``||f(x) - x||`` at ``final``; inf for diverged orbits.
    asymptotic_displacement : ndarray (N,)
        The mean of ``||f(x_t) - x_t||`` over the last ``window`` steps; inf for
        diverged orbits. A converged orbit keeps its final value for the steps
        after it stopped.
    eta : float or None
        The step size of a GD map, else None.
    steps, window, tol, blowup : the settings of the run.
    trajectory : ndarray (steps + 1, N, d) or None
        Every state, when asked for; NaN after a divergence.
    """

    final: np.ndarray
    fate: np.ndarray
    decided_at: np.ndarray
    displacement: np.ndarray
    asymptotic_displacement: np.ndarray
    eta: float | None
    steps: int
    window: int
    tol: float
    blowup: float
    trajectory: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of orbits."""
        return len(self.fate)

    @property
    def grad_norm(self) -> np.ndarray | None:
        """For GD maps, ``||grad L||`` at ``final`` (= displacement / eta)."""
        return None if self.eta is None else self.displacement / self.eta

    @property
    def asymptotic_grad_norm(self) -> np.ndarray | None:
        """For GD maps, the mean of ``||grad L||`` over the last ``window`` steps."""
        return None if self.eta is None else self.asymptotic_displacement / self.eta

    def counts(self) -> dict[str, int]:
        """Number of orbits per fate, by lower-case fate name."""
        tally = np.bincount(self.fate, minlength=len(Fate))
        return {f.name.lower(): int(tally[f]) for f in Fate}

    def fraction(self, fate: Fate | str = Fate.CONVERGED) -> float:
        """Share of orbits with the given fate."""
        fate = Fate[fate.upper()] if isinstance(fate, str) else Fate(fate)
        return float(np.mean(self.fate == fate)) if self.n else 0.0

    def summary(self) -> dict:
        """Counts and statistics, JSON-ready; diverged orbits are left out of the norms."""
        out = {"n": self.n, "steps": self.steps, "eta": self.eta, **self.counts()}
        bounded = self.fate != Fate.DIVERGED
        key, vals = ("grad_norm", self.asymptotic_grad_norm) if self.eta is not None else (
            "displacement", self.asymptotic_displacement)
        if bounded.any():
            v = vals[bounded]
            out[f"asymptotic_{key}"] = {"mean": float(v.mean()), "median": float(np.median(v)),
                                        "max": float(v.max())}
        else:
            out[f"asymptotic_{key}"] = None
        return out

    def __repr__(self) -> str:
        c = self.counts()
        eta = "" if self.eta is None else f" at eta={self.eta:g}"
        return (f"<IterationResult: {self.n} orbits, {self.steps} steps{eta}: "
                f"{c['converged']} converged, {c['diverged']} diverged, {c['moving']} moving>")


def iterate(map, x0, steps, *, tol=1e-9, blowup=1e8, check_every=10, window=None,
            keep_trajectory=False, backend="auto"):
    """Run a batch of orbits of ``map`` and classify the fate of each.

    Parameters
    ----------
    map : Map or GDMap
        A map with every parameter bound (for a GD map, ``eta`` fixed).
    x0 : array (N, d) or (d,)
        Initial points; finite.
    steps : int
        Number of steps, >= 1.
    tol : float, keyword-only
        An orbit has converged when ``||f(x) - x|| <= tol`` (for GD maps,
        ``eta * ||grad L|| <= tol``).
    blowup : float, keyword-only
        An orbit has diverged when a state is not finite or ``||x|| > blowup``.
    check_every : int, keyword-only
        Fates are checked every this many steps (and at the last step);
        ``decided_at`` is exact to this granularity.
    window : int, keyword-only
        Length of the final window of the asymptotic norm; default
        ``min(50, max(1, steps // 10))``.
    keep_trajectory : bool, keyword-only
        Keep every state (memory ``(steps + 1) * N * d`` floats).
    backend : {"auto", "numpy", "numba"}, keyword-only
        The engine. "numba" fuses steps and checks into one compiled kernel
        (needs the ``fast`` extra); "auto" uses it when available and either
        already compiled for this template or the run is large
        (``N * steps >= 1e8``), so small runs pay no compile time.

    Returns
    -------
    IterationResult

    Examples
    --------
    >>> import numpy as np, sympy as sp
    >>> from gdmaps import GDMap, iterate
    >>> a, b = sp.symbols("a b")
    >>> gd = GDMap((a*b - 1)**2 / 2, [a, b], eta=0.5)
    >>> x0 = np.random.default_rng(0).normal(size=(1000, 2))
    >>> iterate(gd, x0, 1000)
    <IterationResult: 1000 orbits, 1000 steps at eta=0.5: 969 converged, 31 diverged, 0 moving>
    >>> iterate(gd.at(1.2), x0, 1000)  # past eta* = 1 no minimum is stable
    <IterationResult: 1000 orbits, 1000 steps at eta=1.2: 0 converged, 309 diverged, 691 moving>

    Notes
    -----
    Divergence and overflow are outcomes, not errors: no floating-point warning
    escapes. Orbits whose fate is decided leave the batch, so converged and
    diverged points cost nothing afterwards.
    """
    steps = check_int("steps", steps, minimum=1)
    check_every = check_int("check_every", check_every, minimum=1)
    tol = check_positive_finite("tol", tol)
    if not (isinstance(blowup, (int, float)) and blowup > 0):
        raise InvalidArgumentError(f"blowup must be > 0 (inf allowed), got {blowup!r}")
    window = min(50, max(1, steps // 10)) if window is None else check_int("window", window, minimum=1)
    if window > steps:
        raise InvalidArgumentError(f"window must be <= steps ({steps}), got {window}")
    check_choice("backend", backend, BACKENDS)
    numeric = _numeric_of(map)
    X = check_finite_array("x0", x0)
    X = np.atleast_2d(X)
    if X.ndim != 2 or X.shape[1] != numeric.dim:
        raise InvalidArgumentError(
            f"x0 must have shape ({numeric.dim},) or (N, {numeric.dim}), got {np.shape(x0)}")

    engine = _pick_engine(map, backend, keep_trajectory, work=X.shape[0] * steps)
    raw = engine(numeric, X, steps, tol=float(tol), blowup=float(blowup),
                 check_every=check_every, window=window, keep_trajectory=keep_trajectory)
    eta = getattr(numeric, "eta", None)
    result = IterationResult(eta=eta, steps=steps, window=window, tol=tol, blowup=float(blowup),
                             **raw)
    return result


def _numeric_of(map):
    numeric = getattr(map, "numeric", None)
    if numeric is None or not hasattr(numeric, "step_rows"):
        raise InvalidTypeError(
            f"map must be a gdmaps Map or GDMap, got {type(map).__name__}")
    return numeric


def _pick_engine(map, backend, keep_trajectory, *, work):
    from gdmaps import engines

    if backend == "numpy" or keep_trajectory:
        return engines.run_numpy
    compile = backend == "numba" or work >= engines.AUTO_FUSED_WORK
    fused = engines.fused_engine(map, compile=compile)
    if fused is None and backend == "numba":
        raise InvalidArgumentError(
            "backend='numba' needs the numba package (pip install 'gdmaps[fast]') and a map"
            " the fused engine can compile: a symbolic template without undefined functions,"
            " of at most 20,000 operations; use backend='numpy' or 'auto'")
    return fused or engines.run_numpy
