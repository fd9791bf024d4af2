"""What the explorer studies: a map, the parameter its slider moves, and the boxes it draws.

Pure Python and numpy: no web library is imported here.
"""

from __future__ import annotations

import concurrent.futures
import math
from dataclasses import dataclass

import numpy as np

from gdmaps.core.errors import GdmapsError, InvalidArgumentError
from gdmaps.core.gd import GDMap
from gdmaps.core.losses import loss_from_text
from gdmaps.core.map import Map
from gdmaps.core.results import Result
from gdmaps.core.samplers import search_box

__all__ = ["Target", "target_from", "RequestTooLarge", "LIMITS", "check_request", "DEFAULT_LOSS"]

#: The example the explorer opens on: eta* = 1.
DEFAULT_LOSS = "(a*b - 1)**2/2"

#: Work one request may ask for; a larger one is refused with the limit stated.
LIMITS = {
    "fate_points": 1_000_000,       # starts of one fate map (resolution ** 2)
    "diagram_points": 20_000_000,   # points of one orbit diagram (values * starts * keep)
    "evaluations": 2_000_000_000,   # map evaluations of one request (orbits x steps)
}

#: Built-in maps: (builder, varied parameter, its default span, starting value, box).
_BUILTIN = {
    "logistic": ("r", (2.5, 4.0), 3.5, [[0.0, 1.0]]),
    "henon": ("a", (1.0, 1.4), 1.4, [[-2.0, 2.0], [-2.0, 2.0]]),
    "standard": ("k", (0.0, 2.0), 0.9, [[0.0, 2 * math.pi], [0.0, 2 * math.pi]]),
    "ikeda": ("u", (0.5, 0.95), 0.9, [[-1.0, 3.0], [-3.0, 2.0]]),
}

#: Seconds the explorer waits for an exact eta* before it places the slider by sharpness.
ETA_STAR_WAIT = 8.0


class RequestTooLarge(GdmapsError):
    """A request past one of :data:`LIMITS`; the message names the limit."""


def check_request(name, asked, what) -> None:
    """Refuse ``asked`` units of ``LIMITS[name]`` when over the limit, saying what to lower.

    Examples
    --------
    >>> check_request("fate_points", 10**5, "resolution 317")
    >>> check_request("fate_points", 10**8, "resolution 10000")
    Traceback (most recent call last):
    ...
    gdmaps.explore.state.RequestTooLarge: resolution 10000 asks for 100,000,000 fate_points; the limit
    is 1,000,000: ask for less
    """
    limit = LIMITS[name]
    if asked > limit:
        raise RequestTooLarge(f"{what} asks for {asked:,} {name}; the limit is {limit:,}: ask for less")


@dataclass(frozen=True, eq=False)
class Target(Result):
    """A map and the parameter the explorer's slider moves.

    Attributes
    ----------
    map : GDMap or Map
        For a GD map the step size stays free; a plain map has every parameter bound (the
        varied one at ``value``).
    parameter : str
        ``"eta"`` for a GD map, else the name of the map's parameter that moves.
    span : tuple of two float
        The parameter range of the orbit diagram and the slider.
    value : float
        Where the slider starts.
    box : ndarray (d, 2)
        The box of initializations (fate map, orbit-diagram starts).
    source : str
        Python that rebuilds the map (for exported snippets).
    eta_star : CriticalLearningRate or None
        eta* of a GD map, when it was found in time.
    """

    map: object
    parameter: str
    span: tuple
    value: float
    box: np.ndarray
    source: str
    eta_star: object = None

    @property
    def is_gd(self) -> bool:
        return isinstance(self.map, GDMap)

    @property
    def dim(self) -> int:
        return self.map.dim

    @property
    def names(self) -> tuple:
        return tuple(str(s) for s in self.map.state)

    def at(self, value):
        """The map with the slider's parameter bound to ``value``."""
        if self.is_gd:
            return self.map.at(float(value))
        return self.map.subs(**{self.parameter: float(value)})

    def eta_star_bracket(self):
        """(lower, upper) of eta* as floats (equal when known exactly or estimated), or None."""
        c = self.eta_star
        if c is None:
            return None
        lo = c.certified_lower if c.certified_lower is not None else float(c.eta_star)
        hi = c.certified_upper if c.certified_upper is not None else float(c.eta_star)
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= 0:
            return None
        return float(lo), float(hi)

    def __repr__(self) -> str:
        return (f"<Target: {self.source}, {self.parameter} in [{self.span[0]:g}, {self.span[1]:g}],"
                f" starting at {self.value:g}>")


def _eta_star(gdmap):
    """eta* if it comes within ETA_STAR_WAIT seconds, else None (the search goes on unseen)."""
    from gdmaps.certify.critical import critical_learning_rate

    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        return pool.submit(critical_learning_rate, gdmap).result(timeout=ETA_STAR_WAIT)
    except (concurrent.futures.TimeoutError, GdmapsError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _reference_eta(gdmap, box):
    """2 / the median sharpness over random points of the box: a step size of the right scale."""
    from gdmaps.core.compile import lambdify_rows

    H = gdmap.hessian()
    f = lambdify_rows(gdmap.state, list(H))
    X = np.random.default_rng(0).uniform(box[:, 0], box[:, 1], size=(256, gdmap.dim)).T
    d = gdmap.dim
    rows = [np.broadcast_to(np.asarray(r, dtype=float), X.shape[1:]) for r in f(*X)]
    M = np.stack(rows, axis=-1).reshape(-1, d, d)
    with np.errstate(all="ignore"):
        lam = np.linalg.eigvalsh(M[np.isfinite(M).all(axis=(1, 2))])[:, -1]
    lam = lam[lam > 0]
    return 2.0 / float(np.median(lam)) if lam.size else 1.0


def _box(region, d, default):
    return search_box(default if region is None else region, d).astype(float)


def target_from(obj=None, *, loss=None, map=None, model=None, params=None, parameter=None, span=None,
                value=None, region=None) -> Target:
    """The explorer's target from a map object, a typed loss or map, or a model name.

    Parameters
    ----------
    obj : GDMap or Map, optional
        A map built in Python.
    loss, map : str, keyword-only
        A loss or a map typed as text (read by the whitelist parser, never run), or for
        ``map`` a built-in name (logistic, henon, standard, ikeda).
    model : str, keyword-only
        ``"scalar_chain"`` or ``"relu_example"``, with options in ``params``.
    params : dict, keyword-only
        Values of a typed map's or a built-in map's parameters, or the model's options.
    parameter : str, keyword-only
        The parameter the slider moves (default eta, or the map's only or first parameter).
    span : (lo, hi), keyword-only
        Its range (default around eta* for GD maps).
    value : float, keyword-only
        Where the slider starts (default the middle of ``span`` for GD, the map's value).
    region : number or box, keyword-only
        The box of initializations (default [-2, 2]^d).

    Examples
    --------
    >>> t = target_from(loss="(a*b - 1)^2/2")
    >>> t.parameter, t.span, float(t.eta_star.eta_star)
    ('eta', (0.25, 1.5), 1.0)
    >>> target_from(map="logistic").span
    (2.5, 4.0)
    """
    given = [x is not None for x in (obj, loss, map, model)]
    if sum(given) > 1:
        raise InvalidArgumentError("give one of obj, loss, map and model, not several")
    params = dict(params or {})
    box_default, source = 2.0, None
    if obj is None and map is None and model is None:
        loss = DEFAULT_LOSS if loss is None else loss
        obj = loss_from_text(loss)
        source = f"gdmaps.loss_from_text({loss!r})"
    elif model is not None:
        from gdmaps import models

        builders = {"scalar_chain": models.scalar_chain, "relu_example": models.relu_example}
        if model not in builders:
            raise InvalidArgumentError(f"model must be one of {', '.join(builders)}, got {model!r}")
        obj = builders[model](**params)
        source = f"gdmaps.models.{model}({', '.join(f'{k}={v!r}' for k, v in params.items())})"
    elif map is not None:
        from gdmaps import maps

        if map in _BUILTIN:
            name, span0, value0, box_default = _BUILTIN[map]
            parameter = parameter or name
            bind = {name: value0, **params}
            obj = getattr(maps, map)(**{k: v for k, v in bind.items()
                                          if k in maps.classic.BUILDERS[map].__code__.co_varnames})
            span = span or (span0 if parameter == name else None)
            value = value if value is not None else (bind.get(parameter))
            source = f"gdmaps.maps.{map}({', '.join(f'{k}={v!r}' for k, v in bind.items())})"
        else:
            obj = maps.from_text(map, params or None)
            source = f"gdmaps.maps.from_text({map!r}{', ' + repr(params) if params else ''})"
    if source is None:
        source = repr(obj)
    if not isinstance(obj, Map):
        raise InvalidArgumentError(f"obj must be a GDMap or a Map, got {type(obj).__name__}")
    box = _box(region, obj.dim, box_default)
    if isinstance(obj, GDMap):
        if obj.free_parameters and obj.free_parameters != (obj.eta,):
            names = ", ".join(str(p) for p in obj.free_parameters if p != obj.eta)
            raise InvalidArgumentError(f"the loss has parameters without values ({names}): give them"
                                       " after the loss, e.g. '(a*b - y)^2/2; y = 2'")
        gd = obj.subs(eta=obj.eta) if obj.eta.is_number else obj  # the slider owns eta
        crit = _eta_star(gd)
        ref = None
        if crit is not None:
            ref = float(crit.certified_upper or crit.eta_star)
        if ref is None or not math.isfinite(ref) or ref <= 0:
            ref = _reference_eta(gd, box)
        span = tuple(float(s) for s in (span or (round(0.25 * ref, 12), round(1.5 * ref, 12))))
        value = float(value if value is not None else 0.5 * ref)
        return Target(gd, "eta", span, value, box, source, crit)
    names = [p.name for p in obj.parameters]
    if not names:
        raise InvalidArgumentError("the map has no parameter for the slider to move: type one, e.g."
                                   " 'x: r*x*(1 - x); r = 3.5'")
    parameter = parameter or names[0]
    if parameter not in names:
        raise InvalidArgumentError(f"parameter must be one of {', '.join(names)}, got {parameter!r}")
    if obj.free_parameters:
        free = ", ".join(str(p) for p in obj.free_parameters)
        raise InvalidArgumentError(f"the map has parameters without values ({free}): give them,"
                                   " e.g. 'x: r*x*(1 - x); r = 3.5'")
    current = float(next(v for p, v in obj.values.items() if p.name == parameter))
    value = float(current if value is None else value)
    if span is None:
        half = max(abs(value) * 0.5, 0.5)
        span = (value - half, value + half)
    return Target(obj, parameter, tuple(float(s) for s in span), value, box, source)
