"""The explorer's Bokeh figures and how each takes a computed result.

Each ``show_*`` function writes a result of :mod:`gdmaps.explore.compute` into the
figure's data sources; it runs on the page's event loop.
"""

from __future__ import annotations

import numpy as np
from bokeh.models import BoxAnnotation, ColumnDataSource, LinearColorMapper, Range1d, Span
from bokeh.plotting import figure

from gdmaps.basins.iterate import Fate

__all__ = ["Views", "FATE_COLORS"]

#: Colors of the fates (index = Fate code): moving, converged, diverged, unstable.
FATE_COLORS = ["#f2c14e", "#2f6fb0", "#d9d9d9", "#c0392b"]

_TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def _fig(title, x_label, y_label, **kw):
    f = figure(title=title, tools=kw.pop("tools", _TOOLS), x_axis_label=x_label, y_axis_label=y_label,
               sizing_mode="stretch_width", **kw)
    f.toolbar.logo = None
    return f


class Views:
    """Every figure of the explorer with its data sources."""

    def __init__(self):
        # (1) orbit diagram over the parameter, largest Lyapunov exponent below it
        self.orbit_src = ColumnDataSource(dict(image=[np.zeros((2, 2))], x=[0.0], y=[0.0], dw=[1.0],
                                               dh=[1.0]))
        self.orbit = _fig("orbit diagram", "parameter", "x", height=300, x_range=Range1d(0, 1),
                          y_range=Range1d(0, 1))
        grey = LinearColorMapper(palette=[f"#{v:02x}{v:02x}{v:02x}" for v in range(255, -1, -8)], low=0)
        self.orbit.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.orbit_src,
                         color_mapper=grey)
        self.lyap_src = ColumnDataSource(dict(x=[], y=[]))
        self.lyap = _fig("largest Lyapunov exponent", "parameter", "lambda_1", height=150,
                         x_range=self.orbit.x_range)
        self.lyap.line("x", "y", source=self.lyap_src, color="#333")
        self.lyap.add_layout(Span(location=0, dimension="width", line_dash="dotted", line_color="#888"))
        # (2) fate map with (4) orbits and the clicked trajectory
        self.fate_src = ColumnDataSource(dict(image=[np.zeros((2, 2), dtype=np.uint8)], x=[0.0], y=[0.0],
                                              dw=[1.0], dh=[1.0]))
        self.fate = _fig("fate map (click a start)", "x", "y", height=380, tools="tap," + _TOOLS,
                         match_aspect=True)
        fates = LinearColorMapper(palette=FATE_COLORS, low=-0.5, high=3.5)
        self.fate.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.fate_src,
                        color_mapper=fates)
        for f in Fate:  # a legend of the fates
            self.fate.scatter([np.nan], [np.nan], marker="square", size=10, color=FATE_COLORS[int(f)],
                              legend_label=f.name.lower())
        self.marks_src = ColumnDataSource(dict(x=[], y=[], color=[], marker=[], cert=[]))
        self.fate.scatter("x", "y", source=self.marks_src, color="color", marker="marker", size=8,
                          line_color="black", legend_label="orbits (filled stable, x unstable)")
        self.cert_src = ColumnDataSource(dict(x=[], y=[]))
        self.fate.scatter("x", "y", source=self.cert_src, marker="circle", size=15, fill_alpha=0,
                          line_color="#1e8449", line_width=2, legend_label="certified")
        self.path_src = ColumnDataSource(dict(x=[], y=[]))
        self.fate.line("x", "y", source=self.path_src, color="black", line_width=1.5)
        self.fate.scatter("x", "y", source=self.path_src, size=3, color="black")
        self.fate.legend.location = "top_left"
        self.fate.legend.label_text_font_size = "8pt"
        self.fate.legend.background_fill_alpha = 0.6
        self.curves_src = ColumnDataSource(dict(k=[], loss=[], grad=[], sharp=[], radius=[]))
        self.curves = _fig("loss and gradient norm along the orbit", "step", "value", height=200,
                           y_axis_type="log")
        self.curves.line("k", "loss", source=self.curves_src, color="#2f6fb0", legend_label="loss")
        self.curves.line("k", "grad", source=self.curves_src, color="#c0392b", legend_label="|grad L|")
        self.sharp = _fig("sharpness lambda_max(H) against 2/eta", "step", "lambda_max(H)", height=200)
        self.sharp.line("k", "sharp", source=self.curves_src, color="#6c3483", legend_label="lambda_max(H)")
        self.two_over_eta = Span(location=0, dimension="width", line_dash="dashed", line_color="#c0392b")
        self.sharp.add_layout(self.two_over_eta)
        # (3) phase transition
        self.phase_src = ColumnDataSource(dict(x=[], f=[], lo=[], hi=[], g=[]))
        self.phase = _fig("convergent fraction (95% interval)", "parameter", "fraction", height=220,
                          x_range=Range1d(0, 1), y_range=Range1d(-0.02, 1.02))
        self.phase.varea("x", "lo", "hi", source=self.phase_src, fill_color="#2f6fb0", fill_alpha=0.25)
        self.phase.line("x", "f", source=self.phase_src, color="#2f6fb0")
        self.phase.scatter("x", "f", source=self.phase_src, size=4, color="#2f6fb0")
        self.grad = _fig("asymptotic gradient norm (median)", "parameter", "|grad L|", height=180,
                         x_range=self.phase.x_range)
        self.grad.line("x", "g", source=self.phase_src, color="#c0392b")
        # (5) cobweb
        self.cob_src = ColumnDataSource(dict(x=[], fx=[]))
        self.cob_path = ColumnDataSource(dict(x=[], y=[]))
        self.cobweb = _fig("cobweb (click to start there)", "x", "f(x)", height=320, tools="tap," + _TOOLS)
        self.cobweb.line("x", "fx", source=self.cob_src, color="#2f6fb0")
        self.cobweb.line("x", "x", source=self.cob_src, color="#888", line_dash="dashed")
        self.cobweb.line("x", "y", source=self.cob_path, color="#c0392b")
        # the current value and eta* on every parameter axis
        self.current = [Span(location=0, dimension="height", line_color="#c0392b", line_width=2)
                        for _ in range(4)]
        self.star = [BoxAnnotation(left=0, right=0, fill_color="#1e8449", fill_alpha=0.3, visible=False)
                     for _ in range(4)]
        self.star_line = [Span(location=0, dimension="height", line_color="#1e8449", line_dash="dashed",
                               line_width=2, visible=False) for _ in range(4)]
        for f, c, s, l in zip((self.orbit, self.lyap, self.phase, self.grad), self.current, self.star,
                              self.star_line):
            f.add_layout(c), f.add_layout(s), f.add_layout(l)
        self.bif_spans = []
        #: the orbit diagram's ranges as this side last set them (a range update that only echoes
        #: one of them is no zoom)
        self.orbit_ranges = []

    def _remember(self):
        r = self.orbit
        self.orbit_ranges = [*self.orbit_ranges[-3:], (r.x_range.start, r.x_range.end, r.y_range.start,
                                                       r.y_range.end)]

    def is_echo(self, x0, x1, y0, y1) -> bool:
        """True when ``(x0, x1, y0, y1)`` is a range this side set (not the user's zoom)."""
        for a in self.orbit_ranges:
            scale = max(abs(a[1] - a[0]), abs(a[3] - a[2]), 1e-300)
            if max(abs(a[0] - x0), abs(a[1] - x1), abs(a[2] - y0), abs(a[3] - y1)) <= 1e-6 * scale:
                return True
        return False

    # --- writers -----------------------------------------------------------------------------
    def show_target(self, target):
        name = target.parameter
        for f in (self.orbit, self.lyap, self.phase, self.grad):
            f.xaxis.axis_label = name
        self.orbit.x_range.update(start=target.span[0], end=target.span[1])
        self._remember()
        self.phase.x_range.update(start=target.span[0], end=target.span[1])
        names = target.names
        self.orbit.yaxis.axis_label = names[0]
        self.fate.xaxis.axis_label = names[0]
        self.fate.yaxis.axis_label = names[1] if len(names) > 1 else "(one row)"
        bracket = target.eta_star_bracket()
        for box, line in zip(self.star, self.star_line):
            box.visible = line.visible = False
            if bracket is not None:
                if bracket[1] - bracket[0] > 1e-9 * bracket[1]:
                    box.update(left=bracket[0], right=bracket[1], visible=True)
                else:
                    line.update(location=bracket[0], visible=True)
        for f in (self.curves, self.sharp):
            f.visible = target.is_gd
        self.grad.visible = target.is_gd
        self.path_src.data = dict(x=[], y=[])
        self.curves_src.data = dict(k=[], loss=[], grad=[], sharp=[], radius=[])

    def show_value(self, value, target):
        for s in self.current:
            s.location = float(value)
        self.two_over_eta.location = 2.0 / float(value) if target.is_gd else 1.0

    def show_orbit(self, im):
        (lo, hi), (ylo, yhi) = im.xlim, im.ylim
        img = np.log1p(im.counts.astype(float))
        self.orbit_src.data = dict(image=[img], x=[lo], y=[ylo], dw=[hi - lo], dh=[yhi - ylo])
        self.orbit.renderers[0].glyph.color_mapper.high = float(img.max() or 1.0)
        self.orbit.y_range.update(start=ylo, end=yhi)
        self.orbit.x_range.update(start=lo, end=hi)
        self._remember()
        self.lyap_src.data = dict(x=im.values, y=im.lyapunov)

    def show_bifurcations(self, marks):
        while len(self.bif_spans) < min(len(marks), 12):
            s = Span(location=0, dimension="height", line_color="#7d3c98", line_dash="dotdash")
            self.orbit.add_layout(s)
            self.bif_spans.append(s)
        for i, s in enumerate(self.bif_spans):
            s.visible = i < len(marks)
            if i < len(marks):
                s.location = marks[i][1]

    def show_fates(self, grid):
        xs, ys = grid.xs, grid.ys
        dy = (ys[-1] - ys[0]) if len(ys) > 1 else (xs[-1] - xs[0]) / 8
        y0 = ys[0] if len(ys) > 1 else -dy / 2
        self.fate_src.data = dict(image=[grid.fates.astype(np.uint8)], x=[xs[0]], y=[y0],
                                  dw=[xs[-1] - xs[0]], dh=[dy])

    def show_marks(self, marks, dims):
        if len(marks.points) == 0:
            self.marks_src.data = dict(x=[], y=[], color=[], marker=[], cert=[])
            self.cert_src.data = dict(x=[], y=[])
            return
        P = marks.points
        x = P[:, dims[0]]
        y = P[:, dims[1]] if len(dims) > 1 else np.zeros(len(P))
        color = ["#1e8449" if s else "#ffffff" for s in marks.stable]
        marker = ["circle" if p == 1 else "triangle" for p in marks.period]
        marker = [m if s else "x" for m, s in zip(marker, marks.stable)]
        self.marks_src.data = dict(x=x, y=y, color=color, marker=marker, cert=marks.certified.tolist())
        self.cert_src.data = dict(x=x[marks.certified], y=y[marks.certified])

    def show_path(self, path, dims):
        P = path.points
        self.path_src.data = dict(x=P[:, dims[0]], y=P[:, dims[1]] if len(dims) > 1 else np.zeros(len(P)))
        k = np.arange(len(P))
        if path.loss is not None:
            pos = lambda v: np.where(v > 0, v, np.nan)  # noqa: E731 - log axes
            self.curves_src.data = dict(k=k, loss=pos(path.loss), grad=pos(path.grad_norm),
                                        sharp=path.sharpness, radius=path.radius)

    def show_phase(self, curve):
        self.phase_src.data = dict(x=curve.values, f=curve.fraction, lo=curve.lower, hi=curve.upper,
                                   g=curve.grad_norm)

    def show_cobweb(self, cob):
        self.cob_src.data = dict(x=cob.x, fx=cob.fx)
        self.cob_path.data = dict(x=cob.path_x, y=cob.path_y)
