"""Running batches of orbits and classifying their fate."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from gdmaps.core.gd import at_step
from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_choice, check_int
from gdmaps.core.errors import check_finite_array, check_positive_finite
from gdmaps.core.numeric import check_map
from gdmaps.core.progress import bar
from gdmaps.engines.numpy_engine import run_numpy
from gdmaps.core.stability import spectral_radii
from gdmaps.core.results import Result

__all__ = ["Fate", "IterationResult", "iterate", "BACKENDS", "DEFAULT_TOL", "NETWORK_TOL",
           "STABILITY_MARGIN"]

#: Engines that can run the step loop; "auto" picks the fastest one available.
BACKENDS = ("auto", "numpy", "numba")


#: The relative tolerance ``tol`` when none is given, and for network models (maps with a
#: layer layout, from :func:`gdmaps.models.mlp` or :func:`gdmaps.models.linear_network`):
#: their gradients fall slowly along flat directions, and 1e-9 is not reached in 10^4 steps.
DEFAULT_TOL, NETWORK_TOL = 1e-9, 1e-3

#: Multipliers within ``stability_tol + STABILITY_MARGIN * ||f(x) - x||`` of the unit circle
#: do not make a stopped orbit unstable: off a fixed point the Jacobian's eigenvalues are
#: displaced by about as much as the point is (measured on an MLP near its minima:
#: |lambda_min(H)| ~ ||grad L||, that is |mu - 1| ~ ||f(x) - x||).
STABILITY_MARGIN = 10.0


class Fate(enum.IntEnum):
    """What became of an orbit."""

    MOVING = 0      #: still moving at the last step: run longer or loosen ``tol``
    CONVERGED = 1   #: settled (the stopping test held) at a point that is not linearly unstable
    DIVERGED = 2    #: overflowed, became NaN, or left the ball ``||x|| <= blowup``
    UNSTABLE = 3    #: stalled (the stopping test held) at a linearly unstable point: not converged


@dataclass(frozen=True, repr=False, eq=False)
class IterationResult(Result):
    """The fate of a batch of orbits; see :func:`iterate`.

    Attributes
    ----------
    final : ndarray (N, d)
        The last state: where a converged orbit stopped, the last state checked
        finite for a diverged one, the state after ``steps`` steps otherwise.
    fate : ndarray (N,) of int8
        A :class:`Fate` per orbit.
    decided_at : ndarray (N,) of int
        The step at whose check the fate was decided (for converged and unstable orbits:
        the check where the stopping test held); -1 for moving orbits.
    displacement : ndarray (N,)
        ``||f(x) - x||`` at ``final``; inf for diverged orbits.
    asymptotic_displacement : ndarray (N,)
        The mean of ``||f(x_t) - x_t||`` over the last ``window`` steps; inf for
        diverged orbits. A converged orbit keeps its final value for the steps
        after it stopped.
    eta : float or None
        The step size of a GD map, else None.
    steps, window, tol, blowup : the settings of the run (``tol`` the relative tolerance used).
    trajectory : ndarray (steps + 1, N, d) or None
        Every state, when asked for; NaN after a divergence.
    spectral_radius : ndarray (N,) or None
        rho(Df) at ``final`` for the orbits that stopped (converged or unstable); nan for the
        others (and for maps whose numeric form has no Jacobian: not checked); None when the
        stability check was switched off.
    rule : str
        The stopping test in words, with its numbers.
    stability_tol : float or None
        The tolerance of the stability check; None when it was switched off.
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
    spectral_radius: np.ndarray | None = None
    rule: str = ""
    stability_tol: float | None = None

    @property
    def starts(self) -> int:
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

    @property
    def counts(self) -> dict[str, int]:
        """Number of orbits per fate, by lower-case fate name."""
        tally = np.bincount(self.fate, minlength=len(Fate))
        return {f.name.lower(): int(tally[f]) for f in Fate}

    def fraction(self, fate: Fate | str = Fate.CONVERGED) -> float:
        """Share of orbits with the given fate."""
        fate = Fate[fate.upper()] if isinstance(fate, str) else Fate(fate)
        return float(np.mean(self.fate == fate)) if self.starts else 0.0

    def summary(self) -> dict:
        """Counts and statistics, JSON-ready; diverged orbits are left out of the norms."""
        out = {"starts": self.starts, "steps": self.steps, "eta": self.eta, **self.counts, "rule": self.rule}
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
        c = self.counts
        eta = "" if self.eta is None else f" at eta={self.eta:g}"
        unstable = f", {c['unstable']} unstable" if c["unstable"] else ""
        return (f"<IterationResult: {self.starts} orbits, {self.steps} steps{eta}: "
                f"{c['converged']} converged, {c['diverged']} diverged, {c['moving']} moving"
                f"{unstable}>")


def iterate(map, x0, steps, *, eta=None, tol=None, grad_tol=None, disp_tol=None, loss_tol=None,
            loss_min=None, stability=True, stability_tol=1e-6, blowup=1e8, check_every=10,
            window=None, keep_trajectory=False, backend="auto", progress=None):
    """Run a batch of orbits of ``map`` and classify the fate of each.

    Parameters
    ----------
    map : Map or GDMap
        A map with every parameter bound (for a GD map, ``eta`` fixed).
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
    x0 : array (N, d) or (d,)
        Initial points; finite.
    steps : int
        Number of steps, >= 1.
    tol : float, keyword-only
        The relative tolerance of the default stopping test (see Notes); default 1e-9, and
        1e-3 for network models (maps from :func:`gdmaps.models.mlp` or ``linear_network``).
    grad_tol : float, keyword-only
        GD maps: stop where ``||grad L(x)|| <= grad_tol`` (absolute).
    disp_tol : float, keyword-only
        Stop where ``||f(x) - x|| <= disp_tol`` (absolute). For a GD map this is
        ``eta ||grad L||``: it shrinks with eta, so it is no convergence test across step sizes.
    loss_tol, loss_min : float, keyword-only
        GD maps whose minimum value ``loss_min`` is known (0 for a network that can
        interpolate): stop where ``L(x) - loss_min <= loss_tol``. Runs on the numpy engine.
    stability : bool, keyword-only
        Check every orbit that stopped: one that sits at a linearly unstable point
        (``rho(Df) > 1 + stability_tol + 10 ||f(x) - x||``) is :attr:`Fate.UNSTABLE`, not converged.
    stability_tol : float, keyword-only
        The tolerance of that check.
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
    progress : bool or None, keyword-only
        A progress bar on stderr: None shows one when stderr is a terminal and the run
        lasts over two seconds (see :mod:`gdmaps.core.progress`).

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
    >>> iterate(gd.at(1e-10), x0[:100], 1000)  # tiny steps: nothing moved far, nothing converged
    <IterationResult: 100 orbits, 1000 steps at eta=1e-10: 0 converged, 0 diverged, 100 moving>

    An orbit that stalls at an unstable point is not converged: the minimum (1, 1) has
    Hessian eigenvalues 0 and 2, so past eta = 1 it repels along (1, 1):

    >>> iterate(gd.at(1.01), [1.0, 1.0 + 1e-12], 100)
    <IterationResult: 1 orbits, 100 steps at eta=1.01: 0 converged, 0 diverged, 0 moving, 1 unstable>

    A network: an MLP on XOR stops where its gradient fell 1000-fold (the network default),
    or, with ``loss_min``, where the loss is within ``loss_tol`` of it:

    >>> from gdmaps.models import mlp
    >>> from gdmaps.core.samplers import network_init
    >>> net = mlp([[0, 0, 1, 1], [0, 1, 0, 1]], [0, 1, 1, 0], [4], "tanh", reduction="mean",
    ...           bias=True, eta=0.5)
    >>> starts = network_init(net, "glorot", 200, seed=0)
    >>> iterate(net, starts, 2000).counts
    {'moving': 3, 'converged': 194, 'diverged': 0, 'unstable': 3}
    >>> iterate(net, starts, 2000, loss_min=0, loss_tol=1e-6).counts
    {'moving': 2, 'converged': 195, 'diverged': 0, 'unstable': 3}

    Notes
    -----
    The stopping test is checked every ``check_every`` steps on the displacement
    ``||f(x) - x||`` (for a GD map ``eta ||grad L(x)||``, so the gradient norm is
    ``||f(x) - x|| / eta``). Without ``grad_tol``, ``disp_tol`` or ``loss_tol`` it is
    relative, with quantities that do not shrink with eta:

    - GD maps: ``||grad L(x)|| <= tol * max(1, ||grad L(x_0)||)``, the gradient fallen by
      the factor ``tol`` from its value at the start of the orbit (at least ``tol``);
    - other maps: ``||f(x) - x|| <= tol * (1 + ||f(x)||)``.

    ``grad_tol`` or ``disp_tol`` replaces that test (an orbit stops when one of those given
    holds); ``loss_tol`` adds the loss test to whichever displacement test applies.

    An orbit that stops leaves the batch and is checked for stability (only those: one
    batched eigenvalue problem, or Lanczos on Hessian-vector products for network models
    above 64 parameters, see :func:`gdmaps.core.stability.spectral_radii`). It has converged
    unless ``rho(Df(x)) > 1 + stability_tol + 10 ||f(x) - x||`` (the margin allows for the
    distance to the fixed point); otherwise it stalled at an unstable point (a saddle, or a
    minimum with lambda_max(H) > 2 / eta). Such an orbit is run on from where it stalled,
    without stopping, to the last step, where the test and the check are made again: it
    ends :attr:`Fate.UNSTABLE` if it still sits at an unstable point (or stalled inside the
    final window, too late to run on), else converged, moving or diverged as it went.

    Divergence and overflow are outcomes, not errors: no floating-point warning
    escapes. Orbits whose fate is decided leave the batch, so converged and
    diverged points cost nothing afterwards.
    """
    map = at_step(map, eta)
    steps = check_int("steps", steps, minimum=1)
    check_every = check_int("check_every", check_every, minimum=1)
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
    if not isinstance(stability, (bool, np.bool_)):
        raise InvalidTypeError(f"stability must be True or False, got {stability!r}")
    stability_tol = check_positive_finite("stability_tol", stability_tol)
    eta = numeric.eta
    stop = _stopping_rule(map, numeric, X, eta, tol=tol, grad_tol=grad_tol, disp_tol=disp_tol,
                          loss_tol=loss_tol, loss_min=loss_min)
    if stop.loss is not None and backend == "numba":
        raise InvalidArgumentError(
            "backend='numba' cannot test the loss: with loss_tol use backend='numpy' or 'auto'")

    engine = _pick_engine(map, backend, keep_trajectory, work=X.shape[0] * steps)
    with bar(progress, total=steps, desc="iterate", unit="step") as shown:
        # the fused kernel runs in one compiled call: nothing to report until it returns
        tick = None if engine is not run_numpy or shown.disable else lambda t: shown.update(t - shown.n)
        raw = engine(numeric, X, steps, tol=stop.atol, rtol=stop.rtol, loss_stop=stop.loss,
                     blowup=float(blowup), check_every=check_every, window=window,
                     keep_trajectory=keep_trajectory, **({} if tick is None else {"tick": tick}))
    rho = None
    if stability:
        rho = np.full(X.shape[0], np.nan)
        _check_stability(map, raw, np.flatnonzero(raw["fate"] == Fate.CONVERGED), rho, stability_tol)
        # an orbit that stalled at an unstable point before the final window goes on from there
        # (without stopping) to the last step, where its fate is decided again
        late = raw["decided_at"] > steps - window
        again = np.flatnonzero((raw["fate"] == Fate.UNSTABLE) & ~late)
        if again.size:
            alive = _resume(numeric, raw, again, steps, window=window, check_every=check_every,
                            blowup=float(blowup))
            rho[again] = np.nan
            raw["fate"][alive] = Fate.MOVING
            raw["decided_at"][alive] = -1
            if alive.size:
                done = alive[_stops(numeric, stop, raw["final"][alive], raw["displacement"][alive],
                                    alive)]
                raw["fate"][done] = Fate.CONVERGED
                raw["decided_at"][done] = steps
                _check_stability(map, raw, done, rho, stability_tol)
    return IterationResult(eta=eta, steps=steps, window=window, tol=stop.tol, blowup=float(blowup),
                           spectral_radius=rho, rule=stop.text,
                           stability_tol=stability_tol if stability else None, **raw)


def _check_stability(map, raw, ids, rho, stability_tol):
    """Orbits ``ids`` stopped: unstable where rho(Df) exceeds 1 + tol + margin (nan: not)."""
    if not ids.size:
        return
    r = spectral_radii(map, raw["final"][ids])
    rho[ids] = r
    r -= 1 + stability_tol
    margin = raw["displacement"][ids]
    margin *= STABILITY_MARGIN
    raw["fate"][ids[r > margin]] = Fate.UNSTABLE  # nan: not unstable


def _stops(numeric, stop, X, disp, ids):
    """Whether the stopping test holds at the states ``X`` of orbits ``ids``."""
    with np.errstate(all="ignore"):
        thr = stop.atol[ids]
        if stop.rtol:
            thr = thr + stop.rtol * np.linalg.norm(numeric.step(X), axis=1)
        ok = disp <= thr
        if stop.loss is not None:
            ok |= stop.loss[0](X) <= stop.loss[1][ids]
    return ok


def _resume(numeric, raw, ids, steps, *, window, check_every, blowup):
    """Run the orbits ``ids`` on from where they stalled (``decided_at``) to the last step.

    They never stop; the numpy engine runs the segments between the stall steps, all
    orbits that have stalled so far together, then the final window (which gives their
    asymptotic displacement). Fills ``raw`` for them; returns the ones that did not diverge.
    """
    # a stopped orbit's final state is x_{t-1}, the state whose step was measured at check t
    order = np.argsort(raw["decided_at"][ids], kind="stable")
    ids, join = ids[order], raw["decided_at"][ids][order] - 1
    traj = raw["trajectory"]
    active, S = ids[:0], raw["final"][ids[:0]]
    t, k, end = int(join[0]), 0, steps - window
    while True:
        new = join[k:] == t
        n_new = int(np.argmin(new)) if not new.all() else new.size
        active = np.concatenate([active, ids[k:k + n_new]])
        S = np.concatenate([S, raw["final"][ids[k:k + n_new]]])
        k += n_new
        nxt = int(join[k]) if k < ids.size else end
        if nxt > t and active.size:
            active, S = _segment(numeric, raw, active, S, t, nxt - t, 1, check_every, blowup, traj)
        t = nxt
        if k >= ids.size:
            break
    if active.size:
        active, S = _segment(numeric, raw, active, S, end, window, window, check_every, blowup, traj)
    return active


def _segment(numeric, raw, active, S, t, n, window, check_every, blowup, traj):
    from gdmaps.engines import run_numpy

    r = run_numpy(numeric, S, n, tol=-1.0, blowup=blowup, check_every=check_every, window=window,
                  keep_trajectory=traj is not None)
    dead = r["fate"] == Fate.DIVERGED
    raw["final"][active] = r["final"]
    raw["displacement"][active] = r["displacement"]
    raw["asymptotic_displacement"][active] = r["asymptotic_displacement"]
    raw["fate"][active[dead]] = Fate.DIVERGED
    raw["decided_at"][active[dead]] = t + r["decided_at"][dead]
    if traj is not None:
        traj[t + 1:t + n + 1, active] = r["trajectory"][1:]
    return active[~dead], r["final"][~dead]


@dataclass(frozen=True)
class _Stop:
    atol: np.ndarray   # (N,) displacement tolerances; -1: no displacement test
    rtol: float        # times ||f(x)||, added to atol
    loss: tuple | None  # (batched loss, (N,) values) or None
    tol: float
    text: str


def _stopping_rule(map, numeric, X, eta, *, tol, grad_tol, disp_tol, loss_tol, loss_min):
    """The per-orbit stopping test of :func:`iterate` (see its Notes)."""
    network = getattr(map, "network", None) is not None
    tol = (NETWORK_TOL if network else DEFAULT_TOL) if tol is None else check_positive_finite("tol", tol)
    N = X.shape[0]
    if grad_tol is not None:
        grad_tol = check_positive_finite("grad_tol", grad_tol)
        if eta is None:
            raise InvalidArgumentError("grad_tol tests the gradient of a GD map; this map has no"
                                       " step size: use disp_tol or tol")
    if disp_tol is not None:
        disp_tol = check_positive_finite("disp_tol", disp_tol)
    if (loss_tol is None) != (loss_min is None):
        raise InvalidArgumentError(
            "loss_tol and loss_min go together: stop where L(x) - loss_min <= loss_tol; give"
            f" both (e.g. loss_min=0, loss_tol=1e-8), got loss_tol={loss_tol!r}, loss_min={loss_min!r}")
    loss = None
    if loss_tol is not None:
        loss_tol = check_positive_finite("loss_tol", loss_tol)
        if isinstance(loss_min, bool) or not isinstance(loss_min, (int, float, np.floating, np.integer)) \
                or not np.isfinite(loss_min):
            raise InvalidArgumentError(f"loss_min must be a finite number, got {loss_min!r}")
        if eta is None or not numeric.supports("loss"):
            raise InvalidArgumentError("loss_tol tests the loss of a GD map; this map has none:"
                                       " use disp_tol or tol")
        loss = (numeric.loss, np.full(N, float(loss_min) + loss_tol))
    loss_words = [f"L(x) - {loss_min:g} <= {loss_tol:g}"] if loss is not None else []
    if grad_tol is None and disp_tol is None:
        if eta is None:
            return _Stop(np.full(N, tol), tol, None, tol,
                         f"||f(x) - x|| <= {tol:g} (1 + ||f(x)||)")
        with np.errstate(all="ignore"):
            g0 = np.linalg.norm(numeric.step(X) - X, axis=1) / eta
        scale = np.where(np.isfinite(g0), np.maximum(g0, 1.0), 1.0)
        return _Stop(eta * tol * scale, 0.0, loss, tol,
                     " or ".join([f"||grad L(x)|| <= {tol:g} max(1, ||grad L(x0)||)"] + loss_words))
    atol = max(eta * grad_tol if grad_tol is not None else -1.0,
               disp_tol if disp_tol is not None else -1.0)
    words = ([f"||grad L(x)|| <= {grad_tol:g}"] if grad_tol is not None else []) + (
        [f"||f(x) - x|| <= {disp_tol:g}"] if disp_tol is not None else []) + loss_words
    return _Stop(np.full(N, atol), 0.0, loss, tol, " or ".join(words))


def _numeric_of(map):
    return check_map(map, what="a gdmaps Map or GDMap").numeric


def _pick_engine(map, backend, keep_trajectory, *, work):
    import gdmaps.engines as engines

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
