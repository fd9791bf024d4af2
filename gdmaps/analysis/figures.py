"""The figures of an :class:`~gdmaps.analysis.pipeline.Analysis`, and the report written to a folder.

Drawing only: every figure is drawn from a result object of the analysis.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from matplotlib.colors import ListedColormap

from gdmaps.analysis.parts import Skipped
from gdmaps.analysis.report import to_markdown
from gdmaps.plotting.figures import new_axes, save_figure, styled

__all__ = ["draw_figures", "plot_fate_maps", "write_report"]

_COLORS = ["#f2c14e", "#2a7ab0", "#d1495b", "#7b7b7b"]  # indexed by Fate
_NAMES = ["moving (no limit)", "converged", "diverged", "stalled at an unstable point"]


def _mark_eta_star(axes, star, *, label=True):
    """The dashed vertical line at eta*, on each of ``axes``."""
    for ax in axes:
        ax.axvline(star, color="0.3", ls="--", lw=1, zorder=3)
    if label:
        axes[0].annotate(r"$\eta^*$", (star, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                         textcoords="offset points")


@styled
def plot_fate_maps(maps, *, eta_star=None):
    """The fate maps side by side, each titled by its step size (as a multiple of eta*).

    Parameters
    ----------
    maps : sequence of FateMap
    eta_star : float, keyword-only
        Titles say eta as a multiple of it when given.
    style : {"page", "column"}, keyword-only

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> from gdmaps.analysis.fate_map import fate_map
    >>> a, b = sp.symbols("a b")
    >>> g = GDMap((a*b - 1)**2 / 2, [a, b])
    >>> maps = [fate_map(g, 2, eta=e, resolution=21, steps=200) for e in (0.9, 1.1)]
    >>> [ax.get_title() for ax in plot_fate_maps(maps, eta_star=1).axes]
    ['$\\\\eta = 0.9\\\\,\\\\eta^*$', '$\\\\eta = 1.1\\\\,\\\\eta^*$']
    """
    fig, axes = new_axes(ncols=len(maps), figsize=(4.2 * len(maps), 4.6), layout="constrained",
                         squeeze=False)
    for ax, m in zip(axes[0], maps):
        box = m.box
        ax.imshow(m.fates, origin="lower", extent=(*box[0], *box[1]), cmap=ListedColormap(_COLORS),
                  vmin=-0.5, vmax=len(_COLORS) - 0.5, interpolation="nearest", aspect="auto")
        shares = m.shares
        for k, (name, key) in enumerate(zip(_NAMES, ("moving", "converged", "diverged", "unstable"))):
            ax.plot([], [], "s", color=_COLORS[k], label=f"{name} ({shares[key]:.1%})")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False, ncol=1)
        ax.set_xlabel(f"${sp.latex(sp.Symbol(m.names[0]))}$")  # W1_0_1 -> W_{1 0 1}, not a
        ax.set_ylabel(f"${sp.latex(sp.Symbol(m.names[1]))}$")  # double subscript mathtext refuses
        ax.set_title(rf"$\eta = {m.eta / eta_star:.3g}\,\eta^*$" if eta_star else rf"$\eta = {m.eta:.4g}$")
    return fig


def draw_figures(analysis) -> dict:
    """``{stem: Figure}`` for each figure whose part was computed (see ``report.FIGURES``)."""
    from gdmaps.plotting import plot_orbit_diagram, plot_phase_transition, plot_set_dimension

    a, out = analysis, {}
    star = a.sweep.eta_star if not isinstance(a.sweep, Skipped) else None
    if star is None and a.reference.startswith("eta*"):
        star = a.eta_reference
    if not isinstance(a.sweep, Skipped):
        out["phase_transition"] = plot_phase_transition(a.sweep, eta_star=star)
    if not isinstance(a.fate_maps, Skipped):
        out["fate_maps"] = plot_fate_maps(a.fate_maps, eta_star=star)
    if not isinstance(a.dimension, Skipped):
        title = (rf"the convergent set at $\eta = {a.dimension.eta / star:.3g}\,\eta^*$" if star
                 else rf"the convergent set at $\eta = {a.dimension.eta:.4g}$")
        out["convergent_set"] = plot_set_dimension(a.dimension, title=title)
    if not isinstance(a.orbit_diagram, Skipped):
        lam = None if isinstance(a.lyapunov, Skipped) else a.lyapunov
        fig = plot_orbit_diagram(a.orbit_diagram, lyapunov=lam, title="GD past the edge of stability")
        if star:
            _mark_eta_star(fig.axes, star)
        out["bifurcation"] = fig
    return out


def write_report(analysis, out, *, formats=("png", "pdf")) -> Path:
    """Write ``report.md`` and the figures (one file per format each) into the folder ``out``.

    Returns the path of ``report.md``. A part that was not computed has no figure; the
    report says why.
    """
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for stem, fig in draw_figures(analysis).items():
        for ext in formats:
            save_figure(fig, out / f"{stem}.{ext}")
        plt.close(fig)
        files[stem] = f"{stem}.{formats[0]}"
    path = out / "report.md"
    path.write_text(to_markdown(analysis, figures=files))
    return path
