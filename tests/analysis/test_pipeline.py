"""gdmaps.analyze, the main job: each part checked against truth derived by hand.

Closed forms (DESIGN.md): L = (ab - y)^2/2 has the minima ab = y, where H has the eigenvalues 0
and a^2 + b^2 >= 2|y| (AM-GM, equality at |a| = |b|), so eta* = 1/|y|; the origin is a saddle.
The scalar chain of depth k has eta* = 2 / (k |y|^(2 - 2/k)). The double well
(x^2 - 1)^2/4 + y^2/2 has the minima (+-1, 0) with H = diag(3x^2 - 1, 1) = diag(2, 1): eta* = 1.
"""

import json

import numpy as np
import pytest
import sympy as sp

import gdmaps
from gdmaps import Analysis, FateMap, Skipped, analyze
from gdmaps.analysis.pipeline import FRACTIONS, PARTS

SMALL = dict(starts=300, steps=600, resolution=41)


@pytest.fixture(scope="module")
def default():
    return analyze("(a*b - 1)**2/2", **SMALL)


@pytest.fixture(scope="module")
def double_well():
    return analyze("(x**2 - 1)**2/4 + y**2/2", **SMALL)


@pytest.fixture(scope="module")
def chain3():
    return analyze("(a*b*c - 1)**2/2", **SMALL)


def test_default_loss_eta_star_is_one_exactly_and_the_certificates_split_at_it(default):
    assert isinstance(default, Analysis)
    rate = default.critical_rate
    assert rate.eta_star == 1 and rate.exactness.value == "exact" and rate.sharpness == 2
    below, above = default.certificates
    assert below.eta == sp.Rational(9, 10) and below.status.value == "fails"
    assert above.eta == sp.Rational(11, 10) and above.status.value == "holds"


def test_default_loss_every_part_is_computed_and_agrees_with_the_closed_forms(default):
    assert default.skipped == {}
    assert default.jacobian == sp.eye(2) - gdmaps.ETA * default.gdmap.hessian()
    # the critical set: the hyperbola ab = 1 (dimension 1) and the saddle at the origin
    dims = sorted(c.dimension for c in default.critical_set.components)
    assert dims == [0, 1]
    # fates: the same starts converge below eta* and none do past it
    assert default.etas == pytest.approx(FRACTIONS)
    converged = [r.counts["converged"] for r in default.fates]
    assert all(c > 0 for c in converged[:3]) and converged[3:] == [0, 0]
    # the sweep brackets eta* and drops to zero past it
    s = default.sweep
    assert s.etas.min() == pytest.approx(0.5) and s.etas.max() == pytest.approx(1.5)
    assert s.eta_star == 1 and all(r.fraction == 0 for r in s.rows if r.eta > 1)
    # fate maps at 0.9 and 1.1 eta*: an open basin below, none above
    fm_below, fm_above = default.fate_maps
    assert isinstance(fm_below, FateMap) and fm_below.eta == pytest.approx(0.9)
    assert fm_below.shares["converged"] > 0.5 and fm_above.shares["converged"] < 0.01
    # past eta* the convergent set is the stable set of the saddle and the minima: curves
    assert abs(default.dimension.dimension - 1) < 0.1
    # on the diagonal a = b the map is GD on (a^2 - 1)^2/4, whose cascade doubles at eta = 1
    # and sqrt(5) - 1 and accumulates near 1.3023: chaos cannot start before the second doubling
    assert 1.24 < default.chaos_onset < 1.4
    assert default.orbit_diagram.values.min() == pytest.approx(0.5)
    assert default.orbit_diagram.values.max() == pytest.approx(2.0)


def test_the_step_sizes_follow_eta_star():
    # (ab - 2)^2/2: eta* = 1/2, so every grid is half the default one
    result = analyze("(a*b - 2)**2/2", starts=200, steps=400, resolution=21,
                     skip=("dimension", "orbit_diagram"))
    assert result.eta_star == sp.Rational(1, 2)
    assert result.etas == pytest.approx([f / 2 for f in FRACTIONS])
    assert result.sweep.etas.min() == pytest.approx(0.25) and result.sweep.etas.max() == pytest.approx(0.75)
    assert [c.eta for c in result.certificates] == [sp.Rational(9, 20), sp.Rational(11, 20)]
    assert [c.status.value for c in result.certificates] == ["fails", "holds"]
    assert isinstance(result.lyapunov, Skipped) and "orbit diagram" in result.lyapunov.reason


def test_custom_double_well_has_every_part(double_well):
    assert double_well.skipped == {}
    assert double_well.eta_star == 1
    assert [c.status.value for c in double_well.certificates] == ["fails", "holds"]
    points = sorted(tuple(p) for c in double_well.critical_set.components for p in c.points)
    assert points == [(-1, 0), (0, 0), (1, 0)]
    assert len(double_well.fate_maps) == 2 and double_well.dimension.dim == 2


def test_custom_depth_three_chain_has_every_part_with_a_slice_through_a_minimum(chain3):
    # k = 3, y = 1: eta* = 2/3
    assert chain3.skipped == {}
    assert chain3.eta_star == sp.Rational(2, 3)
    assert [c.eta for c in chain3.certificates] == [sp.Rational(3, 5), sp.Rational(11, 15)]
    assert [c.status.value for c in chain3.certificates] == ["fails", "holds"]
    fm = chain3.fate_maps[0]
    assert fm.dims == (0, 1) and fm.at[2] == pytest.approx(1.0)  # the slice c = 1 through (1, 1, 1)
    assert fm.shares["converged"] > 0.1 and chain3.fate_maps[1].shares["converged"] < 0.01
    assert abs(chain3.dimension.dimension - 2) < 0.15  # the minima abc = 1 are a surface


def test_a_model_and_an_irrational_eta_star():
    # depth 3, y = 2: eta* = 2 / (3 * 2^(4/3)) = 2^(2/3)/12 (irrational): certificates at 4 digits
    result = analyze(gdmaps.models.scalar_chain(3, 2), starts=100, steps=300, resolution=21,
                     skip=("dimension", "orbit_diagram", "sweep"))
    star = 2 / (3 * 2 ** sp.Rational(4, 3))
    assert sp.simplify(result.eta_star - star) == 0
    below, above = result.certificates
    assert float(below.eta) == pytest.approx(0.9 * float(star), rel=1e-3)
    assert (below.status.value, above.status.value) == ("fails", "holds")


def test_parts_that_cannot_run_say_why():
    one_d = analyze("(x**2 - 1)**2/4", starts=100, steps=300, skip=("dimension",))
    assert isinstance(one_d.fate_maps, Skipped) and "one parameter" in one_d.fate_maps.reason
    assert one_d.skipped["dimension"].startswith("skipped on request")
    unbounded = analyze("x**3", starts=100, steps=100)  # no global minimum: eta* = 0
    assert isinstance(unbounded.certificates, Skipped)
    assert "no global minimum" in unbounded.certificates.reason
    assert isinstance(unbounded.dimension, Skipped) and "no finite eta*" in unbounded.dimension.reason
    assert unbounded.eta_reference > 0 and not unbounded.reference.startswith("eta*")
    for part in PARTS:  # every part is a result or says why not
        value = getattr(unbounded, part)
        assert not isinstance(value, Skipped) or value.reason


def test_a_loss_that_is_not_polynomial_gets_a_numeric_critical_set_and_every_figure():
    result = analyze("log(cosh(a*b - 1))", starts=100, steps=300, resolution=21)
    assert result.critical_set.method == "numeric" and result.critical_set.points
    assert result.critical_rate.exactness.value != "exact"
    assert result.eta_star == pytest.approx(1, abs=1e-3)
    for part in ("sweep", "fate_maps", "dimension", "orbit_diagram", "lyapunov"):
        assert not isinstance(getattr(result, part), Skipped), part


def test_to_dict_is_strict_json_and_carries_every_part(default):
    data = default.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert data["critical_rate"]["eta_star"] == "1"
    assert [c["status"] for c in data["certificates"]] == ["fails", "holds"]
    assert data["critical_set"]["components"] and data["fates"][3]["converged"] == 0
    for key in ("sweep", "fate_maps", "dimension", "orbit_diagram", "lyapunov", "chaos_onset"):
        assert data[key] is not None, key
    assert "np.float64" not in text


def test_bad_arguments_say_how_to_fix_them():
    with pytest.raises(gdmaps.InvalidArgumentError, match="skip must name parts among"):
        analyze("(a*b - 1)**2/2", skip=("basins",))
    a, b = sp.symbols("a b")
    with pytest.raises(gdmaps.InvalidArgumentError, match=r"before \.at\(eta\)"):
        analyze(gdmaps.GDMap((a * b - 1) ** 2 / 2, [a, b], 1))
    with pytest.raises(gdmaps.InvalidArgumentError, match="y=1"):
        analyze("(a*b - y)**2/2", ["a", "b"])
    with pytest.raises(gdmaps.InvalidTypeError, match="loss_or_model must be"):
        analyze(3)
    with pytest.raises(gdmaps.InvalidArgumentError, match="etas"):
        analyze("(a*b - 1)**2/2", etas=[-1])


def test_progress_says_each_part():
    lines = []
    analyze("(a*b - 1)**2/2", starts=50, steps=50, resolution=11, progress=lines.append,
            skip=("dimension", "orbit_diagram", "lyapunov"))
    assert len(lines) == len(PARTS) - 3 and all(line.startswith("gdmaps.analyze: ") for line in lines)
    assert np.all(["(" in line and " s)" in line for line in lines])
