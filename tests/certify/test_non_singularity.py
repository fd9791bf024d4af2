"""non_singularity: proofs by exact evaluation, and exceptional step sizes found exactly."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap
from gdmaps.models import linear_network, scalar_chain
from gdmaps.certify.non_singularity import Verdict, non_singularity

x, y = sp.symbols("x y")


@pytest.mark.parametrize("g", [scalar_chain(2, 1), scalar_chain(4, 3),
                               linear_network(np.array([[1.0, 0.5], [0.2, 2.0]]),
                                              np.array([[1.0, -1.0]]), [2])])
def test_proven_with_an_exact_nonzero_witness(g):
    ns = non_singularity(g, eta=sp.Rational(1, 10))
    assert ns.verdict is Verdict.PROVEN
    H = g.hessian().subs(dict(zip(g.state, ns.witness)))
    assert (sp.eye(g.dim) - sp.Rational(1, 10) * H).det() == ns.value != 0  # independent sympy det


def test_quadratic_loss_is_singular_exactly_at_one_over_lambda():
    g = GDMap((2 * x**2 + 5 * y**2) / 2, [x, y])  # H = diag(2, 5)
    for eta in (sp.Rational(1, 2), sp.Rational(1, 5)):
        ns = non_singularity(g, eta=eta)
        assert ns.verdict is Verdict.SINGULAR
        assert set(ns.exceptional) == {sp.Rational(1, 5), sp.Rational(1, 2)}
    assert non_singularity(g, eta=sp.Rational(1, 3)).verdict is Verdict.PROVEN


def test_transcendental_loss_is_proven_in_ball_arithmetic():
    # H = diag(-cos x, 2): det(I - eta H) = (1 + eta cos x)(1 - 2 eta), by hand
    ns = non_singularity(GDMap(sp.cos(x) + y**2, [x, y]), eta=0.1)
    assert ns.verdict is Verdict.PROVEN
    by_hand = (1 + 0.1 * np.cos(float(ns.witness[0]))) * (1 - 0.2)
    assert f"{by_hand:.8f}"[:8] in ns.value


def test_analytic_losses_are_proven_in_ball_arithmetic():
    from gdmaps.models import mlp

    g = mlp([[0.5, 1.0, -1.0]], [[0.2, 0.7, -0.3]], [2], "tanh")
    ns = non_singularity(g, eta=0.1)
    assert ns.verdict is Verdict.PROVEN and "analytic on all of R^d" in ns.argument
    # an independent float evaluation at the witness agrees with the ball
    q = np.array([float(v) for v in ns.witness])
    det = np.linalg.det(np.eye(g.dim) - 0.1 * g.numeric.hessian(q))
    assert str(round(det, 6))[:6] in ns.value


def test_kinked_losses_are_never_proven_from_one_piece():
    x = sp.Symbol("x")
    ns = non_singularity(GDMap(sp.Max(0, sp.sin(x)) ** 2 + x ** 2, [x]), eta=0.1)  # pieces not polynomial
    assert ns.verdict is Verdict.INCONCLUSIVE and "other pieces were not examined" in ns.argument


def test_kinked_losses_are_proven_piece_by_piece():
    from gdmaps.models import relu_example

    ns = non_singularity(relu_example(), eta=0.1)
    assert ns.verdict is Verdict.PROVEN and "3 pieces" in ns.argument
    # a piece whose determinant vanishes identically ((x^2 + y^2)/2 at eta = 1) blocks the proof
    x, y = sp.symbols("x y")
    ns = non_singularity(GDMap(sp.Max(0, x) ** 2 / 2 + y ** 2 / 2, [x, y]), eta=1)
    assert ns.verdict is Verdict.INCONCLUSIVE and "on the piece" in ns.argument
    assert "singular" in ns.argument
    # on x < 0 the piece 1 + y^2 lacks x: det(I - eta H) = 1 - 2 eta there, non-zero at eta = 1/3
    ns = non_singularity(GDMap((sp.Max(0, x) - 1) ** 2 + y ** 2, [x, y]), eta=sp.Rational(1, 3))
    assert ns.verdict is Verdict.PROVEN
