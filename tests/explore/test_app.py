"""The explorer's Panel objects driven server-side (no browser): slider, clicks, errors, export."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("panel")

from gdmaps.explore import compute, export  # noqa: E402
from gdmaps.explore.app import Explorer  # noqa: E402
from gdmaps.explore.jobs import Jobs  # noqa: E402
from gdmaps.explore.state import target_from  # noqa: E402


@pytest.fixture(scope="module")
def app():
    a = Explorer(loss="(a*b - 1)^2/2", sync=True)
    a.panel()
    return a


def test_slider_across_eta_star_updates_every_view(app):
    app.set_value(0.9)
    assert app.readout()["certificate"] == "FAILS"
    before = app.views.fate_src.data["image"][0].copy()
    app.set_value(1.2)
    r = app.readout()
    assert r["eta*"] == "1" and r["certificate"] == "HOLDS" and r["fate map converged"] == "0.0%"
    assert not np.array_equal(before, app.views.fate_src.data["image"][0])
    assert all(s.location == 1.2 for s in app.views.current)
    assert app.views.two_over_eta.location == pytest.approx(2 / 1.2)
    assert "HOLDS" in app.certificate.object


def test_a_view_still_at_the_old_value_reads_updating_not_its_old_number(app):
    app.set_value(0.9)
    fresh = app.readout()
    app.value = 1.2  # the slider moved; the fate map and certificate have not come back yet
    stale = app.readout()
    assert fresh["fate map converged"].endswith("%") and fresh["certificate"] == "FAILS"
    assert stale["fate map converged"] == "updating" and stale["certificate"] == "updating"
    app.set_value(0.9)


def test_click_shows_the_trajectory_and_its_fate(app):
    app.set_value(0.5)
    app._tap(type("Tap", (), {"x": 1.2, "y": 1.2})())
    assert "fate **converged**" in app.point.object
    ref = compute.trajectory(app.target, 0.5, app.path.start)
    assert np.allclose(app.views.path_src.data["x"], ref.points[:, 0])
    assert len(app.views.curves_src.data["sharp"]) == len(ref.points)


def test_bad_loss_shows_one_line_and_keeps_the_page(app):
    app.kind.value, app.text.value = "loss", "(a*b"
    app._typed()
    assert app.error.visible and "\n" not in app.error.object and "never closed" in app.error.object
    assert app.target.source == "gdmaps.loss_from_text('(a*b - 1)^2/2')"


def test_typed_injection_is_refused(app, tmp_path):
    marker = tmp_path / "pwned"
    app.kind.value, app.text.value = "loss", f'__import__("os").system("touch {marker}")'
    app._typed()
    assert app.error.visible and not marker.exists()


def test_zoom_recomputes_the_orbit_diagram_on_the_new_range(app):
    app._zoom(type("Range", (), dict(x0=0.9, x1=1.1, y0=-1.5, y1=1.5))())
    values = app.views.lyap_src.data["x"]
    assert values.min() > 0.9 and values.max() < 1.1 and len(values) == 300


def test_a_map_gets_a_cobweb():
    a = Explorer(map="logistic", sync=True)
    a.set_value(3.2)
    assert len(a.views.cob_path.data["x"]) > 10 and a.readout()["r"] == "3.2"


def test_jobs_cancel_the_job_they_replace():
    import threading

    jobs, seen, gate = Jobs(), [], threading.Event()

    def slow(token):
        gate.wait(5)
        token.check()
        return "old"

    first = jobs.submit("k", slow, seen.append, seen.append)
    second = jobs.submit("k", lambda token: "new", seen.append, seen.append)
    second.result(5)
    gate.set()
    first.result(5)
    assert seen == ["new"]


def test_a_queued_job_gets_its_whole_time_limit_once_it_runs():
    import time

    jobs, seen = Jobs(workers=1, seconds=0.5), []
    jobs.submit("busy", lambda token: time.sleep(0.8) or "first", seen.append, seen.append)
    queued = jobs.submit("next", lambda token: token.check() or "second", seen.append, seen.append)
    queued.result(5)
    assert seen == ["first", "second"]  # not 'stopped after 0.5 s' for the time it spent waiting


@pytest.mark.parametrize("view", export.VIEWS)
def test_snippet_runs_and_export_writes_a_figure(view, tmp_path):
    t = target_from(loss="(a*b - 1)^2/2")
    png = export.figure_bytes(view, t, 0.9, "png").getvalue()
    assert png[:4] == b"\x89PNG"
    code = export.snippet(view, t, 0.9, steps=100).replace("resolution=201", "resolution=21")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert any(p.suffix == ".pdf" for p in tmp_path.iterdir())


def test_import_gdmaps_does_not_import_panel():
    code = "import sys, gdmaps; print(any(m.split('.')[0] in ('panel', 'bokeh') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() \
        == "False"


def test_cli_explore_refuses_a_bad_loss_before_serving(capsys):
    from gdmaps.cli.main import main

    assert main(["explore", "--loss", "(a*b"]) == 2
    assert "never closed" in capsys.readouterr().err
