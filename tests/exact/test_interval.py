"""Ball-arithmetic evaluation of maps: every enclosure is checked against mpmath.

Truth is independent of arb: expressions are evaluated by mpmath at 60 digits
at sample points of each box (via SymPy's mpmath printer), and exact rationals
by Python's ``fractions``. A ball passes when the outward-rounded float bounds
of the ball contain every sampled value.
"""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, fmpq

from gdmaps import GDMap, Map
from gdmaps.core.errors import FreeParameterError, GdmapsError, InvalidArgumentError
from gdmaps.exact.interval import (NotCertifiableError, bounds, box, compile_interval, float_lower,
                                   float_upper, interval_function, working_precision)
from gdmaps.maps import henon

x, y = sp.symbols("x y", real=True)
# off every kink (where the boxes below live) the delta terms of derivatives vanish
MP = [{"DiracDelta": lambda *args: 0, "Heaviside": lambda u, *h: 1 if u > 0 else 0,
       "sign": mpmath.sign}, "mpmath"]


def mp_values(exprs, variables, point, dps=60):
    """The expressions at a float point, by mpmath at ``dps`` digits."""
    fn = sp.lambdify(variables, list(exprs), modules=MP)
    with mpmath.workdps(dps):
        return [mpmath.mpf(v) for v in fn(*[mpmath.mpf(float(c)) for c in point])]


def assert_encloses(balls, values):
    lo, hi = bounds(balls)
    for lo_i, hi_i, v in zip(lo, hi, values):
        assert lo_i <= v <= hi_i, (lo_i, v, hi_i)


def samples(lower, upper, n=15, seed=0):
    rng = np.random.default_rng(seed)
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    pts = lower + rng.random((n, lower.size)) * (upper - lower)
    return np.vstack([lower, upper, pts])


# -- numbers stay exact -------------------------------------------------------
def test_rationals_are_exact_not_floats():
    with working_precision(106):
        (v,) = compile_interval([sp.Rational(7, 5) * x], [x])([arb(1)])
    assert v.rad() < 1e-30
    with working_precision(300):
        assert v.contains(fmpq(7, 5))
    assert not v.contains(arb(1.4))  # the double nearest 1.4 is not 7/5


def test_integers_and_dyadic_floats_are_exact():
    big = 2**80 + 1
    with working_precision(106):
        (v, w) = compile_interval([x + big, sp.Float(0.375) * x], [x])([arb(2)])
    assert v.is_exact() and v == arb(big + 2)
    assert w.is_exact() and w == arb(0.75)


def test_pi_and_e_are_balls_around_the_constants():
    with working_precision(106):
        p, e = compile_interval([sp.pi + 0 * x, sp.E + 0 * x], [x])([arb(0)])
    with mpmath.workdps(60):
        assert_encloses([p, e], [+mpmath.pi, +mpmath.e])
    assert p.rad() < 1e-30


# -- every supported function encloses the true range --------------------------
CASES = [
    (sp.sin(3 * x) + sp.cos(x), (-2.0, 1.5)),
    (sp.tan(x), (-1.2, 1.2)),
    (sp.exp(x) - sp.log(x), (0.1, 3.0)),
    (sp.sqrt(x) + x ** sp.Rational(1, 3) + x ** sp.Rational(-3, 2), (0.2, 5.0)),
    (sp.tanh(x) * sp.atan(x) + sp.sinh(x) / sp.cosh(x), (-3.0, 3.0)),
    (sp.asin(x) + sp.acos(x / 2), (-0.9, 0.9)),
    (x**3 - 2 * x**4 + x**-2, (-1.5, -0.5)),
    (2**x + sp.Rational(1, 3) ** x, (-1.0, 2.0)),
    (sp.erf(x) + sp.atanh(x / 3) + sp.asinh(x), (-2.0, 2.0)),
    (sp.Abs(x) + sp.Max(x, 1) + sp.Min(x, -3) + sp.sign(x), (1.5, 2.5)),
    (sp.Piecewise((x**2, x < 0), (sp.sin(x), True)) + sp.Heaviside(x - 10), (-2.0, -0.5)),
    (sp.atan2(x, 2 - x), (-0.5, 0.5)),
]


@pytest.mark.parametrize("expr, interval", CASES, ids=[str(c[0]) for c in CASES])
def test_enclosure_contains_mpmath_values(expr, interval):
    fn = compile_interval([expr, sp.diff(expr, x)], [x])
    for k in range(4):  # sub-boxes of different widths
        w = (interval[1] - interval[0]) / 2**k
        lo, hi = interval[0], interval[0] + w
        out = fn(box([lo], [hi]))
        for (pt,) in samples([lo], [hi], seed=k):
            assert_encloses(out, mp_values([expr, sp.diff(expr, x)], [x], [pt]))


def test_map_and_jacobian_over_boxes_contain_sampled_values():
    m = henon()
    F = interval_function(m)
    rng = np.random.default_rng(1)
    for _ in range(10):
        c = rng.uniform(-1.5, 1.5, 2)
        r = 10.0 ** rng.uniform(-12, -1)
        X = box(c - r, c + r)
        fx, J = F.f(X), F.jacobian(X)
        for pt in samples(c - r, c + r, seed=int(rng.integers(1000))):
            assert_encloses(fx, mp_values(m.exprs, m.state, pt))
            assert_encloses([J[i, j] for i in range(2) for j in range(2)],
                            mp_values(list(m.jacobian()), m.state, pt))


def test_enclosure_is_tight_on_thin_boxes():
    F = interval_function(henon())
    fx = F.f([arb(0.3), arb(0.2)])
    assert max(v.rad() for v in fx) < 1e-30


# -- kinks, jumps and pieces ---------------------------------------------------
@pytest.mark.parametrize("expr", [sp.Max(x, 0), sp.Min(x, y), sp.Abs(x), sp.sign(x),
                                  sp.Heaviside(x), sp.Piecewise((x, x < 0), (2 * x, True))])
def test_a_box_across_a_kink_is_refused(expr):
    fn = compile_interval([expr], [x, y])
    with pytest.raises(NotCertifiableError, match="kink|jump|boundary"):
        fn(box([-0.1, 0.0], [0.1, 0.0]))
    # away from the kink the branch is decided and the value exact
    (v,) = fn(box([0.5, -1.0], [0.5, -1.0]))
    assert v.is_exact()


def test_delta_terms_of_a_relu_loss_vanish_only_off_the_kink():
    a, b = sp.symbols("a b")
    g = GDMap(sp.Max(a * b, 0) ** 2 / 2 - a - b, [a, b], eta=sp.Rational(1, 4))
    F = interval_function(g)
    assert any(e.has(sp.DiracDelta) for e in F.jacobian_exprs)
    J = F.jacobian(box([0.5, 0.5], [0.6, 0.6]))
    for pt in samples([0.5, 0.5], [0.6, 0.6]):  # off the kink, DG = I - H/4
        assert_encloses([J[i, j] for i in range(2) for j in range(2)],
                        mp_values(list(g.jacobian()), [a, b], pt))
    with pytest.raises(NotCertifiableError, match=r"a\*b"):
        F.jacobian(box([-0.1, 0.5], [0.1, 0.6]))


def test_subexpressions_of_an_unused_piece_are_not_evaluated():
    lg = sp.log(x)
    expr = sp.Piecewise((lg**2 + 2 * lg, x > 0), (x / 2, True))
    (v,) = compile_interval([expr], [x])(box([-2.0], [-1.0]))
    assert_encloses([v], [-0.5]) and assert_encloses([v], [-1.0])


def test_gd_map_of_an_abs_loss_differentiates_with_real_state():
    a = sp.Symbol("a")
    g = GDMap(sp.Abs(a - 1) ** 3 / 3, [a], eta=sp.Rational(1, 2))
    F = interval_function(g)
    assert not any(e.has(sp.re, sp.im, sp.Derivative) for e in F.exprs + F.jacobian_exprs)
    (v,) = F.f(box([2.0], [2.0]))  # 2 - (1/2)(2 - 1)^2
    assert v.contains(arb(1.5)) and v.rad() < 1e-15


# -- what cannot be evaluated --------------------------------------------------
def test_values_that_are_not_finite_name_the_subexpression():
    fn = compile_interval([x + sp.log(x) * 3], [x])
    with pytest.raises(NotCertifiableError, match=r"log\(x\)"):
        fn(box([-0.1], [0.1]))
    with pytest.raises(NotCertifiableError, match="not finite"):
        compile_interval([1 / x], [x])(box([-1.0], [1.0]))


@pytest.mark.parametrize("expr", [sp.Function("g")(x), sp.floor(x), sp.besselj(0, x)])
def test_unsupported_functions_are_refused_by_name(expr):
    with pytest.raises(NotCertifiableError, match="not supported"):
        interval_function(Map([expr], [x]))


def test_complex_maps_are_refused():
    with pytest.raises(NotCertifiableError, match="not real"):
        compile_interval([sp.I * x], [x])


def test_free_parameters_must_be_bound():
    a = sp.Symbol("a")
    with pytest.raises(FreeParameterError, match="a"):
        interval_function(Map([a * x], [x]))
    assert issubclass(NotCertifiableError, GdmapsError)


def test_wrong_number_of_balls():
    with pytest.raises(InvalidArgumentError, match="expected 2 balls"):
        compile_interval([x + y], [x, y])([arb(1)])


# -- precision and rounding ------------------------------------------------------
def test_precision_is_restored_even_after_an_error():
    before = flint.ctx.prec
    fn = compile_interval([sp.log(x)], [x])
    with pytest.raises(NotCertifiableError):
        with working_precision(200):
            assert flint.ctx.prec == 200
            fn([arb(-1)])
    assert flint.ctx.prec == before
    F = interval_function(henon(), prec=150)
    F.jacobian([arb(0), arb(0)])
    assert flint.ctx.prec == before
    with pytest.raises(InvalidArgumentError, match="prec"):
        interval_function(henon(), prec=10)


def test_float_bounds_round_outward():
    rng = np.random.default_rng(2)
    for _ in range(200):
        p, q = int(rng.integers(-10**9, 10**9)), int(rng.integers(1, 10**9))
        with working_precision(int(rng.choice([53, 106, 300]))):
            ball = arb(p) / q
        lo, hi = float_lower(ball), float_upper(ball)
        assert Fraction(lo) <= Fraction(p, q) <= Fraction(hi)
        assert hi - lo <= 4 * math.ulp(abs(p / q)) + 1e-300
    assert float_lower(arb("nan")) == -math.inf and float_upper(arb("nan")) == math.inf


def test_box_contains_its_float_interval():
    rng = np.random.default_rng(3)
    lo = rng.normal(size=50) * 10.0 ** rng.integers(-8, 8, 50)
    hi = lo + np.abs(rng.normal(size=50)) * 10.0 ** rng.integers(-20, 2, 50)
    with working_precision(106):
        balls = box(lo, hi)
    blo, bhi = bounds(balls)
    assert np.all(blo <= lo) and np.all(bhi >= hi)
    with pytest.raises(InvalidArgumentError, match="lower <= upper"):
        box([1.0], [0.0])
