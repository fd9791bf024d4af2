"""Figure set-up and deterministic saving (PDF, SVG, PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402

from gdmaps.errors import InvalidArgumentError  # noqa: E402

__all__ = ["new_axes", "save_figure", "STYLE"]

#: The rc settings of every gdmaps figure: readable at a column's width.
STYLE = {
    "figure.figsize": (4.8, 3.6), "figure.dpi": 150, "font.size": 9, "axes.titlesize": 10,
    "axes.labelsize": 9, "legend.fontsize": 7.5, "lines.linewidth": 1.2,
    "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "gdmaps",
    "path.simplify": False,
}

_METADATA = {".pdf": {"CreationDate": None, "Producer": None, "Creator": "gdmaps"},
             ".svg": {"Date": None, "Creator": "gdmaps"}, ".png": {"Software": "gdmaps"}}


def new_axes(ax=None, **figure_kw):
    """A fresh figure and axes in the gdmaps style, or ``ax``'s own."""
    if ax is not None:
        return ax.figure, ax
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(**figure_kw)
    return fig, ax


def save_figure(fig, path, *, dpi=200) -> Path:
    """Save ``fig`` to a .pdf, .svg or .png with no time stamps, so reruns are identical."""
    path = Path(path)
    if path.suffix not in _METADATA:
        raise InvalidArgumentError(
            f"path must end in .pdf, .svg or .png, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):
        fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata=_METADATA[path.suffix])
    return path
