"""Figure styles and saving: TrueType fonts in PDFs, the column style, byte-identical reruns."""

import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdmaps import InvalidArgumentError
from gdmaps.maps import logistic
from gdmaps.bifurcations.orbit_diagram import orbit_diagram
from gdmaps.plotting import STYLES, new_axes, plot_orbit_diagram, save_figure, style
from gdmaps.plotting.figures import STYLE


@pytest.fixture(scope="module")
def diagram():
    return orbit_diagram(logistic(3.0), "r", np.linspace(2.8, 4.0, 40), starts=6, keep=2,
                         transient=200, region=[0, 1], seed=3)


def pdf_fonts(data: bytes):
    """The /Subtype of every font dictionary in a PDF (font dictionaries are not compressed)."""
    return re.findall(rb"/Type\s*/Font\b[^>]*?/Subtype\s*/(\w+)", data) + re.findall(
        rb"/Subtype\s*/(\w+)[^>]*?/Type\s*/Font\b", data)


def test_pdf_embeds_truetype_type42_fonts_not_type3(diagram, tmp_path):
    fig = plot_orbit_diagram(diagram, title=r"$x \mapsto r x (1 - x)$, varying $r$")
    data = save_figure(fig, tmp_path / "f.pdf").read_bytes()
    fonts = set(pdf_fonts(data))
    assert fonts, "no font dictionary found"
    assert b"Type3" not in fonts and b"/Type3" not in data
    # matplotlib writes a Type 42 font as a Type0 font over a CIDFontType2 (TrueType) one,
    # the TrueType program itself in a /FontFile2 stream
    assert fonts <= {b"Type0", b"CIDFontType2", b"TrueType"}
    assert b"/CIDFontType2" in data and b"/FontFile2" in data


def test_global_rcparams_untouched(diagram, tmp_path):
    before = (mpl.rcParams["pdf.fonttype"], mpl.rcParams["ps.fonttype"], mpl.rcParams["font.size"],
              tuple(mpl.rcParams["figure.figsize"]))
    with style("column"):
        fig = plot_orbit_diagram(diagram)
    save_figure(fig, tmp_path / "f.pdf")
    save_figure(plot_orbit_diagram(diagram), tmp_path / "g.pdf")
    after = (mpl.rcParams["pdf.fonttype"], mpl.rcParams["ps.fonttype"], mpl.rcParams["font.size"],
             tuple(mpl.rcParams["figure.figsize"]))
    assert after == before
    assert STYLE["pdf.fonttype"] == 42 and all(s["pdf.fonttype"] == 42 == s["ps.fonttype"]
                                               for s in STYLES.values())


def test_column_style_is_narrow_with_small_text(diagram):
    with style("column") as name:
        assert name == "column"
        fig = plot_orbit_diagram(diagram, title="logistic")
        fig2, _ = new_axes(nrows=2, figsize=(7.2, 3.2))  # wider than a column: scaled down
    assert fig.get_size_inches().tolist() == [3.3, 2.5]
    assert fig2.get_size_inches().tolist() == [3.3, round(3.2 * 3.3 / 7.2, 3)]
    ax = fig.axes[0]
    assert ax.xaxis.label.get_fontsize() == 7 and ax.title.get_fontsize() == 7.5
    page = plot_orbit_diagram(diagram, title="logistic")  # outside the block: the page style
    assert page.get_size_inches().tolist() == [4.8, 3.6]
    assert page.axes[0].xaxis.label.get_fontsize() == 9
    # the keyword does the same for one figure, and a figure keeps its style when saved
    kw = plot_orbit_diagram(diagram, style="column")
    assert kw.get_size_inches().tolist() == [3.3, 2.5] and kw._gdmaps_style == "column"


def test_style_errors_name_the_argument(diagram):
    with pytest.raises(InvalidArgumentError, match="style must be one of 'page', 'column', got 'wide'"):
        with style("wide"):
            pass
    with pytest.raises(InvalidArgumentError, match="style must be one of .* got 3"):
        plot_orbit_diagram(diagram, style=3)


@pytest.mark.parametrize("name", ["page", "column"])
@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_same_figure_same_bytes(diagram, tmp_path, ext, name):
    """The same figure saved twice, and drawn again from the same seed, gives the same bytes
    (no dates in the metadata, a fixed svg.hashsalt)."""
    def draw():
        d = orbit_diagram(logistic(3.0), "r", np.linspace(2.8, 4.0, 40), starts=6, keep=2,
                          transient=200, region=[0, 1], seed=3)
        return plot_orbit_diagram(d, title=r"$x \mapsto r x (1 - x)$", style=name)

    fig = draw()
    a = save_figure(fig, tmp_path / f"a.{ext}").read_bytes()
    b = save_figure(fig, tmp_path / f"b.{ext}").read_bytes()
    plt.close(fig)
    c = save_figure(draw(), tmp_path / f"c.{ext}").read_bytes()
    assert a == b == c
    if ext == "svg":
        assert b"<dc:date>" not in a
    if ext == "pdf":
        assert b"/CreationDate" not in a
