"""Non-singularity of GD variants: the factored determinants against SymPy's determinant of the
Jacobian, verdicts against direct exact evaluation."""

import pytest
import sympy as sp

from gdmaps.certify.non_singularity import Verdict
from gdmaps.certify.non_singularity_variants import variant_non_singularity
from gdmaps.models import cyclic_sgd, heavy_ball, nesterov

a, b, x = sp.symbols("a b x")
AB = (a * b - 1) ** 2 / 2
BETA = sp.Rational(1, 3)


def test_heavy_ball_determinant_is_beta_to_the_d():
    m = heavy_ball(AB + a ** 4, [a, b], beta=BETA)
    assert sp.simplify(m.jacobian().det()) == BETA ** 2
    ns = variant_non_singularity(m, eta=2)
    assert ns.verdict is Verdict.PROVEN and ns.value == BETA ** 2
    assert variant_non_singularity(heavy_ball(AB, [a, b], beta=0), eta=2).verdict is Verdict.SINGULAR


def test_nesterov_determinant_factors_through_gd():
    m = nesterov(AB, [a, b], beta=BETA)
    va, vb = m.velocity
    H = sp.hessian(AB, [a, b]).subs({a: a + BETA * va, b: b + BETA * vb}, simultaneous=True)
    eta = sp.Rational(1, 2)
    J = m.at(eta).jacobian()
    assert sp.expand(J.det() - BETA ** 2 * (sp.eye(2) - eta * H).det()) == 0
    ns = variant_non_singularity(m, eta=eta)
    assert ns.verdict is Verdict.PROVEN
    at = dict(zip(m.state, ns.witness))
    assert J.det().subs(at) == ns.value != 0


def test_nesterov_inherits_gd_exceptional_steps():
    ns = variant_non_singularity(nesterov(x ** 2 / 2, [x], beta=BETA), eta=1)  # det = beta (1 - eta)
    assert ns.verdict is Verdict.SINGULAR and ns.exceptional == (1,)


def test_cyclic_sgd_proof_agrees_with_the_composed_determinant():
    m = cyclic_sgd([AB, (a - b) ** 2], [a, b], eta=sp.Rational(1, 10))
    assert variant_non_singularity(m).verdict is Verdict.PROVEN
    q = {a: sp.Rational(2, 3), b: sp.Rational(-5, 7)}
    assert m.jacobian().det().subs(q) != 0   # an independent witness
    # a batch map that collapses everything (x - 1 * x = 0) makes the epoch singular
    bad = cyclic_sgd([x ** 2 / 2, (x - 1) ** 2], [x], eta=1)
    assert variant_non_singularity(bad).verdict is Verdict.SINGULAR
    assert bad.jacobian().det() == 0


def test_eta_must_be_given():
    from gdmaps import FreeParameterError
    with pytest.raises(FreeParameterError, match="eta is free"):
        variant_non_singularity(heavy_ball(AB, [a, b], beta=BETA))
