"""The fused numba engine against the numpy engine, the reference semantics.

The fused kernel is generated with the same ``cse`` and the same arithmetic as the
numpy engine's lambdified code, so on polynomial maps it performs the same float
operations in the same order: results agree bit for bit, chaotic orbits included.
Were that ever to change (another printer, another op order), differences of one
ulp grow like exp(lambda t) on chaotic orbits (Henon, logistic at r = 3.9, (ab - 1)^2/2
past eta* = 1) and only fates could be compared there; the tests below would say so
by failing on ``final`` of moving orbits first.
"""

import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

numba = pytest.importorskip("numba")

from gdmaps import FreeParameterError, GDMap, Map, iterate  # noqa: E402
from gdmaps.core.compile import NumericMap  # noqa: E402
from gdmaps.engines import fused_engine, numba_engine, run_numpy  # noqa: E402

a, b, x, y, r = sp.symbols("a b x y r")
w1, w2, w3 = sp.symbols("w1 w2 w3")
AB = GDMap((a * b - 1) ** 2 / 2, [a, b])
CHAIN3 = GDMap((w1 * w2 * w3 - 1) ** 2 / 2, [w1, w2, w3])
HENON = Map([1 - a * x**2 + y, b * x], [x, y], {a: 1.4, b: 0.3})
LOGISTIC = Map([r * x * (1 - x)], [x], {r: 3.9})

SETTINGS = dict(tol=1e-9, blowup=1e8, check_every=10, window=50)


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def both(m, X, steps, **kw):
    """The raw fields of both engines on the same batch."""
    kw = SETTINGS | kw
    engine = fused_engine(m)
    assert engine is not None
    return run_numpy(m.numeric, X, steps, **kw), engine(m.numeric, X, steps, **kw)


def assert_same(ref, got, *, rtol=1e-12):
    np.testing.assert_array_equal(got["fate"], ref["fate"])
    np.testing.assert_array_equal(got["decided_at"], ref["decided_at"])
    assert got["fate"].dtype == np.int8 and got["decided_at"].dtype == ref["decided_at"].dtype
    assert got["trajectory"] is None
    ok = ref["fate"] != 2
    # diverged orbits keep the last state checked finite; compare it too
    np.testing.assert_allclose(got["final"], ref["final"], rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(got["displacement"][ok], ref["displacement"][ok], rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(got["asymptotic_displacement"][ok],
                               ref["asymptotic_displacement"][ok], rtol=1e-9, atol=1e-300)
    assert np.isinf(got["displacement"][~ok]).all()
    assert np.isinf(got["asymptotic_displacement"][~ok]).all()


def normal(n, d, scale=1.0, seed=0):
    return np.random.default_rng(seed).normal(scale=scale, size=(n, d))


@pytest.mark.parametrize("eta", [0.5, 0.99, 1.2])
def test_ab_minus_one_matches_the_numpy_engine(eta):
    ref, got = both(AB.at(eta), normal(3000, 2), 1000)
    assert_same(ref, got)
    counts = np.bincount(ref["fate"], minlength=3)
    if eta == 1.2:  # past eta* = 1: chaotic or periodic movers and early divergences
        assert counts[0] > 1000 and counts[1] == 0 and counts[2] > 300
    else:
        assert counts[1] > 1000


@pytest.mark.parametrize("eta", [0.3, 0.6, 0.8])  # eta* = 2/3
def test_depth_three_chain_matches_the_numpy_engine(eta):
    ref, got = both(CHAIN3.at(eta), normal(3000, 3), 800)
    assert_same(ref, got)


def test_henon_in_and_out_of_the_basin():
    rng = np.random.default_rng(1)
    inside = rng.uniform(-0.3, 0.3, size=(1000, 2))      # attracted to the strange attractor
    outside = rng.uniform(2.0, 5.0, size=(500, 2)) * rng.choice([-1, 1], size=(500, 2))
    ref, got = both(HENON, np.vstack([inside, outside]), 600)
    assert_same(ref, got)
    assert (ref["fate"][:1000] == 0).mean() > 0.9 and (ref["fate"][1000:] == 2).mean() > 0.9


def test_logistic_chaotic_and_escaping():
    X = np.r_[np.linspace(0.01, 0.99, 997), [-0.5, 1.5, 0.0]][:, None]
    ref, got = both(LOGISTIC, X, 700)
    assert_same(ref, got)
    assert ref["fate"][-3:].tolist() == [2, 2, 1]  # 0 is a fixed point


@pytest.mark.parametrize("steps, kw", [
    (100, dict(window=100)),                    # the whole run is the final window
    (97, dict(check_every=7, window=13)),       # checks, window and end not aligned
    (50, dict(check_every=1, window=1)),
    (30, dict(check_every=100)),                # a single check, at the last step
    (200, dict(tol=1e-2)),                      # convergence long before the window
    (200, dict(blowup=3.0)),                    # most orbits leave a small ball
    (200, dict(blowup=np.inf)),
])
def test_check_schedule_and_window_edge_cases(steps, kw):
    ref, got = both(AB.at(0.9), normal(777, 2, scale=1.5, seed=2), steps, **kw)
    assert_same(ref, got)


def test_overflow_without_blowup_and_nan():
    square = Map([x**2], [x])  # 10 overflows to inf; inf - inf is nan
    X = np.array([[10.0], [0.5], [1.0], [1e154], [-1.0]])
    for blowup in (np.inf, 1e200, 1e8):
        ref, got = both(square, X, 100, blowup=blowup)
        assert_same(ref, got)
    ref, got = both(Map([sp.sqrt(x) - 2], [x]), np.array([[1.0], [9.0], [16.0]]), 40)
    assert_same(ref, got)
    assert ref["fate"].tolist() == [2, 2, 2]  # sqrt of a negative number: nan


@pytest.mark.parametrize("n", [0, 1, 5, 4097])
def test_batch_sizes(n):
    ref, got = both(AB.at(1.1), normal(n, 2, seed=3), 120)
    assert_same(ref, got)


def test_kinks_max_min_heaviside_abs_sign():
    u, v = sp.symbols("u v", real=True)
    loss = ((sp.Max(0, u) * v - 1) ** 2 / 2 + sp.Abs(u) / 10 + sp.Min(u, v) ** 2 / 2
            + u**4 / 4 + sp.exp(-v**2))
    g = GDMap(loss, [u, v], 0.1)
    assert g.template[0].has(sp.Heaviside, sp.Max, sp.sign)
    ref, got = both(g, normal(2000, 2, scale=2.0, seed=4), 400)
    # u**3 and exp are not bit-identical between numpy's SIMD loops and scalar code
    assert_same(ref, got, rtol=1e-10)


_MONOMIALS = [x**i * y**j for i in range(3) for j in range(3)]
_COEFFS = st.sampled_from([0, 0, 0, 1, -1, 2, sp.Rational(1, 2), sp.Rational(-3, 10), sp.Rational(7, 5)])


@settings(max_examples=12, deadline=None)
@given(st.lists(_COEFFS, min_size=18, max_size=18), st.integers(0, 2**16))
def test_random_quadratic_maps_agree_bit_for_bit(coeffs, seed):
    # squares and products only (x**2 is x*x in numpy and in the kernel), rational
    # coefficients, parameters: every operation is the same IEEE operation in both engines
    c = sp.Symbol("c")
    f = [x + c * sum(k * mono for k, mono in zip(coeffs[:9], _MONOMIALS)),
         y + c * sum(k * mono for k, mono in zip(coeffs[9:], _MONOMIALS))]
    m = Map(f, [x, y], {c: 0.3})
    ref, got = both(m, normal(400, 2, seed=seed), 150, check_every=5, window=20)
    for k in ("final", "fate", "decided_at", "displacement", "asymptotic_displacement"):
        np.testing.assert_array_equal(got[k], ref[k])


def test_results_do_not_depend_on_threads_or_chunks(monkeypatch):
    monkeypatch.setattr(numba_engine, "PARALLEL_MIN_WORK", 0)  # parallel even when small
    g = AB.at(1.2)
    X = normal(5000, 2, seed=5)
    engine = fused_engine(g)
    base = engine(g.numeric, X, 300, **SETTINGS)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = engine(g.numeric, X, 300, **SETTINGS)
    finally:
        numba.set_num_threads(old)
    for k in ("final", "fate", "decided_at", "displacement", "asymptotic_displacement"):
        np.testing.assert_array_equal(one[k], base[k])


def test_iterate_backends_agree():
    g = CHAIN3.at(0.75)
    X = normal(500, 3, seed=6)
    fast, slow = iterate(g, X, 300, backend="numba"), iterate(g, X, 300, backend="numpy")
    np.testing.assert_array_equal(fast.fate, slow.fate)
    np.testing.assert_array_equal(fast.final, slow.final)
    assert fast.eta == slow.eta == 0.75
    traj = iterate(g, X[:3], 20, backend="numba", keep_trajectory=True)  # the numpy engine
    assert traj.trajectory.shape == (21, 3, 3)


def test_a_new_step_size_reuses_the_compiled_kernel():
    u, v = sp.symbols("u v")  # a template no other test compiles
    g = GDMap((u * v - 2) ** 2 / 2, [u, v])
    before = numba_engine._compiled.cache_info()
    first = fused_engine(g.at(0.1))
    X = normal(300, 2, seed=7)
    results = {}
    for eta in (0.1, 0.3, 0.45, 0.6):
        m = g.at(eta)
        engine = fused_engine(m)
        assert engine.steps is first.steps
        results[eta] = engine(m.numeric, X, 200, **SETTINGS)
        assert_same(run_numpy(m.numeric, X, 200, **SETTINGS), results[eta])
    after = numba_engine._compiled.cache_info()
    assert after.misses == before.misses + 1  # one compilation for four step sizes
    # and no re-specialization by numba: one signature per step function, one driver
    assert len(first.steps.advance.signatures) == len(first.steps.last.signatures) == 1
    assert len(first.driver.signatures) == 1
    assert fused_engine(AB.at(0.5)).driver is first.driver  # shared by every template
    # eta* = 1/|y| = 1/2: converges below, not above
    assert (results[0.3]["fate"] == 1).mean() > 0.8 and (results[0.6]["fate"] == 1).sum() == 0


def test_compile_false_only_returns_compiled_engines():
    s = sp.Symbol("s_fresh")
    m = Map([s / 2 + 1], [s])
    assert numba_engine.fused_engine(m, compile=False) is None
    assert numba_engine.fused_engine(m) is not None
    assert numba_engine.fused_engine(m, compile=False) is not None


def test_unbound_step_size_raises_the_library_error():
    engine = fused_engine(AB)
    if engine is None:  # older GDMap.numeric refuses an unbound step size itself
        return
    with pytest.raises(FreeParameterError):
        engine(AB.numeric, normal(3, 2), 10, **SETTINGS)


def test_no_engine_without_numba(monkeypatch):
    monkeypatch.setattr(numba_engine, "numba", None)
    assert fused_engine(AB.at(0.5)) is None


class _Foreign(NumericMap):
    """A numeric map that is not gdmaps' compiled template (e.g. hand-written)."""


def test_no_engine_for_a_foreign_numeric_map():
    m = Map([x / 2], [x])
    foreign = Map([x / 2], [x])
    foreign.__dict__["numeric"] = _Foreign(m.numeric.kernel, ())
    assert fused_engine(foreign) is None
    assert fused_engine(m) is not None


def test_an_engine_serves_only_numeric_maps_of_its_template():
    engine = fused_engine(AB.at(0.5))
    X = normal(50, 2, seed=8)
    other = GDMap((a * b - 1) ** 2 / 2, [a, b], 0.7)  # same template, another object
    assert_same(run_numpy(other.numeric, X, 60, **SETTINGS), engine(other.numeric, X, 60, **SETTINGS))
    foreign = CHAIN3.at(0.5)  # another template: handed to the numpy engine
    Y = normal(50, 3, seed=8)
    got = engine(foreign.numeric, Y, 60, **SETTINGS)
    np.testing.assert_array_equal(got["final"], run_numpy(foreign.numeric, Y, 60, **SETTINGS)["final"])
    with pytest.raises(ValueError, match=r"shape \(N, 3\)"):
        fused_engine(foreign)(foreign.numeric, X, 10, **SETTINGS)


def test_no_engine_for_what_cannot_be_compiled(monkeypatch):
    f = sp.Function("f")
    assert fused_engine(Map([f(x)], [x])) is None  # an undefined function
    t = sp.Symbol("t_too_big")  # a template of its own: the answer is cached per template
    monkeypatch.setattr(numba_engine, "MAX_OPS", 2)
    assert fused_engine(Map([t**2 * sp.sin(t) + 3], [t])) is None
    monkeypatch.undo()
    m = Map([x**2 * sp.sin(x) + 3], [x])
    ref, got = both(m, np.linspace(-1, 1, 9)[:, None], 5)
    assert_same(ref, got, rtol=1e-10)


def test_generated_source_is_scalar_python():
    src, ops = numba_engine.kernel_source(AB.template, AB.state, AB.parameters)
    assert "_c0 = _p0*(_s0*_s1 - 1)" in src  # the cse of lambdify, on scalars
    assert "def advance(" in src and "def last(" in src and ops == 7


@pytest.mark.parametrize("m, eta", [(AB, 0.5), (CHAIN3, 0.5), (HENON, None)])
def test_per_orbit_and_relative_tolerances_agree(m, eta):
    # iterate's relative rules: a tolerance per orbit, and one that grows with ||f(x)||
    g = m.at(eta) if eta is not None else m
    X = normal(700, m.dim, seed=11)
    tol = np.random.default_rng(2).uniform(1e-12, 1e-6, size=700)
    for kw in (dict(tol=tol), dict(tol=1e-9, rtol=1e-9), dict(tol=tol, rtol=1e-7),
               dict(tol=-1.0)):  # -1: no orbit ever stops
        ref, got = both(g, X, 200, **kw)
        assert_same(ref, got)
    assert (ref["fate"] != 1).all()


def test_relative_tolerance_ignores_overflowed_norms():
    square = Map([x**2], [x])
    X = np.array([[1e200], [0.5]])
    ref, got = both(square, X, 40, tol=1e-9, rtol=1e-9, blowup=np.inf)
    assert_same(ref, got)
    assert ref["fate"].tolist() == [2, 1]
