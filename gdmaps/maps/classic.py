"""Classic maps with published dynamics, used to validate the generic algorithms.

Each builder returns a :class:`gdmaps.Map` whose template keeps the parameters
as symbols with their values bound, so ``.subs(a=...)`` rebinds a value without
recompiling.
"""

from __future__ import annotations

import inspect

import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, check_choice
from gdmaps.core.map import Map
from gdmaps.core.symbols import finite_real

__all__ = ["NAMES", "by_name", "henon", "ikeda", "logistic", "standard"]

_x, _y, _theta, _p = sp.symbols("x y theta p")
_r, _a, _b, _k, _u = sp.symbols("r a b k u")


def logistic(r) -> Map:
    """The logistic map ``x -> r x (1 - x)``.

    Parameters
    ----------
    r : finite real
        The growth rate; the classic range is ``0 <= r <= 4``.

    Returns
    -------
    Map
        A one-dimensional map with state ``(x,)`` and parameter ``r`` bound.

    Notes
    -----
    f(x) = r x (1 - x). The fixed points are 0 and 1 - 1/r; the period-2 orbit
    x = (r + 1 +- sqrt((r - 3)(r + 1))) / (2 r) is born at r = 3, and the
    period-doubling cascade accumulates at r = 3.5699456... (May, Nature 261,
    459-467, 1976; Feigenbaum, J. Stat. Phys. 19, 25-52, 1978).

    Examples
    --------
    >>> m = logistic(3.5)
    >>> m
    Map(x -> 7*x*(1 - x)/2)
    >>> m([0.5])
    array([0.875])
    >>> m.subs(r=4)([0.25])
    array([0.75])
    """
    return Map([_r * _x * (1 - _x)], [_x], {_r: finite_real("r", r)})


def henon(a=1.4, b=0.3) -> Map:
    """The Henon map ``(x, y) -> (1 - a x^2 + y, b x)``.

    Parameters
    ----------
    a, b : finite real
        The parameters; the defaults give Henon's strange attractor.

    Returns
    -------
    Map
        A two-dimensional map with state ``(x, y)`` and parameters ``a, b`` bound.

    Notes
    -----
    f(x, y) = (1 - a x^2 + y, b x), with Jacobian determinant -b everywhere.
    For a != 0 the fixed points are y = b x with
    x = (-(1 - b) +- sqrt((1 - b)^2 + 4 a)) / (2 a), real when (1 - b)^2 + 4 a >= 0.
    (Henon, Commun. Math. Phys. 50, 69-77, 1976.)

    Examples
    --------
    >>> m = henon()
    >>> m
    Map(x -> -7*x**2/5 + y + 1, y -> 3*x/10)
    >>> m([[0.0, 0.0], [1.0, 1.0]])
    array([[1. , 0. ],
           [0.6, 0.3]])
    >>> m.jacobian().det()
    -3/10
    """
    return Map([1 - _a * _x**2 + _y, _b * _x], [_x, _y],
               {_a: finite_real("a", a), _b: finite_real("b", b)})


def standard(k) -> Map:
    """The Chirikov standard map on the torus lift, state ``(theta, p)``.

    Parameters
    ----------
    k : finite real
        The kick strength K.

    Returns
    -------
    Map
        A two-dimensional map with state ``(theta, p)`` and parameter ``k`` bound.

    Notes
    -----
    p' = p + k sin(theta), theta' = theta + p' (Chirikov's convention: the kick
    first, then the drift with the new momentum). The state order is
    ``(theta, p)``. The map acts on the lift R^2 and is **not** reduced mod 2 pi:
    momentum grows along diffusing orbits, and winding numbers can be read off
    theta directly; reduce with ``np.mod(X, 2*np.pi)`` for a phase portrait on
    the torus. It preserves area: det Df = 1 for every k.

    The last invariant (golden-mean KAM) circle breaks at k = 0.971635...
    (Greene, J. Math. Phys. 20, 1183-1201, 1979; his map is this one rescaled to
    the unit square, with the same K); above it momentum diffuses without
    bound (Chirikov, Phys. Rep. 52, 263-379, 1979).

    Examples
    --------
    >>> m = standard(0.971635)
    >>> m.state
    (theta, p)
    >>> m.subs(k=1)([1.0, 0.0])
    array([1.84147098, 0.84147098])
    >>> m.jacobian().det().simplify()
    1
    """
    kick = _p + _k * sp.sin(_theta)
    return Map([_theta + kick, kick], [_theta, _p], {_k: finite_real("k", k)})


def ikeda(u) -> Map:
    """The Ikeda map of a laser in a nonlinear optical ring cavity.

    Parameters
    ----------
    u : finite real
        The dissipation parameter; ``u = 0.9`` gives the classic chaotic attractor.

    Returns
    -------
    Map
        A two-dimensional map with state ``(x, y)`` and parameter ``u`` bound.

    Notes
    -----
    x' = 1 + u (x cos t - y sin t), y' = u (x sin t + y cos t), with
    t = 0.4 - 6 / (1 + x^2 + y^2): the real form of z' = 1 + u z exp(i t) with
    z = x + i y (Ikeda, Opt. Commun. 30, 257-261, 1979; this form: Hammel,
    Jones & Moloney, J. Opt. Soc. Am. B 2, 552-564, 1985). The constants 0.4 and
    6 are exact (2/5 and 6).

    Examples
    --------
    >>> m = ikeda(0.9)
    >>> m([0.0, 0.0])
    array([1., 0.])
    >>> m([1.0, 0.0])
    array([ 0.22880012, -0.46395123])
    """
    t = sp.Rational(2, 5) - 6 / (1 + _x**2 + _y**2)
    c, s = sp.cos(t), sp.sin(t)
    return Map([1 + _u * (_x * c - _y * s), _u * (_x * s + _y * c)], [_x, _y],
               {_u: finite_real("u", u)})


BUILDERS = {"logistic": logistic, "henon": henon, "standard": standard, "ikeda": ikeda}

#: The names :func:`by_name` knows.
NAMES = tuple(BUILDERS)


def by_name(name, **params) -> Map:
    """A built-in map by name, e.g. ``by_name("henon", a=1.2)``.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`: ``"logistic"``, ``"henon"``, ``"standard"``, ``"ikeda"``.
    **params : finite real
        The parameter values, by name, as the builder takes them.

    Returns
    -------
    Map

    Raises
    ------
    InvalidArgumentError
        For an unknown name, an unknown parameter or a missing one.

    Examples
    --------
    >>> by_name("henon", b=0.2)
    Map(x -> -7*x**2/5 + y + 1, y -> x/5)
    >>> by_name("logistic", r=4)([0.5])
    array([1.])
    """
    builder = BUILDERS[check_choice("name", name, NAMES)]
    signature = inspect.signature(builder)
    takes = signature.parameters
    unknown = [p for p in params if p not in takes]
    missing = [p for p, s in takes.items() if s.default is s.empty and p not in params]
    if unknown or missing:
        problem = (f"got unknown parameters {', '.join(unknown)}" if unknown
                   else f"is missing the parameters {', '.join(missing)}")
        raise InvalidArgumentError(
            f"by_name({name!r}) {problem}; it takes"
            f" {name}{signature.replace(return_annotation=signature.empty)}"
        )
    return builder(**params)
