"""Map: the compiled batch form against exact SymPy evaluation."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import FreeParameterError, InvalidArgumentError, InvalidTypeError, Map
from gdmaps.core.compile import compile_kernel

x, y, z, a, b = sp.symbols("x y z a b")

MAPS = [
    Map([1 - a * x**2 + y, b * x], [x, y], {a: 1.4, b: 0.3}),
    Map([sp.sin(x) * sp.exp(y / 3) + z, x * y - sp.cos(z), sp.tanh(x + y)], [x, y, z]),
    Map([x / (1 + x**2 + y**2), sp.log(1 + x**2) - y], [x, y]),
]


def _exact(expr, state, point):
    vals = {s: sp.Float(float(v), 40) for s, v in zip(state, point)}
    return float(expr.evalf(30, subs=vals))


@pytest.mark.parametrize("m", MAPS, ids=["henon", "transcendental", "rational"])
def test_batch_step_and_jacobian_equal_exact_sympy(m):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(7, m.dim))
    F, J = m.numeric.step(X), m.numeric.jacobian(X)
    Jsym = m.jacobian()
    assert F.shape == (7, m.dim) and J.shape == (7, m.dim, m.dim)
    for n, point in enumerate(X):
        for i, e in enumerate(m.exprs):
            assert F[n, i] == pytest.approx(_exact(e, m.state, point), rel=1e-12, abs=1e-14)
            for j in range(m.dim):
                exact = _exact(Jsym[i, j], m.state, point)
                assert J[n, i, j] == pytest.approx(exact, rel=1e-12, abs=1e-14)


def test_single_point_and_constant_components_broadcast():
    m = Map([sp.Integer(2), x + y], [x, y])
    assert m([1.0, 2.0]).tolist() == [2.0, 3.0]
    assert m(np.ones((3, 2))).tolist() == [[2.0, 2.0]] * 3
    assert m.numeric.jacobian([0.0, 0.0]).tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_binding_values_reuses_the_compiled_kernel():
    m = Map([1 - a * x**2 + y, b * x], [x, y])
    m1, m2 = m.subs(a=1.4, b=0.3), m.subs(a=1.0, b=0.3)
    assert m1.numeric.kernel is m2.numeric.kernel is compile_kernel(m.template, m.state, m.parameters)
    assert m1([0.5, 0.0])[0] == pytest.approx(1 - 1.4 * 0.25)
    assert m2([0.5, 0.0])[0] == pytest.approx(1 - 1.0 * 0.25)
    assert m1.exprs[0] == 1 - sp.Rational(7, 5) * x**2 + y


def test_symbolic_subs_and_free_parameters():
    m = Map([a * x], [x]).subs({a: b**2})
    assert m.exprs == (b**2 * x,) and m.free_parameters == (b,)
    with pytest.raises(FreeParameterError, match=r"free parameters b.*subs\(b=\.\.\.\)"):
        m([1.0])
    assert m.subs(b=3)([1.0]).tolist() == [9.0]


def test_latex_display():
    latex = Map([1 - a * x**2 + y, b * x], [x, y])._repr_latex_()
    assert r"\mapsto" in latex and "a x^{2}" in latex


@pytest.mark.parametrize("args, error, message", [
    (([x, y], [x]), InvalidArgumentError, "same length, got 2 expressions for 1"),
    (([x], [1]), InvalidTypeError, "state must contain SymPy symbols"),
    (([x, x], [x, x]), InvalidArgumentError, "must not repeat symbols, got x"),
    (([x], [x], {x: 1}), InvalidArgumentError, "params must not contain state"),
    (([sp.Matrix([x])], [x]), InvalidTypeError, "must be a scalar expression"),
    ((["x +* 2"], [x]), InvalidArgumentError, r"exprs\[0\] could not be read"),
])
def test_bad_input_names_argument_and_value(args, error, message):
    with pytest.raises(error, match=message):
        Map(*args)


def test_bad_batch_shape():
    with pytest.raises(InvalidArgumentError, match=r"shape \(2,\) or \(N, 2\), got \(3,\)"):
        MAPS[0](np.zeros(3))
    with pytest.raises(InvalidArgumentError, match="subs got c=1"):
        MAPS[0].subs(c=1)
