"""polynomial_pieces: the pieces agree with the kinked loss at random points of each region."""

import numpy as np
import pytest
import sympy as sp

from gdmaps.core.errors import InvalidArgumentError
from gdmaps.models import relu_example
from gdmaps.certify.piecewise import polynomial_pieces

x, y = sp.symbols("x y")


@pytest.mark.parametrize("loss", [
    sp.Max(0, x - 1) ** 2 + x ** 2,
    abs(x - y) + sp.Min(x, 2 * y) ** 2,
    (sp.Max(0, y * sp.Max(0, 3 * x)) - 1) ** 2 + sp.Max(0, -x),
    relu_example().loss,
])
def test_each_piece_equals_the_loss_on_its_region(loss):
    state = sorted(loss.free_symbols, key=str)
    pieces = polynomial_pieces(loss, state)
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(200):
        point = {s: sp.Rational(int(v), 7) for s, v in zip(state, rng.integers(-30, 31, len(state)))}
        if any(z.xreplace(point) == 0 for p in pieces for z, _ in p.signs):
            continue  # a kink of some piece (maybe outside that piece's region)
        owners = [p for p in pieces if p.contains(point)]
        assert len(owners) == 1, point   # the open regions are disjoint and cover R^d off the kinks
        hits += 1
        assert sp.simplify(owners[0].loss.xreplace(point) - loss.xreplace(point)) == 0
    assert hits > 120


def test_relu_example_has_the_three_regions_of_the_proof():
    # proofs/e_relu_example.py: A = {t1 > 0, t2 > 0}, B = {t1 > 0, t2 < 0}, C = {t1 < 0}
    t1, t2 = relu_example().state
    pieces = polynomial_pieces(relu_example().loss, [t1, t2])
    assert len(pieces) == 3
    constants = [p for p in pieces if not p.loss.free_symbols]
    assert [p.loss for p in constants] == [sp.Rational(353, 100)] * 2


def test_smooth_losses_and_unsupported_kinks_give_none():
    assert polynomial_pieces(x ** 2, [x]) is None
    assert polynomial_pieces(sp.Max(0, sp.sin(x)), [x]) is None      # a non-polynomial kink
    assert polynomial_pieces(sp.Max(0, x, y), [x, y]) is None         # three arguments
    with pytest.raises(InvalidArgumentError, match="limit"):
        polynomial_pieces(sp.Max(0, x), [x], limit=0)


def test_a_kink_with_identical_arguments_is_no_kink():
    (piece,) = polynomial_pieces(sp.Max(x, x) + sp.Max(0, y), [x, y])[:1]
    assert piece.loss.free_symbols <= {x, y}


def test_too_many_pieces_give_none():
    loss = sum(sp.Max(0, x - k) for k in range(12))
    assert polynomial_pieces(loss, [x], limit=8) is None
