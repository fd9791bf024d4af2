"""The report of gdmaps.analyze: numbers as LaTeX or short decimals, sections for every part
(or why it is missing), figures that draw what the text says (eta* as a dashed line)."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp

from gdmaps import analyze
from gdmaps.analysis.figures import draw_figures, write_report
from gdmaps.analysis.report import latex_number, short

#: Python reprs that must never reach a report.
LEAKS = re.compile(r"np\.float64|np\.int64|array\(|\d{10,}/\d{10,}")


@pytest.fixture(autouse=True)
def fresh_figures():
    plt.close("all")
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def chain3():
    return analyze("(a*b*c - 1)**2/2", starts=200, steps=500, resolution=31)


@pytest.fixture(scope="module")
def double_well():
    return analyze("(x**2 - 1)**2/4 + y**2/2", starts=200, steps=500, resolution=31)


@pytest.mark.parametrize("value, text", [
    (sp.Rational(2, 3), r"\frac{2}{3}"),
    (sp.Integer(1), "1"),
    (sp.Rational(4053282656188571, 9007199254740992), "0.45"),  # a float made exact: a decimal
    (np.float64(1) / 3, "0.3333"),
    (np.float64(2.5e-11), r"2.5 \times 10^{-11}"),
    (sp.oo, r"\infty"),
    (2 ** sp.Rational(2, 3) / 6, r"\frac{2^{\frac{2}{3}}}{6} \approx 0.2646"),
])
def test_numbers_are_latex_or_short_decimals(value, text):
    assert latex_number(value) == text


def test_short_never_shows_a_numpy_repr():
    assert short(np.float64(0.1)) == "0.1" and short(np.int64(3)) == "3" and short(None) == "n/a"


def test_report_of_a_custom_loss_has_every_section_and_no_python_reprs(chain3):
    text = chain3.to_markdown()
    assert not LEAKS.search(text), LEAKS.search(text)
    for title in ("Critical points", "Critical learning rate", "Certificates", "Fate of random",
                  "Phase transition", "Fate maps", "How thin", "Past the edge"):
        assert f"## {title}" in text
    assert "Not computed" not in text
    assert r"$\eta^* = 2 / s_{\min} = \frac{2}{3}$ (exact)" in text
    # the AM-GM bound names the depth, not the letter k
    assert "3 q''(P) |P|^(2 - 2/3)" in text and " k |P|" not in text
    assert "**fails**" in text and "**holds**" in text
    # the table of fates is placed around eta* = 2/3, not at the default 0.25 ... 1.5
    assert "| 0.1667 | 0.25 |" in text and "| 1 | 1.5 |" in text


def test_skipped_parts_say_why_in_the_report():
    result = analyze("(x**2 - 1)**2/4", starts=100, steps=200, skip=("dimension",))
    text = result.to_markdown()
    assert "*Not computed: a loss of one parameter has no 2-D slice" in text
    assert "*Not computed: skipped on request (skip='dimension').*" in text
    assert not LEAKS.search(text)


def _vertical_lines(ax):
    return [line.get_xdata()[0] for line in ax.get_lines()
            if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]]


def test_figures_of_a_custom_loss_all_appear_with_the_eta_star_line(double_well, tmp_path):
    report = write_report(double_well, tmp_path)
    text = report.read_text()
    for stem in ("phase_transition", "fate_maps", "convergent_set", "bifurcation"):
        assert (tmp_path / f"{stem}.png").stat().st_size > 5000, stem
        assert (tmp_path / f"{stem}.pdf").exists()
        assert f"]({stem}.png)" in text
    assert "eta* is the dashed line" in text
    figs = draw_figures(double_well)
    for stem in ("phase_transition", "bifurcation"):
        for ax in figs[stem].axes:
            assert any(x == pytest.approx(1.0) for x in _vertical_lines(ax)), stem


def test_fate_map_titles_name_the_step_as_a_multiple_of_eta_star(chain3):
    fig = draw_figures(chain3)["fate_maps"]
    assert [ax.get_title() for ax in fig.axes] == [r"$\eta = 0.9\,\eta^*$", r"$\eta = 1.1\,\eta^*$"]
    assert fig.axes[0].get_xlabel() == "$a$" and fig.axes[0].get_ylabel() == "$b$"


def test_points_given_as_text_are_parsed_by_the_whitelist_never_run(tmp_path):
    from gdmaps import GdmapsError
    from gdmaps.analysis.report import _point

    assert _point(["sqrt(2)", 1]) == "$(\\sqrt{2} \\approx 1.414, 1)$"
    marker = tmp_path / "pwned"
    with pytest.raises(GdmapsError):
        _point([f"__import__('os').system('touch {marker}')"])
    assert not marker.exists()
