"""Figure styles and deterministic saving (PDF, SVG, PNG).

Every gdmaps figure is drawn and saved under one named style, applied through
``matplotlib.rc_context``: the user's global ``rcParams`` are never changed. Two styles:

- ``"page"`` (the default): 4.8 in wide, 9 pt text.
- ``"column"``: 3.3 in wide (one column of a two-column paper), 7 pt text, thinner lines;
  figures asked for wider are scaled down to 3.3 in, keeping their aspect.

Both embed TrueType (Type 42) fonts in PDF and PostScript, as publishers ask, and save
with no time stamps and a fixed SVG hash salt, so the same figure gives the same bytes.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import os
import sys
from pathlib import Path

import matplotlib

# Headless by default, but never override a backend chosen on purpose: MPLBACKEND, or the
# inline backend of a Jupyter kernel (forcing Agg there would make notebook figures vanish).
if "MPLBACKEND" not in os.environ and "ipykernel" not in sys.modules:
    matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402

from gdmaps.core.errors import InvalidArgumentError  # noqa: E402

__all__ = ["new_axes", "save_figure", "STYLE", "STYLES", "style", "current_style"]

_COMMON = {
    "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "gdmaps",
    "path.simplify": False, "pdf.fonttype": 42, "ps.fonttype": 42,
}

#: The rc settings of each named style (see :func:`style`).
STYLES = {
    "page": {
        **_COMMON, "figure.figsize": (4.8, 3.6), "figure.dpi": 150, "font.size": 9,
        "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 7.5, "lines.linewidth": 1.2,
    },
    "column": {
        **_COMMON, "figure.figsize": (3.3, 2.5), "figure.dpi": 150, "font.size": 7,
        "axes.titlesize": 7.5, "axes.labelsize": 7, "xtick.labelsize": 6.5, "ytick.labelsize": 6.5,
        "legend.fontsize": 6, "lines.linewidth": 0.9, "lines.markersize": 4, "axes.linewidth": 0.6,
        "xtick.major.width": 0.6, "ytick.major.width": 0.6, "xtick.major.size": 2.5,
        "ytick.major.size": 2.5, "legend.handlelength": 1.6, "legend.borderpad": 0.3,
        "legend.labelspacing": 0.3,
    },
}

#: The rc settings of the default ("page") style.
STYLE = STYLES["page"]

#: Widest figure of each style, in inches (None: as asked).
_MAX_WIDTH = {"page": None, "column": 3.3}

_CURRENT = contextvars.ContextVar("gdmaps_figure_style", default="page")

_METADATA = {".pdf": {"CreationDate": None, "Producer": None, "Creator": "gdmaps"},
             ".svg": {"Date": None, "Creator": "gdmaps"}, ".png": {"Software": "gdmaps"}}


def current_style() -> str:
    """The name of the style gdmaps figures are drawn in here ("page" outside any :func:`style`)."""
    return _CURRENT.get()


def _check_style(name) -> str:
    if name is None:
        return _CURRENT.get()
    if not isinstance(name, str) or name not in STYLES:
        raise InvalidArgumentError(
            f"style must be one of {', '.join(map(repr, STYLES))}, got {name!r}")
    return name


@contextlib.contextmanager
def style(name="page"):
    """Draw and save gdmaps figures in the style ``name`` inside the ``with`` block.

    Parameters
    ----------
    name : {"page", "column"}
        ``"page"`` (4.8 in wide, 9 pt text) or ``"column"`` (3.3 in wide, 7 pt text, for
        one column of a two-column paper). Both embed TrueType (Type 42) fonts in PDFs.

    Notes
    -----
    The style's rc settings hold inside the block only (``matplotlib.rc_context``); a
    figure remembers its style, and :func:`save_figure` saves it in that style later.
    Plot functions also take ``style=`` as a keyword for one figure.

    Examples
    --------
    >>> import numpy as np
    >>> from gdmaps.maps import logistic
    >>> from gdmaps.bifurcations.orbit_diagram import orbit_diagram
    >>> from gdmaps.plotting import plot_orbit_diagram, style
    >>> d = orbit_diagram(logistic(3.0), "r", np.linspace(2.8, 4.0, 30), starts=5,
    ...                   transient=100, region=[0, 1])
    >>> with style("column"):
    ...     fig = plot_orbit_diagram(d)
    >>> fig.get_size_inches().tolist()
    [3.3, 2.5]
    """
    name = _check_style(name)
    token = _CURRENT.set(name)
    try:
        with plt.rc_context(STYLES[name]):
            yield name
    finally:
        _CURRENT.reset(token)


_style_block = style


def styled(func):
    """Give a plot function the keyword-only ``style`` and run it inside that style."""
    @functools.wraps(func)
    def wrapper(*args, style=None, **kwargs):
        name = _check_style(style)
        with _style_block(name):
            fig = func(*args, **kwargs)
        fig._gdmaps_style = name
        return fig

    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    extra = inspect.Parameter("style", inspect.Parameter.KEYWORD_ONLY, default=None)
    at = next((i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD), len(params))
    wrapper.__signature__ = sig.replace(parameters=params[:at] + [extra] + params[at:])
    return wrapper


def new_axes(ax=None, *, style=None, **figure_kw):
    """A fresh figure and axes in the current (or the given) gdmaps style, or ``ax``'s own.

    A ``figsize`` wider than the style allows (3.3 in for ``"column"``) is scaled down,
    keeping its aspect.
    """
    if ax is not None:
        return ax.figure, ax
    name = _check_style(style)
    limit = _MAX_WIDTH[name]
    if "figsize" in figure_kw and limit is not None:
        w, h = figure_kw["figsize"]
        if w > limit:
            figure_kw["figsize"] = (limit, round(h * limit / w, 3))
    with plt.rc_context(STYLES[name]):
        fig, ax = plt.subplots(**figure_kw)
    fig._gdmaps_style = name
    return fig, ax


def save_figure(fig, path, *, dpi=200) -> Path:
    """Save ``fig`` to a .pdf, .svg or .png with no time stamps, so reruns are identical.

    The figure is saved in the style it was drawn in (the current style for a figure
    gdmaps did not make); PDFs embed TrueType (Type 42) fonts. Global ``rcParams`` are
    left as they were.
    """
    path = Path(path)
    if path.suffix not in _METADATA:
        raise InvalidArgumentError(
            f"path must end in .pdf, .svg or .png, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    name = getattr(fig, "_gdmaps_style", None) or _CURRENT.get()
    with plt.rc_context(STYLES[name]):
        fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata=_METADATA[path.suffix])
    return path
