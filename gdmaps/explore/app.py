"""The explorer as a Panel app: one slider moves the parameter and every view follows.

Served standalone by :func:`serve` (``gdmaps explore``) or shown inline in Jupyter by
:func:`gdmaps.explore`. Work runs in background threads (:class:`~gdmaps.explore.jobs.Jobs`);
results are written into the page on its event loop.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import panel as pn
from bokeh.events import RangesUpdate, Tap

from gdmaps.core.errors import GdmapsError
from gdmaps.explore import compute, export
from gdmaps.explore.jobs import Jobs, one_line
from gdmaps.explore.state import target_from
from gdmaps.explore.views import Views

__all__ = ["Explorer", "serve"]

#: Sizes of what a slider move recomputes (the benchmark measures these).
FATE_RESOLUTION = 317       # 100,489 starts
FATE_STEPS = 300
DIAGRAM_COLUMNS = 300
PHASE_VALUES = 21


class Explorer:
    """The app for one target. ``sync=True`` runs every job in the caller's thread (tests,
    benchmarks); otherwise jobs run in the background and the page stays live.

    Examples
    --------
    >>> app = Explorer(loss="(a*b - 1)^2/2", sync=True)
    >>> app.set_value(1.2)
    >>> app.readout()["fate map converged"], app.readout()["eta*"]
    ('0.0%', '1')
    """

    def __init__(self, obj=None, *, sync=False, doc=None, **target):
        self.sync = sync
        self.jobs = Jobs()
        self.views = Views()
        self.doc = doc  # the page's Bokeh document (served): results are written on its loop
        self.target = None
        self.grid = self.path = self.phase = self.cert = self._cert_value = None
        self.marks = None
        self._orbit_range = None
        self._build_widgets()
        self.load(obj, **target)

    # --- the page ----------------------------------------------------------------------------
    def _build_widgets(self):
        w = pn.widgets
        self.kind = w.RadioButtonGroup(label="kind", options=["loss", "map"], value="loss", width=120)
        self.text = w.TextInput(label="loss L(params); values after ';'  or a map 'x: ...; y: ...'",
                                placeholder="(a*b - 1)^2/2", sizing_mode="stretch_width",
                                css_classes=["gd-text"])
        self.apply = w.Button(label="apply", width=80, css_classes=["gd-apply"])
        self.slider = w.EditableFloatSlider(label="eta", start=0.1, end=2.0, step=0.001, value=0.5,
                                            sizing_mode="stretch_width", css_classes=["gd-slider"])
        self.dims = w.TextInput(label="slice axes (e.g. 0,1)", value="0,1", width=140)
        self.at = w.TextInput(label="other coordinates (comma-separated, blank = box centre)", value="",
                              width=320)
        self.progress = pn.indicators.Progress(label="working", value=-1, active=False, visible=False,
                                               width=200, bar_color="info")
        self.busy = pn.pane.Markdown("", css_classes=["gd-busy"])
        self.error = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["gd-error"])
        self.info = pn.pane.Markdown("", css_classes=["gd-info"], sizing_mode="stretch_width")
        self.point = pn.pane.Markdown("click a start on the fate map", css_classes=["gd-point"])
        self.certificate = pn.pane.Markdown("", css_classes=["gd-cert"], sizing_mode="stretch_width",
                                            max_height=420, styles={"overflow-y": "auto"})
        self.export_view = w.Select(label="export view", options=list(export.VIEWS), value="fate map",
                                    width=160)
        self.png = w.FileDownload(callback=functools.partial(self._export, "png"), filename="view.png",
                                  label="figure (PNG)", width=130)
        self.pdf = w.FileDownload(callback=functools.partial(self._export, "pdf"), filename="view.pdf",
                                  label="figure (PDF)", width=130)
        self.code = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["gd-snippet"])
        self.apply.on_click(lambda _: self._typed())
        self.text.param.watch(lambda _: self._typed(), "enter_pressed") \
            if "enter_pressed" in self.text.param else None
        self.slider.param.watch(lambda e: self.set_value(e.new), "value_throttled")
        self.dims.param.watch(lambda _: self._slice_changed(), "value")
        self.at.param.watch(lambda _: self._slice_changed(), "value")
        self.export_view.param.watch(lambda _: self._snippet(), "value")
        self.views.fate.on_event(Tap, self._tap)
        self.views.cobweb.on_event(Tap, self._tap_cobweb)
        self.views.orbit.on_event(RangesUpdate, self._zoom)

    def panel(self):
        """The page as a Panel layout."""
        v = self.views
        bk = functools.partial(pn.pane.Bokeh, sizing_mode="stretch_width")
        controls = pn.Column(pn.Row(self.kind, self.text, self.apply, sizing_mode="stretch_width"),
                             self.error, pn.Row(self.slider, self.progress, self.busy,
                                                sizing_mode="stretch_width"),
                             pn.Row(self.dims, self.at), self.info, sizing_mode="stretch_width")
        left = pn.Column(bk(v.orbit), bk(v.lyap), bk(v.phase), bk(v.grad), sizing_mode="stretch_width")
        self._cob_pane = bk(v.cobweb, visible=self.target.dim == 1)
        right = pn.Column(bk(v.fate), self.point, self._cob_pane, bk(v.curves), bk(v.sharp),
                          sizing_mode="stretch_width")
        tail = pn.Row(pn.Column("### certificate at the current step size", self.certificate,
                                sizing_mode="stretch_width"),
                      pn.Column("### export", pn.Row(self.export_view, self.png, self.pdf), self.code,
                                sizing_mode="stretch_width"), sizing_mode="stretch_width")
        return pn.Column("## gdmaps explorer", controls, pn.Row(left, right, sizing_mode="stretch_width"),
                         tail, sizing_mode="stretch_width")

    # --- running work ------------------------------------------------------------------------
    def _ui(self, fn, *args):
        """Run ``fn`` on the page's event loop (or now, when there is no server session)."""
        doc = self.doc
        if doc is not None and getattr(doc, "session_context", None) is not None and not self.sync:
            doc.add_next_tick_callback(functools.partial(fn, *args))
        else:
            fn(*args)

    def _run(self, key, fn, done):
        def ok(result):
            self._ui(self._finish, key, done, result)

        def failed(message):
            self._ui(self._fail, key, message)

        def progress(fraction):
            self._ui(self._progress, fraction)

        if self.sync:
            from gdmaps.explore.jobs import Token
            try:
                result = fn(Token(self.jobs.seconds))
            except Exception as exc:  # noqa: BLE001 - shown as one line
                return self._fail(key, one_line(exc))
            return self._finish(key, done, result)
        self.progress.visible, self.progress.active = True, True
        self.busy.object = f"computing {key} ..."
        self.jobs.submit(key, fn, ok, failed, progress)

    def _finish(self, key, done, result):
        done(result)
        self._idle()

    def _fail(self, key, message):
        self.error.object = f"{key}: {_plain(message)}"
        self.error.visible = True
        self._idle()

    def _progress(self, fraction):
        if self.progress.visible:
            self.progress.value = int(100 * min(max(fraction, 0), 1))

    def _idle(self):
        if self.sync or not self.jobs.running():
            self.progress.visible, self.progress.active, self.progress.value = False, False, -1
            self.busy.object = ""

    # --- input -------------------------------------------------------------------------------
    def _typed(self):
        text = self.text.value.strip()
        if not text:
            return
        self.load(**({"loss": text} if self.kind.value == "loss" else {"map": text}))

    def load(self, obj=None, **target):
        """Study a new target (same keywords as :func:`~gdmaps.explore.state.target_from`); a bad
        one leaves the page as it was and shows the one-line error."""
        try:
            t = target_from(obj, **target)
        except (GdmapsError, ValueError, TypeError, ZeroDivisionError) as exc:
            self.error.object = f"cannot read it: {_plain(one_line(exc))}"
            self.error.visible = True
            if self.target is None:
                raise
            return
        self.error.visible = False
        self.target = t
        if "loss" in target:
            self.kind.value, self.text.value = "loss", target["loss"]
        elif "map" in target:
            self.kind.value, self.text.value = "map", target["map"]
        lo, hi = t.span
        self.slider.label = t.parameter
        self.slider.param.update(start=min(lo, t.value), end=max(hi, t.value), step=(hi - lo) / 1000,
                                 value=t.value)
        self.value = t.value
        self.path = self.grid = self.marks = self.phase = self.cert = None
        self.views.show_target(t)
        if hasattr(self, "_cob_pane"):
            self._cob_pane.visible = t.dim == 1
        self.views.cobweb.visible = t.dim == 1
        self.dims.disabled = self.at.disabled = t.dim <= 2
        self._orbit_range = None
        self.set_value(t.value)  # first: the views at one value are the quick ones a user looks at
        self._orbits(lo, hi)
        self._phase()
        self._bifurcations()

    def set_value(self, value):
        """Move the slider's parameter to ``value``: the views at one value follow."""
        t, value = self.target, float(f"{float(value):.6g}")  # 0.65687 not 0.6568750000000001
        if self.slider.value != value:
            self.slider.value = value
        self.value = value
        self.views.show_value(value, t)
        self._fates()
        self._orbit_marks()
        self._certificate()
        if t.dim == 1:
            self._cobweb(float(t.box[0].mean()) + 0.01 * float(np.diff(t.box[0])[0]))
        if self.path is not None:
            self._trajectory(self.path.start)
        self._info()
        self._snippet()

    def _slice(self):
        t = self.target
        if t.dim <= 2:
            return (0, 1)[: t.dim], None
        try:
            dims = tuple(int(s) for s in self.dims.value.split(","))
            at = [float(s) for s in self.at.value.split(",")] if self.at.value.strip() else None
        except ValueError:
            raise GdmapsError("slice axes are two whole numbers like 0,1 and the other coordinates"
                              f" {t.dim} numbers separated by commas") from None
        return dims, at

    def _slice_changed(self):
        if self.target is not None and self.target.dim > 2:
            self._fates()

    # --- the views ---------------------------------------------------------------------------
    def _orbits(self, lo, hi, ylim=None):
        t = self.target
        self._orbit_range = (lo, hi, ylim)
        self._run("orbit diagram", lambda tok: compute.orbit_image(
            t, lo, hi, columns=DIAGRAM_COLUMNS, ylim=ylim, token=tok), self.views.show_orbit)

    def _zoom(self, event):
        if self.target is None or event.x0 is None or self._orbit_range is None:
            return
        if self.views.is_echo(event.x0, event.x1, event.y0, event.y1):
            return
        x0, x1 = max(event.x0, 1e-12) if self.target.is_gd else event.x0, event.x1
        if x1 > x0:
            self._orbits(x0, x1, (event.y0, event.y1))

    def _bifurcations(self):
        t = self.target
        self._run("bifurcations", lambda tok: compute.bifurcation_marks(t, token=tok),
                  self.views.show_bifurcations)

    def _phase(self):
        t = self.target
        values = np.linspace(*t.span, PHASE_VALUES)

        def done(curve):
            self.phase = curve
            self.views.show_phase(curve)
            self._info()
        self._run("phase transition", lambda tok: compute.phase_curve(t, values, token=tok), done)

    def _fates(self):
        t, value = self.target, self.value
        try:
            dims, at = self._slice()
        except GdmapsError as exc:
            return self._fail("fate map", one_line(exc))

        def done(grid):
            self.grid = grid
            self.views.show_fates(grid)
            if self.marks is not None:
                self.views.show_marks(self.marks, grid.dims)
            self._info()
        self._run("fate map", lambda tok: compute.fate_grid(t, value, dims=dims, at=at,
                                                            resolution=FATE_RESOLUTION, steps=FATE_STEPS,
                                                            token=tok), done)

    def _orbit_marks(self):
        t, value = self.target, self.value

        def done(marks):
            self.marks = marks
            dims = self.grid.dims if self.grid is not None else (0, 1)[: t.dim]
            self.views.show_marks(marks, dims)
        self._run("orbits", lambda tok: compute.orbits_at(t, value, token=tok), done)

    def _certificate(self):
        t, value = self.target, self.value

        def done(cert):
            self.cert, self._cert_value = cert, value
            self.certificate.object = ("(certificates are about gradient descent; this is a plain map)"
                                       if cert is None else _panel_math(cert.to_markdown()))
            self._info()
        self._run("certificate", lambda tok: compute.certificate_at(t, value), done)

    def _cobweb(self, x0):
        t, value = self.target, self.value
        self._run("cobweb", lambda tok: compute.cobweb(t, value, x0), self.views.show_cobweb)

    def _tap(self, event):
        if self.grid is None or event.x is None:
            return
        self._trajectory(self.grid.start(event.x, event.y))

    def _tap_cobweb(self, event):
        if event.x is not None:
            self._cobweb(float(event.x))

    def _trajectory(self, x0):
        t, value = self.target, self.value

        def done(path):
            self.path = path
            dims = self.grid.dims if self.grid is not None else (0, 1)[: t.dim]
            self.views.show_path(path, dims)
            start = ", ".join(f"{v:.4g}" for v in path.start)
            extra = ""
            if path.sharpness is not None and len(path.sharpness):
                extra = (f"; final loss {path.loss[-1]:.4g}, sharpness {path.sharpness[-1]:.4g} vs 2/eta ="
                         f" {path.limit:.4g}")
            self.point.object = f"**start ({start})**: fate **{path.fate}** after {len(path.points) - 1}" \
                                f" steps{extra}"
        self._run("trajectory", lambda tok: compute.trajectory(t, value, x0), done)

    # --- read-outs ---------------------------------------------------------------------------
    def readout(self) -> dict:
        """What the info line shows, as strings (the browser test reads the same)."""
        t = self.target
        out = {t.parameter: f"{self.value:.6g}"}
        c = t.eta_star
        if c is not None:
            br = t.eta_star_bracket()
            out["eta*"] = (str(c.eta_star) if c.certified_lower is None else
                           f"[{br[0]:.10g}, {br[1]:.10g}]")
        if self.grid is not None:  # a view still at the previous value says so, never its old number
            fresh = self.grid.value == self.value
            out["fate map converged"] = f"{self.grid.shares['converged']:.1%}" if fresh else "updating"
        if self.phase is not None:
            i = int(np.abs(self.phase.values - self.value).argmin())
            out["convergent fraction near here"] = (f"{self.phase.fraction[i]:.3f} at"
                                                    f" {self.phase.values[i]:.4g}")
        if self.cert is not None:
            out["certificate"] = self.cert.status.name if self._cert_value == self.value else "updating"
        return out

    def _info(self):
        self.info.object = " | ".join(f"{k} = **{v}**" for k, v in self.readout().items())

    def _snippet(self):
        try:
            code = export.snippet(self.export_view.value, self.target, self.value,
                                  span=self.views.orbit.x_range.start and (self.views.orbit.x_range.start,
                                                                           self.views.orbit.x_range.end))
        except GdmapsError as exc:
            code = f"# {one_line(exc)}"
        self.code.object = f"```python\n{code}\n```"

    def _export(self, fmt):
        return export.figure_bytes(self.export_view.value, self.target, self.value, fmt)


def _plain(text) -> str:
    """Text shown as itself in a Markdown pane (``__import__`` stays, not bold ``import``)."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def serve(*, port=5006, address="127.0.0.1", show=False, threaded=True, **target):
    """Serve the explorer at ``http://address:port/`` (blocking); one Explorer per page load."""
    target_from(**target)  # a bad target is refused before the server starts

    def page():
        return Explorer(doc=pn.state.curdoc, **target).panel()

    pn.extension("mathjax")
    return pn.serve({"/": page}, port=port, address=address, show=show, threaded=threaded,
                    websocket_origin=[f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"],
                    title="gdmaps explorer", start=True, print_url=False)


def _panel_math(markdown: str) -> str:
    r"""Panel's Markdown pane typesets only ``$$...$$``: inline ``$...$`` doubled.

    >>> _panel_math("step size $\\eta = 1$, cost $$x$$")
    'step size $$\\eta = 1$$, cost $$x$$'
    """
    return re.sub(r"(?<!\$)\$([^$\n]+)\$(?!\$)", r"$$\1$$", markdown)
