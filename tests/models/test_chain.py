"""scalar_chain: derivatives against hand formulas and finite differences."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import InvalidArgumentError, InvalidTypeError
from gdmaps.models import scalar_chain


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_gradient_and_hessian_match_hand_formulas(depth):
    # grad_i = (p - y) p / w_i; H_ij = (p/w_i)(p/w_j) + (p - y) p/(w_i w_j) for i != j,
    # H_ii = (p / w_i)^2, with p = prod w (evaluated where no w_i is 0)
    y = 1.7
    g = scalar_chain(depth, y)
    w = np.random.default_rng(depth).uniform(0.5, 1.5, size=depth)
    p = np.prod(w)
    grad = (p - y) * p / w
    H = np.outer(p / w, p / w) + (p - y) * p / np.outer(w, w)
    np.fill_diagonal(H, (p / w) ** 2)
    np.testing.assert_allclose(g.numeric.gradient(w), grad, rtol=1e-12)
    np.testing.assert_allclose(g.numeric.hessian(w), H, rtol=1e-12)
    h = 1e-6
    fd = [(g.numeric.loss(w + h * e) - g.numeric.loss(w - h * e)) / (2 * h) for e in np.eye(depth)]
    np.testing.assert_allclose(grad, fd, rtol=1e-7)


def test_symbolic_target_and_the_balanced_minimum_sharpness():
    # at the balanced minimum w_i = y^(1/k) the only non-zero eigenvalue is k y^(2 - 2/k)
    k, y = 3, sp.Symbol("y", positive=True)
    g = scalar_chain(k, y)
    H = g.hessian().subs({w: y ** sp.Rational(1, k) for w in g.state})
    assert sp.simplify(H.trace() - k * y ** (2 - sp.Rational(2, k))) == 0
    assert H.rank(simplify=True) == 1


def test_target_by_name_is_a_free_parameter():
    g = scalar_chain(2, "y")
    assert [p.name for p in g.parameters] == ["eta", "y"]
    assert g.subs(y=2).at(0.1)([1.0, 2.0]).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("args, error, message", [
    ((0,), InvalidArgumentError, "depth must be an integer >= 1, got 0"),
    ((2.5,), InvalidTypeError, "depth must be an integer"),
    ((2, "1y"), InvalidArgumentError, "y must be a number or a symbol name"),
    ((2, float("nan")), InvalidArgumentError, "y must be finite"),
])
def test_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        scalar_chain(*args)
