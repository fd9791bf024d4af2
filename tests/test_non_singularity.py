"""non_singularity: proofs by exact evaluation, and exceptional step sizes found exactly."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap
from gdmaps.models import linear_network, scalar_chain
from gdmaps.non_singularity import Verdict, non_singularity

x, y = sp.symbols("x y")


@pytest.mark.parametrize("g", [scalar_chain(2, 1), scalar_chain(4, 3),
                               linear_network(np.array([[1.0, 0.5], [0.2, 2.0]]),
                                              np.array([[1.0, -1.0]]), [2])])
def test_proven_with_an_exact_nonzero_witness(g):
    ns = non_singularity(g, sp.Rational(1, 10))
    assert ns.verdict is Verdict.PROVEN
    H = g.hessian().subs(dict(zip(g.state, ns.witness)))
    assert (sp.eye(g.dim) - sp.Rational(1, 10) * H).det() == ns.value != 0  # independent sympy det


def test_quadratic_loss_is_singular_exactly_at_one_over_lambda():
    g = GDMap((2 * x**2 + 5 * y**2) / 2, [x, y])  # H = diag(2, 5)
    for eta in (sp.Rational(1, 2), sp.Rational(1, 5)):
        ns = non_singularity(g, eta)
        assert ns.verdict is Verdict.SINGULAR
        assert set(ns.exceptional) == {sp.Rational(1, 5), sp.Rational(1, 2)}
    assert non_singularity(g, sp.Rational(1, 3)).verdict is Verdict.PROVEN


def test_transcendental_loss_is_inconclusive_not_proven():
    assert non_singularity(GDMap(sp.cos(x) + y**2, [x, y]), 0.1).verdict is Verdict.INCONCLUSIVE
