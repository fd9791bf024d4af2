"""Analyticity is proved from a whitelist; every known kind of kink is refused."""

import pytest
import sympy as sp

from gdmaps import GDMap, analyticity, non_singularity
from gdmaps.certify.non_singularity import Verdict

x, y = sp.symbols("x y")


@pytest.mark.parametrize("expr", [
    x**2 * y - 3 * x, sp.exp(x) * sp.sin(y), sp.tanh(x * y)**2, sp.log(1 + sp.exp(x)),
    1 / (1 + sp.exp(-x)), sp.sqrt(x**2 + 1), sp.log(sp.cosh(x - 1)), sp.atan(x) + sp.erf(y),
    (x**2 + 1)**sp.Rational(-3, 2), 2**x,
])
def test_analytic(expr):
    assert analyticity(expr, [x, y]).analytic


@pytest.mark.parametrize("expr", [
    sp.sqrt(x**2), sp.Abs(x), sp.sign(x), sp.Max(x, 0), sp.Min(x, y),
    sp.Piecewise((x, x > 0), (0, True)), sp.Heaviside(x), sp.floor(x), sp.re(x) + 0 * y,
    sp.im(x) + y, x**sp.Rational(1, 3), 1 / x, sp.log(x), sp.tan(x), x**y,
])
def test_not_proved_analytic(expr):
    assert not analyticity(expr, [x, y]).analytic


def test_disguised_kink_is_not_proved_non_singular():
    # G(x) = 0 for every x > 0 on x^2/2 + (x - sqrt(x^2))^2 at eta = 1: the determinant
    # vanishes on a half-line, so one ball away from 0 proves nothing about the rest
    ns = non_singularity(GDMap(x**2 / 2 + (x - sp.sqrt(x**2))**2, [x]), eta=1)
    assert ns.verdict is Verdict.INCONCLUSIVE and "sqrt(x**2)" in ns.argument
