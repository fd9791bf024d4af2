"""GDMap: derivatives against hand formulas, finite differences and exact SymPy."""

import math

import numpy as np
import pytest
import sympy as sp

from gdmaps import ETA, FreeParameterError, GDMap, InvalidArgumentError, InvalidTypeError

a, b, x, y = sp.symbols("a b x y")


def test_jacobian_is_identity_minus_eta_hessian():
    g = GDMap((a * b - y) ** 2 / 2 + a**4, [a, b])
    # hand-derived Hessian of (ab - y)^2/2 + a^4
    H = sp.Matrix([[b**2 + 12 * a**2, 2 * a * b - y], [2 * a * b - y, a**2]])
    assert sp.simplify(g.hessian() - H) == sp.zeros(2)
    assert sp.simplify(g.jacobian() - (sp.eye(2) - ETA * H)) == sp.zeros(2)
    assert g.eta is ETA and ETA.is_positive


def test_at_binds_eta_and_steps_equal_the_update():
    g = GDMap((a * b - 1) ** 2 / 2, [a, b]).at(0.25)
    assert g.eta == sp.Rational(1, 4)
    p = np.array([0.3, -1.2])
    r = p[0] * p[1] - 1
    np.testing.assert_allclose(g(p), [p[0] - 0.25 * r * p[1], p[1] - 0.25 * r * p[0]], rtol=1e-15)


def test_numeric_loss_gradient_hessian_equal_exact_sympy():
    g = GDMap(sp.exp(a) * sp.sin(b) + (a - b) ** 4 / 3, [a, b])
    pts = np.random.default_rng(2).normal(size=(5, 2))
    L, G, H = g.numeric.loss(pts), g.numeric.gradient(pts), g.numeric.hessian(pts)
    for n, (pa, pb) in enumerate(pts):
        sub = {a: sp.Float(pa, 40), b: sp.Float(pb, 40)}
        assert L[n] == pytest.approx(float(g.loss.evalf(30, subs=sub)), rel=1e-12)
        np.testing.assert_allclose(G[n], [float(e.evalf(30, subs=sub)) for e in g.gradient()],
                                   rtol=1e-12)
        np.testing.assert_allclose(H[n], np.array(g.hessian().evalf(30, subs=sub), dtype=float),
                                   rtol=1e-12)


def test_loss_without_step_size_evaluates_but_does_not_step():
    g = GDMap((a * b - 1) ** 2 / 2, [a, b])
    assert g.numeric.loss([2.0, 1.0]) == 0.5
    with pytest.raises(FreeParameterError, match=r"\.at\(eta\)"):
        g([2.0, 1.0])


@pytest.mark.parametrize("loss", [
    sp.Max(0, x - 1) ** 2 + (sp.Max(0, 2 * x) - y) ** 2 / 2,
    sp.Piecewise((0, x < 1), ((x - 1) ** 2, True)) + (sp.Max(0, 2 * x) - y) ** 2 / 2,
], ids=["Max", "Piecewise"])
def test_piecewise_losses_differentiate_off_the_kinks(loss):
    g = GDMap(loss, [x, y])
    assert not g.hessian().has(sp.DiracDelta)
    f = g.numeric
    h = 1e-6
    for p in ([1.7, 0.4], [-0.8, 2.0], [0.4, -1.0]):  # away from x = 0 and x = 1
        p = np.array(p)
        fd = [(f.loss(p + h * e) - f.loss(p - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(f.gradient(p), fd, rtol=1e-6, atol=1e-8)
        fdh = np.array([(f.gradient(p + h * e) - f.gradient(p - h * e)) / (2 * h) for e in np.eye(2)])
        np.testing.assert_allclose(f.hessian(p), fdh.T, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("args, error, message", [
    ((sp.Matrix([a, b]), [a, b]), InvalidTypeError, "loss must be a scalar expression"),
    (([a, b], [a, b]), InvalidTypeError, "loss must be a scalar expression"),
    ((a**2, [a, b]), InvalidArgumentError, "b do not appear in a"),
    ((a**2, [a**2]), InvalidTypeError, "params must contain SymPy symbols"),
    ((a**2 + sp.Symbol("eta"), [a]), InvalidArgumentError, "named 'eta'"),
])
def test_bad_loss_or_params(args, error, message):
    with pytest.raises(error, match=message):
        GDMap(*args)


@pytest.mark.parametrize("eta", [0, -0.1, math.inf, math.nan, "fast"])
def test_bad_eta(eta):
    g = GDMap(a**2, [a])
    with pytest.raises((InvalidArgumentError, InvalidTypeError), match="eta must be"):
        g.at(eta)
    with pytest.raises((InvalidArgumentError, InvalidTypeError), match="eta must be"):
        GDMap(a**2, [a], eta)


def test_symbolic_subs_keeps_a_gd_map():
    g = GDMap((a * b - y) ** 2 / 2, [a, b]).at(0.5)
    h = g.subs({y: sp.Symbol("c") ** 2})
    assert isinstance(h, GDMap) and h.eta == sp.Rational(1, 2)
    assert h.loss == (a * b - sp.Symbol("c") ** 2) ** 2 / 2


@pytest.mark.parametrize("eta", [True, False, np.True_])
def test_eta_refuses_bools(eta):
    with pytest.raises(InvalidTypeError, match=f"eta must be a positive real number, got the bool {eta!r}"):
        GDMap(a**2, [a], eta)
    with pytest.raises(InvalidTypeError, match="got the bool"):
        GDMap(a**2, [a]).at(eta)


def test_string_loss_and_step_are_read_exactly_by_the_parser():
    g = GDMap("(a*b - 1)^2/2 + 0.1*a", ["a", "b"], "1/3")
    assert g.loss == (a * b - 1) ** 2 / 2 + a / 10 and g.eta == sp.Rational(1, 3)
    with pytest.raises(InvalidArgumentError, match="loss could not be read as an expression"):
        GDMap('a.__class__', ["a"])


def test_subs_reads_strings_with_the_parser_and_keeps_eta_exact():
    y = sp.Symbol("y")
    g = GDMap(a**2 * y, [a], sp.Rational(1, 3))
    assert g.subs(y="1/3").loss == a**2 / 3
    assert g.subs(y="a + 1").eta == sp.Rational(1, 3)  # a symbolic substitution keeps the step exact
    with pytest.raises(InvalidArgumentError, match="subs y could not be read as an expression"):
        g.subs(y="__import__('os')")


def test_typed_kinks_differentiate_as_real_functions():
    # by hand: d/dx |x| = sign(x), d/dx relu(x - y) = Heaviside(x - y); H is 0 off the kinks
    g = GDMap("abs(x) + (y - 1)**2 + relu(x - y)", ["x", "y"])
    x, y = g.state
    assert list(g.gradient()) == [sp.sign(x) + sp.Heaviside(x - y), 2 * y - 2 - sp.Heaviside(x - y)]
    assert g.hessian() == sp.Matrix([[0, 0], [0, 2]])
    assert not any(e.has(sp.Derivative, sp.re) for e in g.exprs)
