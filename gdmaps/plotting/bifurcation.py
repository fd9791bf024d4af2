"""Orbit (bifurcation) diagrams, with the largest Lyapunov exponent and continued branches."""

from __future__ import annotations

import numpy as np
import sympy as sp

from gdmaps.errors import InvalidArgumentError, check_int
from gdmaps.plotting.figures import new_axes

__all__ = ["plot_orbit_diagram"]

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


def _segments(ax, v, y, stable, color):
    """Solid between stable points, dashed on any piece that touches an unstable point."""
    stable = np.asarray(stable, dtype=bool)
    unstable = ~stable
    near = unstable.copy()
    near[1:] |= unstable[:-1]
    near[:-1] |= unstable[1:]
    if stable.any():
        ax.plot(v, np.where(stable, y, np.nan), "-", color=color, lw=1.2)
    if unstable.any():
        ax.plot(v, np.where(near, y, np.nan), "--", color=color, lw=1.0)


def _overlay(ax, continuation, coord):
    from matplotlib.lines import Line2D

    handles, seen = [], set()
    for i, br in enumerate(continuation.branches):
        color = f"C{(i + 1) % 10}"
        v = np.asarray(br.values, dtype=float)
        orbits = np.asarray(br.orbits, dtype=float)
        for j in range(orbits.shape[1]):
            _segments(ax, v, orbits[:, j, coord], br.stable, color)
        for bif in getattr(br, "bifurcations", ()):
            kind = bif.kind
            if kind not in MARKERS:
                raise InvalidArgumentError(
                    f"bifurcation kind must be one of {', '.join(map(repr, MARKERS))}, got {kind!r}")
            marker, name = MARKERS[kind]
            orb = np.atleast_2d(np.asarray(bif.orbit, dtype=float))
            ax.plot(np.full(orb.shape[0], float(bif.value)), orb[:, coord], ls="none", marker=marker,
                    ms=5, mfc="white", mec="C3", mew=1.2, zorder=5)
            seen.add(kind)
    handles.append(Line2D([], [], color="0.3", lw=1.2, ls="-", label="stable orbit"))
    handles.append(Line2D([], [], color="0.3", lw=1.0, ls="--", label="unstable orbit"))
    for kind, (marker, name) in MARKERS.items():
        if kind in seen:
            handles.append(Line2D([], [], ls="none", marker=marker, ms=5, mfc="white", mec="C3",
                                  mew=1.2, label=name))
    ax.legend(handles=handles, frameon=True, framealpha=0.9, loc="best")


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
        get one marker per kind, explained in a legend.
    lyapunov : LyapunovSpectrum, keyword-only
        Computed over parameter values; its largest exponent is drawn in a second panel
        below, sharing the parameter axis, with the zero line.
    coord : int, keyword-only
        The coordinate drawn.
    ax : Axes, keyword-only
        For the diagram alone (no ``lyapunov``).
    axes : pair of Axes, keyword-only
        Diagram and exponent panels, when ``lyapunov`` is given.
    title : str, keyword-only

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> from gdmaps.maps import logistic
    >>> from gdmaps.orbit_diagram import orbit_diagram
    >>> from gdmaps.lyapunov import lyapunov_spectrum
    >>> vals = np.linspace(2.8, 4.0, 50)
    >>> d = orbit_diagram(logistic(3.0), "r", vals, n_points=20, transient=200, region=[0, 1])
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
        _overlay(top, continuation, coord)
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
        top.set_title(title)
    return fig
