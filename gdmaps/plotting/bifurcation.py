"""Orbit (bifurcation) diagrams, with the largest Lyapunov exponent and continued branches."""

from __future__ import annotations

import matplotlib
import numpy as np
import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, check_int
from gdmaps.plotting.figures import new_axes, styled

__all__ = ["plot_orbit_diagram", "math_title"]

#: Marker of each kind of bifurcation on a continued branch.
MARKERS = {"fold": ("s", "fold"), "period-doubling": ("D", "period doubling"),
           "neimark-sacker": ("^", "Neimark-Sacker")}


def _label(name: str) -> str:
    return r"step size $\eta$" if name == "eta" else f"${sp.latex(sp.Symbol(name))}$"


def _dots(ax, diagram, coord):
    P, M, _ = diagram.points.shape
    x = np.repeat(np.asarray(diagram.values, dtype=float), M)
    y = diagram.points[:, :, coord].ravel()
    ok = np.isfinite(y)
    # dense diagrams need faint dots; a sparse one (few points per value) can be darker
    alpha = float(np.clip(8.0 / np.sqrt(max(M, 1)), 0.08, 0.8))
    ax.plot(x[ok], y[ok], ls="none", marker=".", ms=1.0, mew=0, color="k", alpha=alpha,
            rasterized=True)


#: One style for every stable branch, one muted style for every unstable one; line widths
#: are these multiples of the figure style's ``lines.linewidth``.
STABLE = {"color": "C0", "lw": 1.0, "ls": "-", "zorder": 3}
UNSTABLE = {"color": "0.55", "lw": 0.5, "ls": (0, (3, 2)), "zorder": 1.5}
#: Markers of one kind closer than this fraction of the parameter axis are thinned.
MIN_GAP = 0.02
#: Marker of each kind drawn: white face, this edge colour.
MARKER_EDGE = "C3"
#: Longest title (characters of mathtext) written out in full, and most state variables
#: named; past these :func:`math_title` names the loss or the map without its formula.
MAX_TITLE = 90
MAX_STATE = 6


def _line(style, legend=False):
    """``style`` with its width scaled to the current figure style."""
    out = dict(style, lw=style["lw"] * matplotlib.rcParams["lines.linewidth"])
    if legend:
        del out["zorder"]
    return out


def _marker_size():
    """Marker size and edge width of the bifurcation markers in the current figure style."""
    return 5 / 6 * matplotlib.rcParams["lines.markersize"], matplotlib.rcParams["lines.linewidth"]


def _symbol(name: str) -> str:
    return sp.latex(sp.Symbol(name))


def _segments(ax, v, y, stable):
    """Solid between stable points, one muted dashed style on any piece touching an unstable point."""
    stable = np.asarray(stable, dtype=bool)
    unstable = ~stable
    near = unstable.copy()
    near[1:] |= unstable[:-1]
    near[:-1] |= unstable[1:]
    if stable.any():
        ax.plot(v, np.where(stable, y, np.nan), **_line(STABLE))
    if unstable.any():
        ax.plot(v, np.where(near, y, np.nan), **_line(UNSTABLE))
    return bool(stable.any()), bool(unstable.any())


def _thin(values, min_gap):
    """Indices of the values kept and of the values dropped (sorted ascending, equal values
    (the same bifurcation of symmetric orbits) kept or dropped together): a value closer
    than ``min_gap`` to the previous distinct value is dropped, so a cascade accumulating
    at a point keeps its first, well separated, members."""
    order = np.argsort(values, kind="stable")
    keep, drop, prev, prev_kept = [], [], None, False
    for i in order:
        x = values[i]
        if prev is not None and np.isclose(x, prev, rtol=1e-10, atol=1e-12):
            (keep if prev_kept else drop).append(i)
            continue
        prev_kept = prev is None or x - prev >= min_gap
        (keep if prev_kept else drop).append(i)
        prev = x
    return keep, drop


def _overlay(ax, continuation, coord, span, parameter):
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    points, drawn = [], set()
    for br in continuation.branches:
        v = np.asarray(br.values, dtype=float)
        orbits = np.asarray(br.orbits, dtype=float)
        for j in range(orbits.shape[1]):
            has = _segments(ax, v, orbits[:, j, coord], br.stable)
            drawn.update(style for style, yes in zip(("stable", "unstable"), has) if yes)
        for bif in getattr(br, "bifurcations", ()):
            if bif.kind not in MARKERS:
                raise InvalidArgumentError(
                    f"bifurcation kind must be one of {', '.join(map(repr, MARKERS))}, got {bif.kind!r}")
            points.append(bif)
    lo, hi = span
    ms, mew = _marker_size()
    inside = [b for b in points if lo <= float(b.value) <= hi]
    seen, accumulations = [], []
    for kind, (marker, name) in MARKERS.items():
        group = [b for b in inside if b.kind == kind]
        if not group:
            continue
        seen.append(kind)
        keep, drop = _thin(np.array([float(b.value) for b in group]), MIN_GAP * (hi - lo))
        for i in keep:
            orb = np.atleast_2d(np.asarray(group[i].orbit, dtype=float))
            ax.plot(np.full(orb.shape[0], float(group[i].value)), orb[:, coord], ls="none",
                    marker=marker, ms=ms, mfc="white", mec=MARKER_EDGE, mew=mew, zorder=5)
        if drop:
            values = sorted({round(float(group[i].value), 12) for i in drop})
            last = values[-1]
            # the crowded rest: one mark under the top edge where they end
            ax.plot([last], [0.95], ls="none", marker="v", ms=ms, mfc=MARKER_EDGE, mec=MARKER_EDGE,
                    transform=blended_transform_factory(ax.transData, ax.transAxes), clip_on=False,
                    zorder=5)
            accumulations.append(
                f"{len(values)} more {name}s, to ${_symbol(parameter)} \\approx {last:.5g}$")
    handles = [Line2D([], [], label=f"{name} orbit", **_line(style, legend=True))
               for name, style in (("stable", STABLE), ("unstable", UNSTABLE)) if name in drawn]
    for kind in seen:
        marker, name = MARKERS[kind]
        handles.append(Line2D([], [], ls="none", marker=marker, ms=ms, mfc="white", mec=MARKER_EDGE,
                              mew=mew, label=name))
    for text in accumulations:
        handles.append(Line2D([], [], ls="none", marker="v", ms=ms, mfc=MARKER_EDGE, mec=MARKER_EDGE,
                              label=text))
    ax.legend(handles=handles, frameon=True, framealpha=0.9, loc="best")


def math_title(target, parameter=None) -> str:
    """A title in mathematics (matplotlib mathtext) for a map or a GD map and the parameter varied.

    Parameters
    ----------
    target : Map or GDMap
        A GD map gives its loss, ``L(a, b) = ...``; another map gives ``x \\mapsto f(x)``
        with every parameter but ``parameter`` at its value.
    parameter : str, optional
        The parameter varied, named at the end ("varying $\\eta$").

    Notes
    -----
    A formula longer than ``MAX_TITLE`` characters, or one mathtext cannot draw, is left
    out: "gradient descent on $L(a, b)$" ($L(\\theta)$, $\\theta \\in \\mathbb{R}^d$ past
    ``MAX_STATE`` variables), or "a map of $\\mathbb{R}^d$".

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> from gdmaps.maps import henon
    >>> a, b = sp.symbols("a b")
    >>> print(math_title(GDMap((a*b - 1)**2 / 2, [a, b]), "eta"))
    gradient descent on $L(a, b) = \\left(a b - 1\\right)^{2} / 2$, varying $\\eta$
    >>> print(math_title(henon(), "a"))
    $(x, y) \\mapsto \\left(- a x^{2} + y + 1,\\; 3 x / 10\\right)$, varying $a$
    """
    from gdmaps.core.gd import GDMap
    from gdmaps.core.map import Map

    if not isinstance(target, Map):
        raise InvalidArgumentError(f"target must be a Map or a GDMap, got {type(target).__name__}")
    tail = "" if parameter is None else f", varying ${_symbol(parameter)}$"
    d = len(target.state)
    state = ", ".join(sp.latex(x) for x in target.state) if d <= MAX_STATE else r"\theta"
    if isinstance(target, GDMap):
        head = f"gradient descent on $L({state})"
        short = (f"{head}$" if d <= MAX_STATE
                 else f"gradient descent on $L(\\theta)$, $\\theta \\in \\mathbb{{R}}^{{{d}}}$")
        return _fits(f"{head} = {sp.latex(target.loss, fold_short_frac=True)}$", short) + tail
    keep = {p: v for p, v in target.values.items() if p.name != parameter}
    images = [sp.latex(e.xreplace(keep), fold_short_frac=True) for e in target.template]
    short = f"a map of $\\mathbb{{R}}^{{{d}}}$"
    if len(images) == 1:
        return _fits(f"${state} \\mapsto {images[0]}$", short) + tail
    joined = ",\\; ".join(images)
    return _fits(f"$({state}) \\mapsto \\left({joined}\\right)$", short) + tail


def _fits(text, short):
    """``text`` if it is short enough for a title and mathtext can draw it, else ``short``."""
    from matplotlib.mathtext import MathTextParser

    if len(text) > MAX_TITLE:
        return short
    try:
        MathTextParser("path").parse(text)
    except ValueError:
        return short
    return text


def _exponent(ax, lyapunov, name):
    if lyapunov.values is None:
        raise InvalidArgumentError(
            "lyapunov must be computed over parameter values (lyapunov_spectrum(..., parameter=...,"
            " values=...)); this one has values=None")
    v = np.asarray(lyapunov.values, dtype=float)
    lam = np.asarray(lyapunov.exponents, dtype=float)[:, 0]
    order = np.argsort(v, kind="stable")
    v, lam = v[order], lam[order]
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.plot(v, lam, "-", color="C0", lw=0.8)
    finite = lam[np.isfinite(lam)]
    if finite.size:
        top = max(float(finite.max()), 0.1)
        # superstable parameters send the exponent to -inf: show down to a few times the top
        low = max(float(finite.min()), -3.0 * top - 0.5)
        ax.set_ylim(low - 0.05 * (top - low), top + 0.1 * (top - low))
    ax.set_ylabel(r"largest exponent $\lambda_1$")
    ax.set_xlabel(_label(name))


@styled
def plot_orbit_diagram(diagram, *, continuation=None, lyapunov=None, coord=0, ax=None, axes=None,
                       title=None):
    """The orbit diagram as dots, optionally with the largest exponent below and branches on top.

    Parameters
    ----------
    diagram : OrbitDiagram
        Coordinate ``coord`` of its points is drawn against its parameter values (the dots
        are rasterized, so a PDF stays small).
    continuation : object with ``branches``, keyword-only
        Each branch has ``values`` (K,), ``orbits`` (K, period, d), ``stable`` (K,),
        ``period`` and ``bifurcations`` (each with ``kind`` in "fold", "period-doubling",
        "neimark-sacker", ``value`` and ``orbit`` (period, d)). Every point of each orbit
        is drawn, solid where the orbit is stable and dashed where it is not; bifurcations
        get one marker per kind, explained in a legend. Every stable branch has one style
        and every unstable one a muted dashed style. Markers of one kind closer than
        ``MIN_GAP`` (2%) of the parameter axis to the previous one are dropped: a cascade
        accumulating at a point keeps its first members and gets one mark on the top edge
        where it ends (just under the top edge), with a legend line saying how many were left out.
    lyapunov : LyapunovSpectrum, keyword-only
        Computed over parameter values; its largest exponent is drawn in a second panel
        below, sharing the parameter axis, with the zero line.
    coord : int, keyword-only
        The coordinate drawn.
    ax : Axes, keyword-only
        For the diagram alone (no ``lyapunov``).
    axes : pair of Axes, keyword-only
        Diagram and exponent panels, when ``lyapunov`` is given.
    title : str or Map, keyword-only
        A string is drawn as given (mathtext between dollars); a Map or GDMap is drawn as
        mathematics by :func:`math_title`, the diagram's parameter named as varying.
    style : {"page", "column"}, keyword-only
        The figure style (default: the current one, "page" unless inside
        ``gdmaps.plotting.style(...)``).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> from gdmaps.maps import logistic
    >>> from gdmaps.bifurcations.orbit_diagram import orbit_diagram
    >>> from gdmaps.bifurcations.lyapunov import lyapunov_spectrum
    >>> vals = np.linspace(2.8, 4.0, 50)
    >>> d = orbit_diagram(logistic(3.0), "r", vals, starts=20, transient=200, region=[0, 1])
    >>> lam = lyapunov_spectrum(logistic(3.0), [0.3], 500, parameter="r", values=vals)
    >>> fig = plot_orbit_diagram(d, lyapunov=lam)
    >>> len(fig.axes)
    2
    """
    d = diagram.points.shape[2]
    coord = check_int("coord", coord)
    if coord >= d:
        raise InvalidArgumentError(f"coord must be < {d}, the dimension of the diagram's points, got {coord}")
    if lyapunov is not None:
        if ax is not None:
            raise InvalidArgumentError("with lyapunov, pass axes=(diagram_ax, exponent_ax), not ax")
        if axes is None:
            fig, _ = new_axes(nrows=2, sharex=True, figsize=(4.8, 4.8),
                              gridspec_kw={"height_ratios": [2.2, 1]})
            top, bottom = fig.axes
        else:
            top, bottom = axes
            fig = top.figure
    else:
        if axes is not None:
            raise InvalidArgumentError("axes is for the two panels with lyapunov; without it pass ax")
        fig, top = new_axes(ax)
        bottom = None
    _dots(top, diagram, coord)
    if continuation is not None:
        vals = np.asarray(diagram.values, dtype=float)
        _overlay(top, continuation, coord, (vals.min(), vals.max()), diagram.parameter)
    names = getattr(diagram, "state_names", ())
    top.set_ylabel(_label(names[coord]) if len(names) == d else
                   "$x$" if d == 1 else f"$x_{{{coord + 1}}}$")
    vals = np.asarray(diagram.values, dtype=float)
    if vals.size > 1:
        top.set_xlim(vals.min(), vals.max())
    if bottom is None:
        top.set_xlabel(_label(diagram.parameter))
    else:
        _exponent(bottom, lyapunov, diagram.parameter)
        top.tick_params(labelbottom=False)
    if title is not None:
        top.set_title(title if isinstance(title, str) else math_title(title, diagram.parameter))
    return fig
