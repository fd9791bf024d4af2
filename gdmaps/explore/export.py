"""The explorer's current view as a publication figure (through :mod:`gdmaps.plotting`) and as
a short Python snippet that draws the same figure."""

from __future__ import annotations

import io

import numpy as np

from gdmaps.core.errors import InvalidArgumentError

__all__ = ["VIEWS", "snippet", "figure", "figure_bytes"]

#: The views that export; each is drawn by one gdmaps.plotting function.
VIEWS = ("orbit diagram", "fate map", "phase transition")


def _check(view, target):
    if view not in VIEWS:
        raise InvalidArgumentError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if view == "phase transition" and not target.is_gd:
        raise InvalidArgumentError("the phase transition is drawn for GD maps; this is a plain map")
    if view == "fate map" and target.dim < 2:
        raise InvalidArgumentError("a fate map needs dimension >= 2; draw the orbit diagram instead")


def snippet(view, target, value, *, span=None, resolution=201, steps=300) -> str:
    """Python that reproduces ``view`` at the current ``value`` with gdmaps.

    Examples
    --------
    >>> from gdmaps.explore.state import target_from
    >>> print(snippet("fate map", target_from(loss="(a*b - 1)^2/2"), 0.9))
    import gdmaps
    from gdmaps.plotting import plot_fate_map, save_figure
    <BLANKLINE>
    target = gdmaps.loss_from_text('(a*b - 1)^2/2')
    fig = plot_fate_map(target.at(0.9), [[-2.0, 2.0], [-2.0, 2.0]], resolution=201, steps=300)
    save_figure(fig, "fate_map.pdf")
    """
    _check(view, target)
    lo, hi = span or target.span
    box = np.round(target.box, 12).tolist()
    bind = (f"target.at({value!r})" if target.is_gd else f"target.subs({target.parameter}={value!r})")
    head = f"target = {target.source}\n"
    if view == "fate map":
        return ("import gdmaps\nfrom gdmaps.plotting import plot_fate_map, save_figure\n\n" + head
                + f"fig = plot_fate_map({bind}, {box}, resolution={resolution}, steps={steps})\n"
                "save_figure(fig, \"fate_map.pdf\")")
    if view == "orbit diagram":
        return ("import numpy as np\nimport gdmaps\nfrom gdmaps.plotting import plot_orbit_diagram,"
                " save_figure\n\n" + head
                + f"values = np.linspace({lo!r}, {hi!r}, 300)\n"
                f"diagram = gdmaps.orbit_diagram(target, {target.parameter!r}, values, starts=20, keep=20,"
                f" transient=300, region={box})\n"
                f"lam = gdmaps.lyapunov_spectrum(target, [{np.round(target.box.mean(axis=1), 6).tolist()}],"
                f" 200, parameter={target.parameter!r}, values=values, transient=300)\n"
                "fig = plot_orbit_diagram(diagram, lyapunov=lam)\nsave_figure(fig, \"orbit_diagram.pdf\")")
    return ("import numpy as np\nimport gdmaps\nfrom gdmaps.plotting import plot_phase_transition,"
            " save_figure\n\n" + head
            + f"result = gdmaps.sweep(target, np.linspace({lo!r}, {hi!r}, 21), starts=1000, steps={steps},"
            f" init=\"uniform\", region={box}, progress=False)\n"
            "eta_star = gdmaps.critical_learning_rate(target)\n"
            "fig = plot_phase_transition(result, eta_star=float(eta_star))\n"
            "save_figure(fig, \"phase_transition.pdf\")")


def figure(view, target, value, *, span=None, resolution=201, steps=300):
    """The matplotlib figure of ``view`` (what :func:`snippet` draws)."""
    import gdmaps
    from gdmaps.plotting import plot_fate_map, plot_orbit_diagram, plot_phase_transition

    _check(view, target)
    lo, hi = span or target.span
    bound = target.at(value)
    if view == "fate map":
        return plot_fate_map(bound, target.box, resolution=resolution, steps=steps)
    if view == "orbit diagram":
        values = np.linspace(lo, hi, 300)
        d = gdmaps.orbit_diagram(target.map, target.parameter, values, starts=20, keep=20, transient=300,
                                 region=target.box)
        lam = gdmaps.lyapunov_spectrum(target.map, target.box.mean(axis=1)[None, :], 200,
                                       parameter=target.parameter, values=values, transient=300)
        return plot_orbit_diagram(d, lyapunov=lam)
    result = gdmaps.sweep(target.map, np.linspace(lo, hi, 21), starts=1000, steps=steps, init="uniform",
                          region=target.box, progress=False)
    bracket = target.eta_star_bracket()
    return plot_phase_transition(result, eta_star=None if bracket is None else bracket[1])


def figure_bytes(view, target, value, fmt="png", **kw) -> io.BytesIO:
    """:func:`figure` saved as ``fmt`` (png or pdf) into memory, for a download button."""
    import matplotlib.pyplot as plt

    from gdmaps.plotting import save_figure

    if fmt not in ("png", "pdf"):
        raise InvalidArgumentError(f"fmt must be png or pdf, got {fmt!r}")
    fig = figure(view, target, value, **kw)
    import tempfile
    from pathlib import Path

    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = save_figure(fig, Path(tmp) / f"view.{fmt}")
            return io.BytesIO(Path(path).read_bytes())
    finally:
        plt.close(fig)
