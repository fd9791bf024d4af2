"""The numeric-map protocol (gdmaps.core.numeric): every numeric form declares what it can do."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidTypeError, Map, iterate, spectral_radii
from gdmaps.core.compile import NumericMap
from gdmaps.core.numeric import CAPABILITIES, Numeric, check_map
from gdmaps.models import mlp

a, b = sp.symbols("a b")
XOR = ([[0, 0, 1, 1], [0, 1, 0, 1]], [0, 1, 1, 0])


def forms():
    return {
        "map": Map([a + b, a * b], [a, b]).numeric,
        "gd": GDMap((a * b - 1) ** 2 / 2, [a, b], eta=0.5).numeric,
        "gd free eta": GDMap((a * b - 1) ** 2 / 2, [a, b]).numeric,
        "backprop": mlp(*XOR, [2], "tanh", symbolic=False, eta=0.5).numeric,
    }


#: name -> (capabilities, has a compiled kernel, eta, can step)
EXPECTED = {
    "map": (set(), True, None, True),
    "gd": ({"loss", "gradient", "hessian"}, True, 0.5, True),
    "gd free eta": ({"loss", "gradient", "hessian"}, True, None, False),
    "backprop": ({"loss", "gradient", "hessian", "hvp"}, False, 0.5, True),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_numeric_form_declares_its_capabilities(name):
    num = forms()[name]
    caps, compiled, eta, can_step = EXPECTED[name]
    assert isinstance(num, Numeric)
    assert {c for c in CAPABILITIES if num.supports(c)} == caps
    assert (num.kernel is not None) == compiled
    assert num.eta == eta and num.can_step == can_step


@pytest.mark.parametrize("name", ["map", "gd", "backprop"])
def test_row_forms_agree_with_step(name):
    num = forms()[name]
    X = np.random.default_rng(0).normal(size=(5, num.dim))
    Y = num.step(X)
    np.testing.assert_allclose(np.stack(num.step_rows(list(X.T)), axis=1), Y, rtol=1e-14)
    np.testing.assert_allclose(num.step_T(X.T).T, Y, rtol=1e-14)
    np.testing.assert_allclose(num.advance_T(X.T, 2).T, num.step(Y), rtol=1e-13)
    assert num(X).shape == Y.shape


def test_missing_capabilities_raise_a_library_error():
    num = forms()["map"]
    for method, args in [("loss", (np.zeros(2),)), ("gradient", (np.zeros(2),)),
                         ("hessian", (np.zeros(2),)), ("hvp", (np.zeros(2), np.ones(2)))]:
        with pytest.raises(InvalidTypeError, match="NumericMap has no"):
            getattr(num, method)(*args)


class Rotation(Numeric):
    """A foreign numeric form: only the required methods, every default from the protocol."""

    dim = 2

    def step(self, X):
        X = np.asarray(X, dtype=float)
        return np.stack([-X[..., 1], X[..., 0]], axis=-1)

    def jacobian(self, X):
        J = np.array([[0.0, -1.0], [1.0, 0.0]])
        return np.broadcast_to(J, np.shape(X)[:-1] + (2, 2)).copy()


def test_a_foreign_form_gets_the_engine_forms_from_step():
    f = Rotation()
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(f.advance_T(X.T, 4).T, X)  # a quarter turn, four times
    np.testing.assert_array_equal(np.stack(f.step_rows([X[:, 0], 1.0]), axis=1), [[-1.0, 1.0], [-1.0, 0.0]])
    assert f.kernel is None and f.values == () and not f.supports("loss")


def test_the_required_methods_are_required():
    class Half(Numeric):
        dim = 1

        def step(self, X):
            return X

    with pytest.raises(TypeError, match="jacobian"):
        Half()


def test_check_map_refuses_what_is_not_a_map():
    m = Map([a * b, a], [a, b])
    assert check_map(m) is m
    with pytest.raises(InvalidTypeError, match="map must be a gdmaps Map, got NumericMap"):
        check_map(m.numeric)
    with pytest.raises(InvalidTypeError, match="inverse must be a Map or GDMap, got str"):
        check_map("x", name="inverse", what="a Map or GDMap")
    assert isinstance(m.numeric, NumericMap)


def test_analyses_ask_the_protocol():
    """spectral_radii uses HVPs where the form offers them, iterate refuses non-maps."""
    net = mlp(*XOR, [2], "tanh", symbolic=False, eta=0.5)
    X = np.random.default_rng(1).normal(size=(3, net.dim))
    dense = spectral_radii(net, X, method="dense")
    np.testing.assert_allclose(spectral_radii(net, X, method="lanczos", krylov=net.dim), dense, rtol=1e-8)
    with pytest.raises(InvalidTypeError, match="map must be a gdmaps Map or GDMap"):
        iterate(net.numeric, X, 10)
