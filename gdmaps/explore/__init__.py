"""The interactive explorer: ``gdmaps explore`` in the browser, :func:`explore` in Jupyter.

Needs the extra ``pip install 'gdmaps[explore]'`` (Panel on Bokeh); importing this package
does not import Panel: only :func:`explore` and the app do.
"""

from __future__ import annotations

import sys
import types

__all__ = ["explore"]


def explore(obj=None, **target):
    """The explorer of ``obj`` (a GDMap or Map) as a Panel layout: shown inline in Jupyter.

    Parameters
    ----------
    obj : GDMap or Map, optional
        Default: the loss ``(a*b - 1)^2/2``.
    **target
        ``loss=``, ``map=``, ``model=``, ``params=``, ``parameter=``, ``span=``, ``value=``,
        ``region=`` as :func:`gdmaps.explore.state.target_from` takes them.

    Examples
    --------
    >>> import gdmaps
    >>> page = gdmaps.explore(gdmaps.maps.henon())   # in Jupyter, the last line shows it
    >>> type(page).__name__
    'Column'
    """
    try:
        import panel as pn
    except ImportError:  # pragma: no cover - the extra is missing
        from gdmaps.core.errors import GdmapsError
        raise GdmapsError("the explorer needs Panel: pip install 'gdmaps[explore]'") from None
    from gdmaps.explore.app import Explorer

    pn.extension("mathjax")
    app = Explorer(obj, **target)
    return app.panel()


class _CallableModule(types.ModuleType):
    """``gdmaps.explore`` names both this package and :func:`explore`: whichever Python finds
    (a later submodule import rebinds the package attribute), ``gdmaps.explore(obj)`` works."""

    def __call__(self, obj=None, **target):
        return explore(obj, **target)


sys.modules[__name__].__class__ = _CallableModule
