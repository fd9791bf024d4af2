"""The explorer in a real browser: Debian's Chromium driven by Playwright against ``gdmaps explore``.

Skipped, saying why, only when Chromium (/usr/bin/chromium) or Playwright is absent; CI installs
both. Screenshots go to $GDMAPS_SCREENSHOTS (default: the test's temporary folder).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Chromium is not installed (apt-get install -y chromium)")
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed"
                                 " (pip install -e '.[test]')")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([sys.executable, "-m", "gdmaps.cli.main", "explore", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url, start = None, time.time()
    while url is None and time.time() - start < 120:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        url = m.group(1) if m else None
    try:
        assert url, "gdmaps explore printed no URL"
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def page(server):
    with playwright.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(tempfile.mkdtemp(prefix="gdmaps-chromium-"),
                                                   executable_path=CHROMIUM, args=ARGS, headless=True,
                                                   viewport={"width": 1400, "height": 1900})
        pg = ctx.new_page()
        pg.set_default_timeout(60_000)
        pg.goto(server)
        yield pg
        ctx.close()


def _shots(tmp_path_factory):
    d = os.environ.get("GDMAPS_SCREENSHOTS")
    return Path(d) if d else tmp_path_factory.mktemp("screenshots")


def _info(page):
    """The info line as text: 'eta = 0.5 | eta* = 1 | ...'."""
    return page.locator(".gd-info").locator("div.markdown, p").first.inner_text()


def _wait_info(page, pattern, seconds=60):
    end = time.time() + seconds
    text = ""
    while time.time() < end:
        text = " ".join(page.locator(".gd-info p").all_inner_texts())
        if re.search(pattern, text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"the info line never matched {pattern!r}; it reads {text!r}")


def _fate_canvas(page):
    """The fate map's canvas: the top one of the right-hand column."""
    width = page.viewport_size["width"]
    boxes = [b for b in (c.bounding_box() for c in page.locator("canvas").all())
             if b and b["x"] > width / 3 and b["width"] > 200]
    return min(boxes, key=lambda b: b["y"])


def test_type_slide_click_and_a_bad_loss(page, tmp_path_factory):
    from gdmaps.explore import compute
    from gdmaps.explore.state import target_from

    shots = _shots(tmp_path_factory)
    _wait_info(page, r"fate map converged")
    page.screenshot(path=str(shots / "0_default.png"), full_page=True)

    # type a loss: (ab - 2)^2/2 has eta* = 1/|y| = 1/2
    box = page.locator("input[placeholder='(a*b - 1)^2/2']")
    box.fill("(a*b - 2)^2/2")
    box.press("Enter")
    page.get_by_role("button", name="apply").click()
    text = _wait_info(page, r"eta\* = 1/2 .*certificate = FAILS")
    page.screenshot(path=str(shots / "1_typed.png"), full_page=True)

    # move the slider past eta*: click its track at 85%
    track = page.locator(".noUi-target").first.bounding_box()
    page.mouse.click(track["x"] + 0.85 * track["width"], track["y"] + track["height"] / 2)
    # both views at the new eta: a view still computing reads 'updating', never its old number
    text = _wait_info(page, r"eta = 0\.6.*fate map converged = [0-9.]+%.*certificate = HOLDS")
    eta = float(re.search(r"eta = ([0-9.]+)", text).group(1))
    t = target_from(loss="(a*b - 2)^2/2")
    grid = compute.fate_grid(t, eta, resolution=317, steps=300)
    assert f"fate map converged = {grid.shares['converged']:.1%}" in text
    assert grid.shares["converged"] == 0.0  # past eta* = 1/2: nothing converges
    curve = compute.phase_curve(t, np.linspace(*t.span, 21))
    i = int(abs(curve.values - eta).argmin())
    assert f"convergent fraction near here = {curve.fraction[i]:.3f}" in text
    page.screenshot(path=str(shots / "2_past_eta_star.png"), full_page=True)

    # click a pixel of the fate map: the start's fate and curves appear
    c = _fate_canvas(page)
    page.mouse.click(c["x"] + 0.62 * c["width"], c["y"] + 0.45 * c["height"])
    page.locator("text=/fate (converged|diverged|moving|unstable) after/").first.wait_for()
    point = " ".join(page.locator(".gd-point p").all_inner_texts())
    start = [float(v) for v in re.search(r"start \(([^)]*)\)", point).group(1).split(",")]
    assert compute.trajectory(t, eta, start).fate in point
    page.screenshot(path=str(shots / "3_clicked.png"), full_page=True)

    # a bad loss: the one-line error in the page, the views stay
    box.fill("(a*b")
    page.get_by_role("button", name="apply").click()
    err = page.locator("text=/cannot read it: .*never closed/").first
    err.wait_for()
    assert "\n" not in err.inner_text().strip()
    page.screenshot(path=str(shots / "4_bad_loss.png"), full_page=True)


def test_injection_through_the_page_does_not_run(page, tmp_path):
    marker = tmp_path / "pwned"
    box = page.locator("input[placeholder='(a*b - 1)^2/2']")
    box.fill(f'__import__("os").system("touch {marker}")')
    page.get_by_role("button", name="apply").click()
    page.locator(r'text=/cannot read it: .*__import__\("os"\)/').first.wait_for()
    assert not marker.exists()
