"""The main job as one library call: a loss in, every analysis of it out, as typed results.

:func:`analyze` runs the whole pipeline (the critical set, eta*, certificates on both sides of
it, fates per step size, the phase-transition sweep, fate maps, the dimension of the
convergent set, the orbit diagram and Lyapunov exponents) and returns an :class:`Analysis`
holding each part's result object. A part that is not computed holds a :class:`Skipped` that
says why. The command line (``gdmaps analyze``) only parses, calls :func:`analyze` and renders.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from gdmaps.core.errors import GdmapsError, InvalidArgumentError, InvalidTypeError
from gdmaps.core.errors import check_choice, check_int, check_positive_finite
from gdmaps.core.gd import GDMap
from gdmaps.analysis.parts import (CERTIFY_AT, DIAGRAM_GRID, FRACTIONS, MAX_DIM_CRITICAL_RATE,
                                   MAX_DIM_CRITICAL_SET, PARTS, SWEEP_GRID, Skipped)
from gdmaps.core.progress import bar
from gdmaps.core.results import Result, jsonable
from gdmaps.core.samplers import SAMPLERS, sample, search_box

__all__ = ["Analysis", "Skipped", "analyze", "PARTS", "FRACTIONS"]


@dataclass(frozen=True, repr=False, eq=False)
class Analysis(Result):
    """Everything :func:`analyze` found about one loss; each part a result or a :class:`Skipped`.

    Attributes
    ----------
    gdmap : GDMap
        The GD map, its step size still a symbol.
    jacobian : sympy Matrix
        ``DG = I - eta H``.
    critical_set : FixedPoints or Skipped
        The exact fixed points of the GD map, that is the critical points of L.
    critical_rate : CriticalLearningRate or Skipped
        eta* with its exactness (or certified bracket) and argument.
    eta_reference : float or None
        The step size the grids are placed around: eta* when it is finite and positive, else
        2 / (median of lambda_max(H) over the starts); None when neither exists.
    reference : str
        Where ``eta_reference`` comes from, in words.
    certificates : tuple of (Certificate or Skipped), or Skipped
        The measure-zero certificates at 0.9 eta* and 1.1 eta*.
    fates : tuple of IterationResult, or Skipped
        The fates of the same starts at each step size of ``etas``.
    sweep : Sweep or Skipped
        Convergent fraction and asymptotic gradient norm from 0.5 eta* to 1.5 eta*.
    fate_maps : tuple of FateMap, or Skipped
        The fate of GD from a grid on a 2-D slice, at 0.9 eta* and 1.1 eta*.
    dimension : SetDimension or Skipped
        The dimension of the set of starts that converge, at 1.1 eta*.
    orbit_diagram : OrbitDiagram or Skipped
        Orbits from eta*/2 to 2 eta*.
    lyapunov : LyapunovSpectrum or Skipped
        Lyapunov exponents of one bounded orbit per step size of the orbit diagram.
    settings : dict
        The knobs the analysis ran with.
    """

    gdmap: GDMap
    jacobian: sp.Matrix
    critical_set: object
    critical_rate: object
    eta_reference: float | None
    reference: str
    certificates: object
    etas: tuple
    fates: object
    sweep: object
    fate_maps: object
    dimension: object
    orbit_diagram: object
    lyapunov: object
    settings: dict = field(default_factory=dict)

    @property
    def eta_star(self):
        """eta* (exact or estimated), or None when it was not found."""
        return None if isinstance(self.critical_rate, Skipped) else self.critical_rate.eta_star

    @property
    def chaos_onset(self) -> float | None:
        """The first step size of the orbit diagram whose largest Lyapunov exponent is positive
        beyond noise, or None (none is, or the exponents were not computed)."""
        lam = self.lyapunov
        if isinstance(lam, Skipped) or lam.values is None:
            return None
        chaos = lam.chaotic & ~lam.diverged
        return float(lam.values[np.argmax(chaos)]) if chaos.any() else None

    @property
    def skipped(self) -> dict:
        """``{part: reason}`` for every part not computed."""
        out = {}
        for name in PARTS:
            value = getattr(self, name)
            if isinstance(value, Skipped):
                out[name] = value.reason
            elif isinstance(value, tuple):
                out.update({f"{name}[{i}]": v.reason for i, v in enumerate(value) if isinstance(v, Skipped)})
        return out

    def to_dict(self) -> dict:
        """Every number the report shows, JSON-safe. The arrays behind the figures (orbit
        points, fate grids, Lyapunov histories) stay on the parts: ``analysis.orbit_diagram``."""
        g = self.gdmap
        return {
            "loss": str(g.loss) if g.symbolic else g.describe(), "params": [str(s) for s in g.state],
            "map": [str(e) for e in g.exprs] if g.symbolic else None,
            "jacobian": None if self.jacobian is None else [[str(v) for v in row]
                                                            for row in self.jacobian.tolist()],
            "critical_set": jsonable(self.critical_set),
            "critical_rate": jsonable(self.critical_rate),
            "eta_reference": self.eta_reference, "reference": self.reference,
            "certificates": jsonable(self.certificates),
            "etas": list(self.etas),
            "fates": _each(self.fates, lambda r: r.summary()),
            "sweep": jsonable(self.sweep),
            "fate_maps": _each(self.fate_maps, lambda m: m.summary()),
            "dimension": jsonable(self.dimension),
            "orbit_diagram": _each(self.orbit_diagram, _diagram_summary),
            "lyapunov": _each(self.lyapunov, _lyapunov_summary),
            "chaos_onset": self.chaos_onset,
            "settings": jsonable(self.settings),
            "skipped": self.skipped,
        }

    def to_markdown(self, figures=None) -> str:
        """The report as Markdown with LaTeX; ``figures`` maps a figure name to its file."""
        from gdmaps.analysis.report import to_markdown

        return to_markdown(self, figures=figures)

    def __str__(self) -> str:
        from gdmaps.analysis.report import to_text

        return to_text(self)

    def latex(self) -> str:
        """The GD map and its Jacobian DG = I - eta H, exactly."""
        g = self.gdmap
        if self.jacobian is None:
            return None  # a network by backprop: no formula
        return (r"G_\eta: " + sp.latex(sp.Matrix(g.state)) + r" \mapsto " + sp.latex(g.as_matrix())
                + r",\qquad DG_\eta = " + sp.latex(self.jacobian))

    def __repr__(self) -> str:
        star = self.eta_star
        star = "not found" if star is None else str(star)
        done = sum(1 for p in PARTS if not isinstance(getattr(self, p), Skipped))
        return f"<Analysis of {self.gdmap.describe()}: eta* = {star}; {done} of {len(PARTS)} parts computed>"


def _each(part, summarize):
    if isinstance(part, Skipped):
        return part.to_dict()
    if isinstance(part, tuple):
        return [v.to_dict() if isinstance(v, Skipped) else summarize(v) for v in part]
    return summarize(part)


def _diagram_summary(d) -> dict:
    P, n = d.diverged.shape
    return {"parameter": d.parameter, "values": [float(d.values.min()), float(d.values.max()), P],
            "starts": n, "transient": d.transient, "keep": d.keep, "seed": d.seed,
            "diverged": int(d.diverged.sum())}


def _lyapunov_summary(lam) -> dict:
    data = lam.to_dict()
    data.pop("history")
    return data


class _Clock:
    """Times the parts; a progress bar over them (see :mod:`gdmaps.core.progress`), or a line
    per part to a callable ``progress``."""

    def __init__(self, progress):
        self.progress = progress
        self.seconds = {}
        self.bar = bar(False if callable(progress) else progress, total=len(PARTS), desc="analyze",
                       unit="part")

    def run(self, name, skip, func):
        if name in skip:
            return Skipped(name, f"skipped on request (skip={name!r})")
        start = time.perf_counter()
        try:
            with np.errstate(all="ignore"):  # overflow on the way is an outcome the parts classify
                value = func()
        except GdmapsError as err:
            value = Skipped(name, " ".join(str(err).split()))
        self.seconds[name] = time.perf_counter() - start
        what = "skipped" if isinstance(value, Skipped) else "done"
        if callable(self.progress):
            self.progress(f"gdmaps.analyze: {name} {what} ({self.seconds[name]:.1f} s)")
        self.bar.set_postfix_str(f"{name} {what}")
        self.bar.update(1)
        return value


def _as_gdmap(loss_or_model, params):
    from gdmaps.core.losses import loss_from_text

    if isinstance(loss_or_model, str):
        return loss_from_text(loss_or_model, params)
    if isinstance(loss_or_model, GDMap):
        if params is not None:
            raise InvalidArgumentError("params goes with a loss given as text or an expression;"
                                       " a GDMap has its parameters already: leave params out")
        return loss_or_model
    if isinstance(loss_or_model, sp.Expr):
        if params is None:
            params = sorted(loss_or_model.free_symbols, key=lambda s: s.name)
        return GDMap(loss_or_model, params)
    raise InvalidTypeError("loss_or_model must be a GDMap (e.g. gdmaps.models.scalar_chain(3, 1)), a"
                           f" SymPy expression or loss text such as '(a*b - 1)**2/2', got"
                           f" {type(loss_or_model).__name__}")


#: Smaller fixed sizes of the parts for a network evaluated by backpropagation
#: (``gdmap.symbolic`` False), where each step is a pass over the data: fate maps of at most
#: 41 x 41 points, an orbit diagram of 30 step sizes x 10 starts after 200 steps, Lyapunov
#: spectra over 200 steps after 100.
NETWORK = {"resolution": 41, "diagram": (0.5, 2.0, 30), "diagram_starts": 10, "transient": 200,
           "lyapunov_steps": 200, "lyapunov_transient": 100}


def analyze(loss_or_model, params=None, *, etas=None, starts=1000, steps=1000, seed=0,
            init="normal", region=1.0, box=None, resolution=201, skip=(), progress=None) -> Analysis:
    """Run the whole main job on one loss and return every result.

    Parameters
    ----------
    loss_or_model : GDMap, SymPy expression or str
        A GD map (``gdmaps.models.scalar_chain(3, 1)``, ``GDMap(loss, params)``), a loss, or
        loss text read by the whitelist parser (``"(a*b - 1)**2/2"``).
    params : list of symbols or names, optional
        The trainable parameters of a loss (default: every symbol of it).
    etas : list of float, keyword-only
        The step sizes of the table of fates (default: 0.25, 0.5, 0.9, 1.1 and 1.5 times eta*).
    starts : int, keyword-only
        Initial points of the table of fates and of each step size of the sweep.
    steps : int, keyword-only
        Steps per orbit (table, sweep, fate maps).
    seed : int, keyword-only
    init : {"normal", "uniform"}, keyword-only
        The distribution of the initial points: N(centre, half-width^2) of ``region``, or
        uniform in it.
    region : number or array (d, 2), keyword-only
        The initial points' region: r for [-r, r]^d, or a box.
    box : number or array (d, 2), keyword-only
        The box of the fate maps, the dimension and the orbit diagram (default: [-2, 2]^d,
        widened to hold the critical points found).
    resolution : int, keyword-only
        Grid points per axis of the fate maps.
    skip : iterable of str, keyword-only
        Parts not to compute, from :data:`PARTS`; each is kept as a :class:`Skipped`.
    progress : bool, None or callable, keyword-only
        A progress bar over the parts on stderr (None: when stderr is a terminal), or a
        callable given one line per part as it finishes.

    Returns
    -------
    Analysis

    Notes
    -----
    The GD map is ``G(theta) = theta - eta grad L(theta)`` with Jacobian ``I - eta H``; its
    fixed points are the critical points of L for every eta. eta* = 2 / s_min with s_min the
    least lambda_max(H) over the global minima: past it every minimum is linearly unstable
    and GD converges from a null set of starts. The step sizes of the table, the sweep, the
    fate maps and the orbit diagram are fractions of eta* (of the reference step size when
    eta* is not finite), so the report adapts to the loss.

    Examples
    --------
    >>> result = analyze("(a*b - 1)**2/2", starts=200, skip=("dimension", "orbit_diagram"),
    ...                  resolution=21)
    >>> result.eta_star, result.certificates[1].status.value
    (1, 'holds')
    >>> [r.counts["converged"] > 0 for r in result.fates]
    [True, True, True, False, False]
    """
    gdmap = _as_gdmap(loss_or_model, params)
    free = [p.name for p in gdmap.free_parameters if p.name != "eta"]
    if free:
        raise InvalidArgumentError(f"the parameters {', '.join(free)} of the loss have no value; bind"
                                   f" them first, e.g. gdmap.subs({free[0]}=1)")
    if not any(p.name == "eta" for p in gdmap.free_parameters):
        raise InvalidArgumentError(f"analyze studies every step size, but this GD map has eta = {gdmap.eta}"
                                   " fixed; pass the map before .at(eta)")
    starts, steps = check_int("starts", starts, minimum=1), check_int("steps", steps, minimum=1)
    seed, resolution = check_int("seed", seed), check_int("resolution", resolution, minimum=2)
    init = check_choice("init", init, SAMPLERS)
    skip = tuple(skip)
    unknown = [s for s in skip if s not in PARTS]
    if unknown:
        raise InvalidArgumentError(f"skip must name parts among {', '.join(PARTS)}, got {unknown[0]!r}")
    if etas is not None:
        etas = tuple(check_positive_finite("etas", e) for e in np.atleast_1d(np.asarray(etas, dtype=float)))
    d = gdmap.dim
    x0 = sample(init, starts, d, region=region, seed=seed)
    clock = _Clock(progress)
    diagram_grid, scale = DIAGRAM_GRID, {}
    if not gdmap.symbolic:  # a network by backprop: each step costs a pass over the data
        resolution = min(resolution, NETWORK["resolution"])
        diagram_grid, scale = NETWORK["diagram"], NETWORK

    critical_set = clock.run("critical_set", skip, lambda: _critical_set(gdmap))
    rate = clock.run("critical_rate", skip, lambda: _critical_rate(gdmap))
    eta_ref, reference = _reference(gdmap, rate, x0)
    star = _finite_star(rate)
    certificates = clock.run("certificates", skip, lambda: _certificates(gdmap, rate))
    if etas is None:
        etas = tuple(float(f * eta_ref) for f in FRACTIONS) if eta_ref else ()
    fates = clock.run("fates", skip, lambda: _fates(gdmap, etas, x0, steps, reference))
    sweep = clock.run("sweep", skip, lambda: _sweep(gdmap, eta_ref, star, starts, steps, seed, init,
                                                    region, reference))
    box = _box(gdmap, box, critical_set, rate)
    fate_maps = clock.run("fate_maps", skip, lambda: _fate_maps(gdmap, eta_ref, box, rate, resolution,
                                                                steps, reference))
    dimension = clock.run("dimension", skip, lambda: _dimension(gdmap, star, box, seed, rate))
    diagram = clock.run("orbit_diagram", skip, lambda: _orbit_diagram(gdmap, eta_ref, box, seed,
                                                                      reference, diagram_grid, scale))
    lyapunov = clock.run("lyapunov", skip, lambda: _lyapunov(gdmap, diagram, scale))
    clock.bar.close()
    settings = {"starts": starts, "steps": steps, "seed": seed, "init": init,
                "region": jsonable(search_box(region, d)), "box": jsonable(box),
                "resolution": resolution, "skip": list(skip),
                "fractions": list(FRACTIONS), "sweep": list(SWEEP_GRID), "diagram": list(diagram_grid)}
    jacobian = gdmap.jacobian() if gdmap.symbolic else None  # a network by backprop: no formula
    return Analysis(gdmap, jacobian, critical_set, rate, eta_ref, reference, certificates,
                    tuple(etas), fates, sweep, fate_maps, dimension, diagram, lyapunov, settings)


def _critical_set(gdmap):
    """The exact critical set; for a loss that is not polynomial, a Newton search in [-2, 2]^d."""
    from gdmaps.orbits.fixed_points import fixed_points

    if not gdmap.symbolic:
        raise GdmapsError("the critical set of a network evaluated by backpropagation is not computed (no"
                          " formula; build it with symbolic=True if it is small)")
    if gdmap.dim > MAX_DIM_CRITICAL_SET:
        raise GdmapsError(f"the critical set is computed up to {MAX_DIM_CRITICAL_SET} parameters;"
                          f" this loss has {gdmap.dim}")
    try:
        return fixed_points(gdmap)
    except GdmapsError:  # not polynomial: the fixed points, the same for every eta, searched at eta = 1
        return fixed_points(gdmap.at(1), search_box(2.0, gdmap.dim), method="numeric")


def _critical_rate(gdmap):
    from gdmaps.certify.critical import critical_learning_rate

    if gdmap.dim > MAX_DIM_CRITICAL_RATE:
        raise GdmapsError(f"eta* is searched for up to {MAX_DIM_CRITICAL_RATE} parameters; this loss"
                          f" has {gdmap.dim}")
    return critical_learning_rate(gdmap)


def _finite_star(rate) -> float | None:
    """eta* as a float when it is finite and positive (exact, bracketed or estimated)."""
    if isinstance(rate, Skipped) or rate.minima_proved is False:
        return None
    try:
        value = float(rate.eta_star)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) and value > 0 else None


def _reference(gdmap, rate, x0):
    """The step size the grids are placed around, and where it comes from."""
    star = _finite_star(rate)
    if star is not None:
        return star, f"eta* ({rate.exactness.value})"
    why = "eta* was not found" if isinstance(rate, Skipped) else f"eta* = {rate.eta_star}"
    try:
        with np.errstate(all="ignore"):
            H = gdmap.numeric.hessian(x0)
            top = np.linalg.eigvalsh(H[np.isfinite(H).all(axis=(1, 2))])[:, -1]
    except (GdmapsError, np.linalg.LinAlgError, ValueError):
        top = np.array([])
    top = top[np.isfinite(top) & (top > 0)]
    if top.size:
        return 2 / float(np.median(top)), (f"2 / (median lambda_max(H) over the starts), as {why}")
    return 1.0, f"1 (a default), as {why} and H is not positive anywhere at the starts"


def _certify_eta(rate, factor):
    """The step size factor * eta*, exact when eta* is rational, else eta* rounded to 4 digits."""
    star = sp.sympify(rate.eta_star, strict=True) if not isinstance(rate.eta_star, float) else None
    if star is not None and star.is_Rational:
        return factor * star
    return sp.Rational(f"{float(factor) * float(rate.eta_star):.4g}")


def _certificates(gdmap, rate):
    from gdmaps.certify.certificate import certify_measure_zero

    if isinstance(rate, Skipped):
        raise GdmapsError(f"no eta* to certify around ({rate.reason})")
    if rate.minima_proved is False:
        raise GdmapsError("L has no global minimum, so a claim about converging to one is vacuous")
    if _finite_star(rate) is None:
        raise GdmapsError(f"eta* = {rate.eta_star}: no finite step size past which every minimum is"
                          " unstable")
    out = []
    for factor in CERTIFY_AT:
        try:
            out.append(certify_measure_zero(gdmap, eta=_certify_eta(rate, factor)))
        except GdmapsError as err:
            out.append(Skipped("certificates", f"at {float(factor):g} eta*: {err}"))
    return tuple(out)


def _fates(gdmap, etas, x0, steps, reference):
    from gdmaps.basins.iterate import iterate

    if not etas:
        raise GdmapsError(f"no step sizes: {reference}")
    return tuple(iterate(gdmap.at(eta), x0, steps) for eta in etas)


def _sweep(gdmap, eta_ref, star, starts, steps, seed, init, region, reference):
    from gdmaps.basins.sweep import sweep

    lo, hi, count = SWEEP_GRID
    return sweep(gdmap, np.linspace(lo * eta_ref, hi * eta_ref, count), progress=False, starts=starts,
                 steps=steps, seed=seed, init=init, region=region, eta_star=star)


def _box(gdmap, box, critical_set, rate):
    """[-2, 2]^d, widened (up to 100) to hold the critical points and the flattest minimum."""
    if box is not None:
        return search_box(box, gdmap.dim)
    r = 2.0
    points = [] if isinstance(rate, Skipped) or rate.minimizer is None else [rate.minimizer]
    if not isinstance(critical_set, Skipped):
        points += [p for c in critical_set.components for p in (c.points or ())]
    for p in points:
        try:
            r = max(r, 1.25 * float(np.max(np.abs(np.asarray(p, dtype=complex)).real)))
        except (TypeError, ValueError):
            continue
    return search_box(min(float(np.ceil(r)), 100.0), gdmap.dim)


def _fate_maps(gdmap, eta_ref, box, rate, resolution, steps, reference):
    from gdmaps.analysis.fate_map import fate_map

    if gdmap.dim < 2:
        raise GdmapsError("a loss of one parameter has no 2-D slice; the orbit diagram shows its orbits")
    at = None
    if gdmap.dim > 2 and not isinstance(rate, Skipped) and rate.minimizer is not None:
        try:
            point = np.asarray([float(v) for v in rate.minimizer])
            at = np.clip(point, box[:, 0], box[:, 1])
        except (TypeError, ValueError):
            at = None
    return tuple(fate_map(gdmap, box, eta=float(f) * eta_ref, at=at, resolution=resolution,
                          steps=steps) for f in CERTIFY_AT)


def _dimension(gdmap, star, box, seed, rate):
    from gdmaps.basins.dimension import convergent_set_dimension

    if star is None:
        why = rate.reason if isinstance(rate, Skipped) else f"eta* = {rate.eta_star}"
        raise GdmapsError(f"measured past eta*, and there is no finite eta* ({why})")
    return convergent_set_dimension(gdmap, box, eta=float(CERTIFY_AT[1]) * star, starts=200_000, seed=seed)


def _orbit_diagram(gdmap, eta_ref, box, seed, reference, grid=DIAGRAM_GRID, scale=None):
    from gdmaps.bifurcations.orbit_diagram import orbit_diagram

    lo, hi, count = grid
    scale = scale or {}
    return orbit_diagram(gdmap, "eta", np.linspace(lo * eta_ref, hi * eta_ref, count),
                         starts=scale.get("diagram_starts", 50), transient=scale.get("transient", 1000),
                         keep=4, region=box, seed=seed)


def _lyapunov(gdmap, diagram, scale=None):
    from gdmaps.bifurcations.lyapunov import lyapunov_spectrum

    if isinstance(diagram, Skipped):
        raise GdmapsError(f"its starts come from the orbit diagram, which was skipped ({diagram.reason})")
    bounded = ~diagram.diverged
    first = np.argmax(bounded, axis=1)
    P = len(diagram.values)
    x0 = np.nan_to_num(diagram.points[np.arange(P), first * diagram.keep], nan=0.5)
    scale = scale or {}
    return lyapunov_spectrum(gdmap, x0, scale.get("lyapunov_steps", 2000),
                             transient=scale.get("lyapunov_transient", 500), parameter="eta",
                             values=diagram.values)
