"""The protocol every result follows: JSON-safe ``to_dict``, and notebook displays.

A result is a frozen dataclass with ``eq=False`` (numpy fields make ``==`` ambiguous, so
results compare by identity) that inherits :class:`Result`. ``Result`` gives it
``to_dict()`` built from its fields, and ``_repr_markdown_`` / ``_repr_html_`` so it reads
well in Jupyter; a class keeps its own ``to_dict`` or ``to_markdown`` where it has one.
A result that carries mathematics (exact numbers, equations) defines ``latex()``, the
formula in LaTeX math mode; ``_repr_latex_`` and the Markdown and HTML displays show it.
"""

from __future__ import annotations

import dataclasses
import enum
import html
import math
from pathlib import Path

import numpy as np
import sympy as sp

__all__ = ["Result", "jsonable"]


def jsonable(value):
    """``value`` as JSON-safe Python: exact numbers as text, nan as None, inf as "inf".

    Examples
    --------
    >>> jsonable({"eta": sp.Rational(1, 3), "x": np.array([1.0, np.nan]), "k": np.int64(2)})
    {'eta': '1/3', 'x': [1.0, None], 'k': 2}
    """
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, np.ndarray):
        if np.iscomplexobj(value):
            return {"real": jsonable(value.real), "imag": jsonable(value.imag)}
        return [jsonable(v) for v in value.tolist()] if value.ndim else jsonable(value.item())
    if isinstance(value, complex):
        return {"real": jsonable(value.real), "imag": jsonable(value.imag)}
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return str(value)


class Result:
    """Mixin of every gdmaps result: ``to_dict``, ``_repr_markdown_`` and ``_repr_html_``."""

    def to_dict(self) -> dict:
        """The fields as JSON-safe Python (see :func:`jsonable`)."""
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def _fields_for_display(self):
        for f in dataclasses.fields(self):
            text = str(jsonable(getattr(self, f.name)))
            yield f.name, text if len(text) <= 200 else text[:200] + " ..."

    def latex(self) -> str | None:
        """The result's mathematics in LaTeX math mode (no dollars), or None if it has none."""
        return None

    def _repr_latex_(self) -> str | None:
        formula = self.latex()
        return None if formula is None else f"${formula}$"

    def _repr_markdown_(self) -> str:
        own = getattr(self, "to_markdown", None)
        if callable(own):
            return own()
        bar = "\\|"  # a literal | inside a table cell
        rows = "\n".join(f"| {name} | {text.replace('|', bar)} |"
                         for name, text in self._fields_for_display())
        head = f"**{type(self).__name__}** {html.escape(repr(self))}"
        formula = self._repr_latex_()
        head += "" if formula is None else f"\n\n{formula}"
        return f"{head}\n\n| field | value |\n|---|---|\n{rows}\n"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{html.escape(text)}</td></tr>"
                       for name, text in self._fields_for_display())
        formula = self._repr_latex_()
        formula = "" if formula is None else f"<p>{html.escape(formula)}</p>"
        return (f"<p><b>{type(self).__name__}</b> {html.escape(repr(self))}</p>{formula}"
                f"<table><tr><th>field</th><th>value</th></tr>{rows}</table>")
