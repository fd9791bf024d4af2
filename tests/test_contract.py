"""The result protocol over the public surface (issue 12): every public result class is a
frozen dataclass with eq=False that follows gdmaps.core.results.Result, and real results of the
main calls serialize to JSON and display in a notebook."""

import dataclasses
import inspect
import json

import numpy as np
import pytest
import sympy as sp

import gdmaps
from gdmaps.core.results import Result

#: Results of modules still moving to the protocol (listed, so the test says what is left).
PENDING: set = set()


def _public_results():
    for name in gdmaps.__all__:
        obj = getattr(gdmaps, name)
        if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
            yield name, obj


def test_all_lists_only_public_names_that_exist():
    assert len(set(gdmaps.__all__)) == len(gdmaps.__all__)
    for name in gdmaps.__all__:
        assert not name.startswith("_") and hasattr(gdmaps, name), name


@pytest.mark.parametrize("name, cls", list(_public_results()))
def test_every_public_result_is_frozen_identity_compared_and_follows_the_protocol(name, cls):
    params = cls.__dataclass_params__
    assert params.frozen, f"{name} must be frozen"
    if name in PENDING:
        pytest.skip(f"{name}: its module moves to the protocol next")
    assert not params.eq, f"{name} must be eq=False (numpy fields make == ambiguous)"
    assert issubclass(cls, Result), f"{name} must inherit gdmaps.core.results.Result"
    for method in ("to_dict", "_repr_markdown_", "_repr_html_"):
        assert callable(getattr(cls, method, None)), f"{name} lacks {method}"


def _samples():
    """One result of every public result class, each from a small run."""
    from gdmaps.maps import henon, logistic
    from gdmaps.models import scalar_chain

    a, b, x = sp.symbols("a b x")
    g = gdmaps.GDMap((a * b - 1) ** 2 / 2, [a, b])
    yield gdmaps.iterate(g.at(0.5), np.ones((50, 2)) * [0.9, 1.2], 100)
    yield gdmaps.critical_learning_rate(g)
    cert = gdmaps.certify_measure_zero(g, eta=sp.Rational(6, 5))
    yield cert
    yield cert.steps[0]
    yield gdmaps.non_singularity(g, eta=1)
    yield gdmaps.variant_critical_step(gdmaps.models.heavy_ball(g.loss, g.state, beta=0.5))
    yield gdmaps.convergent_fraction(g, eta=0.5, starts=50, steps=100)
    yield gdmaps.stability(g.at(0.5), [1, 1])
    fp = gdmaps.fixed_points(scalar_chain(2, 1))
    yield fp
    yield fp.components[0]
    found = gdmaps.periodic_orbits(henon(), 2, [[-2, 2], [-2, 2]], certify=True)
    yield found
    yield found.orbits[0]
    yield found.orbits[0].enclosure
    yield gdmaps.exact_periodic_orbits(logistic(sp.Rational(7, 2)), 2)[0]
    yield gdmaps.polynomial_minima(gdmaps.GDMap((x**2 - 1)**2, [x]))
    yield gdmaps.analyticity(g.loss, g.state)
    yield gdmaps.sweep(g, [0.5, 1.5], starts=50, steps=100, progress=False)
    yield gdmaps.sharpness_along(g, [[1.0, 2.0], [0.5, 0.5]], 20, eta=0.3, every=5)
    yield gdmaps.stable_manifold(henon(), found.orbits[0].points[0], period=2, samples=20, steps=3)
    yield gdmaps.unstable_manifold(henon(), found.orbits[0].points[0], period=2, samples=20, steps=3)
    yield gdmaps.cell_map(henon(1.0), [[-2, 2], [-2, 2]], 8)
    yield gdmaps.convergent_set_dimension(gdmaps.GDMap((a**2 - b**2) / 2, [a, b]), [[-1, 1]] * 2, eta=0.5,
                                          starts=5000, steps=40)
    cont = gdmaps.continuation(logistic(2.5), [0.6], "r", (2.5, 3.2))
    yield cont
    yield cont.branches[0]
    yield cont.bifurcations[0]
    yield gdmaps.gd_period_doubling(gdmaps.GDMap((x**2 - 1)**2 / 4, [x]), [1])[0]
    yield gdmaps.orbit_diagram(logistic(3.0), "r", [2.8, 3.2], starts=5, region=[0, 1])
    yield gdmaps.lyapunov_spectrum(henon(), [0.1, 0.1], 500)
    analysis = gdmaps.analyze("(a*b - 1)**2/2", starts=50, steps=100,
                              skip=("sweep", "dimension", "orbit_diagram", "lyapunov"))
    yield analysis
    yield analysis.sweep
    yield analysis.fate_maps[0] if isinstance(analysis.fate_maps, tuple) else analysis.fate_maps


_SAMPLES = list(_samples())


def test_every_public_result_class_has_a_sample():
    sampled = {type(r).__name__ for r in _SAMPLES}
    assert {name for name, _ in _public_results()} - sampled == set()


@pytest.mark.parametrize("result", _SAMPLES, ids=lambda r: type(r).__name__)
def test_results_serialize_to_json_and_display(result):
    text = json.dumps(result.to_dict(), allow_nan=False)   # strict JSON: no NaN, no inf
    assert json.loads(text) == result.to_dict()
    assert result == result and result != type(result).__new__(type(result))   # identity, no raise
    hash(result)
    assert "\n" not in repr(result), "repr is one line"
    assert type(result).__name__ in result._repr_html_() or "<" in result._repr_html_()
    assert result._repr_markdown_().strip()
    latex = result._repr_latex_()
    assert latex is None or (latex.startswith("$") and latex.endswith("$") and latex.count("$") == 2)


def test_mathematics_displays_as_latex():
    """The exact numbers appear in the LaTeX display, as SymPy writes them."""
    math = {type(r).__name__: r._repr_latex_() for r in _SAMPLES}
    assert sp.latex(sp.Integer(1)) in math["CriticalLearningRate"]  # eta* of (ab - 1)^2/2
    assert r"\frac{6}{5}" in math["Certificate"] and "HOLDS" in math["Certificate"]
    assert r"\neq 0" in math["NonSingularity"]
    assert r"\frac{3}{7}" in math["ExactOrbit"] and r"\frac{6}{7}" in math["ExactOrbit"]
    assert r"w_{1} w_{2} - 1 = 0" in math["Component"]
    assert r"\eta = 1" in math["ExactBifurcation"] and "period-doubling" in math["ExactBifurcation"]
    assert r"DG_\eta" in math["Analysis"]


_A, _B = sp.symbols("a b")
_FREE_ETA = gdmaps.GDMap((_A * _B - 1) ** 2 / 2, [_A, _B])
_FREE_A = gdmaps.maps.from_text("x: 1 - a*x**2 + y; y: 0.3*x")
_BOX = [[-2, 2], [-2, 2]]
_RUNS = {
    "iterate": lambda m: gdmaps.iterate(m, np.ones((3, 2)), 5),
    "stability": lambda m: gdmaps.stability(m, [1, 1]),
    "fixed_points": lambda m: gdmaps.fixed_points(m, _BOX, method="numeric"),
    "periodic_orbits": lambda m: gdmaps.periodic_orbits(m, 2, _BOX),
    "cell_map": lambda m: gdmaps.cell_map(m, _BOX, 8),
    "convergent_fraction": lambda m: gdmaps.convergent_fraction(m, starts=10, steps=5),
    "convergent_set_dimension": lambda m: gdmaps.convergent_set_dimension(m, _BOX, starts=1000, steps=20),
    "stable_manifold": lambda m: gdmaps.stable_manifold(m, [1, 1]),
    "unstable_manifold": lambda m: gdmaps.unstable_manifold(m, [1, 1]),
    "lyapunov_spectrum": lambda m: gdmaps.lyapunov_spectrum(m, np.ones((2, 2)), 10),
    "certify_orbit": lambda m: gdmaps.certify_orbit(m, [[1, 1]]),
    "refine_mpmath": lambda m: gdmaps.refine_mpmath(m, [[1, 1]]),
}


@pytest.mark.parametrize("name", sorted(_RUNS))
@pytest.mark.parametrize("free", [_FREE_ETA, _FREE_A], ids=["eta free", "a free"])
def test_an_unbound_parameter_always_raises_free_parameter_error(name, free):
    """Every numeric entry point says which parameter is free and how to bind it."""
    with pytest.raises(gdmaps.FreeParameterError, match="eta" if free is _FREE_ETA else "a"):
        _RUNS[name](free)


@pytest.mark.parametrize("run", [gdmaps.certify_measure_zero, gdmaps.non_singularity])
def test_certificates_take_eta_by_keyword_or_from_the_map(run):
    with pytest.raises(gdmaps.FreeParameterError, match=r"pass eta=\.\.\. or fix it"):
        run(_FREE_ETA)
    by_keyword, bound = run(_FREE_ETA, eta=sp.Rational(6, 5)), run(_FREE_ETA.at(sp.Rational(6, 5)))
    assert str(by_keyword) == str(bound)


def test_eta_keyword_on_a_plain_map_says_it_has_no_step_size():
    with pytest.raises(gdmaps.InvalidArgumentError, match="step size of a GD map; this Map has none"):
        gdmaps.iterate(_FREE_A.subs(a=1.4), np.ones((2, 2)), 3, eta=0.5)
