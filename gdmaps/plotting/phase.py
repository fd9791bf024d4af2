"""The phase transition in the step size: convergent fraction and asymptotic gradient norm."""

from __future__ import annotations

import numpy as np

from gdmaps.plotting.figures import new_axes, styled

__all__ = ["plot_phase_transition"]


@styled
def plot_phase_transition(result, *, eta_star=None, axes=None):
    """Two panels against eta: the convergent fraction (95% CI) and the gradient norm.

    Parameters
    ----------
    result : Sweep
    eta_star : float, keyword-only
        Marked by a vertical line (default: ``result.eta_star``).
    axes : pair of Axes, keyword-only
    style : {"page", "column"}, keyword-only
        The figure style (default: the current one, "page" unless inside
        ``gdmaps.plotting.style(...)``).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> from gdmaps.basins.sweep import sweep
    >>> a, b = sp.symbols("a b")
    >>> s = sweep(GDMap((a*b - 1)**2 / 2, [a, b]), [0.6, 0.9, 1.1], starts=300, progress=False)
    >>> fig = plot_phase_transition(s, eta_star=1.0)
    >>> len(fig.axes)
    2
    """
    if axes is None:
        fig, _ = new_axes(nrows=2, sharex=True, figsize=(4.8, 4.8))
        ax1, ax2 = fig.axes
    else:
        ax1, ax2 = axes
        fig = ax1.figure
    rows = result.rows
    eta = np.array([r.eta for r in rows])
    frac = np.array([r.fraction for r in rows])
    lo = np.array([r.interval[0] for r in rows])
    hi = np.array([r.interval[1] for r in rows])
    ax1.fill_between(eta, lo, hi, color="C0", alpha=0.25, lw=0, label="95% CI")
    ax1.plot(eta, frac, "o-", color="C0", ms=3, label="converged")
    ax1.set_ylabel("convergent fraction")
    ax1.set_ylim(-0.02, 1.02)
    q = [r.grad_norm_quantiles for r in rows]
    ok = np.array([x is not None for x in q])
    if ok.any():
        med = np.array([x["50"] for x in np.array(q, dtype=object)[ok]])
        q25 = np.array([x["25"] for x in np.array(q, dtype=object)[ok]])
        q75 = np.array([x["75"] for x in np.array(q, dtype=object)[ok]])
        floor = 1e-16
        ax2.fill_between(eta[ok], np.maximum(q25, floor), np.maximum(q75, floor), color="C1",
                         alpha=0.25, lw=0, label="quartiles")
        ax2.plot(eta[ok], np.maximum(med, floor), "o-", color="C1", ms=3, label="median")
        ax2.set_yscale("log")
    ax2.set_ylabel(r"asymptotic $\|\nabla L\|$")
    ax2.set_xlabel(r"step size $\eta$")
    star = result.eta_star if eta_star is None else eta_star
    if star is not None:
        for ax in (ax1, ax2):
            ax.axvline(float(star), color="0.3", ls="--", lw=1)
        ax1.annotate(r"$\eta^*$", (float(star), 1.0), xytext=(3, -10), textcoords="offset points")
    ax1.legend(frameon=False, loc="lower left")
    ax2.legend(frameon=False, loc="upper left")
    return fig
