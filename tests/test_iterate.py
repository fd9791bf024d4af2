"""iterate: fates and norms against closed forms and hand-written loops."""

import warnings

import numpy as np
import pytest
import sympy as sp

from gdmaps import Fate, FreeParameterError, GDMap, InvalidArgumentError, Map, iterate

a, b, x = sp.symbols("a b x")
AB = GDMap((a * b - 1) ** 2 / 2, [a, b])


@pytest.fixture(params=["numpy", "numba"])
def backend(request):
    """Every engine must meet the same closed forms."""
    if request.param == "numba":
        pytest.importorskip("numba")
    return request.param


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_ab_minus_one_converges_below_and_never_above_critical_step(backend):
    x0 = np.random.default_rng(0).normal(size=(4000, 2))
    below = iterate(AB.at(0.5), x0, 1000, backend=backend)
    above = iterate(AB.at(1.2), x0, 1000, backend=backend)
    assert below.fraction("converged") > 0.9
    assert above.counts()["converged"] == 0
    # converged points are minima: ab = 1 (the only critical points besides the origin)
    ok = below.fate == Fate.CONVERGED
    np.testing.assert_allclose(np.prod(below.final[ok], axis=1), 1, atol=1e-8)


@pytest.mark.parametrize("lam, eta", [(1.0, 0.3), (2.0, 0.9), (3.0, 0.1)])
def test_quadratic_decision_step_matches_closed_form(lam, eta, backend):
    # L = lam x^2 / 2: x_t = q^t x0 with q = 1 - eta lam; the displacement at x_{t-1}
    # is eta lam |q|^(t-1) |x0|, so the first check t with it <= tol is known exactly.
    tol, x0 = 1e-9, np.array([[1.0], [-3.0], [0.5]])
    r = iterate(GDMap(lam * x**2 / 2, [x], eta), x0, 500, tol=tol, check_every=1,
                backend=backend)
    q = abs(1 - eta * lam)
    t = np.array([next(t for t in range(1, 500) if eta * lam * q ** (t - 1) * abs(v) <= tol)
                  for v in x0[:, 0]])
    assert (r.fate == Fate.CONVERGED).all()
    np.testing.assert_array_equal(r.decided_at, t)
    np.testing.assert_allclose(r.final[:, 0], x0[:, 0] * (1 - eta * lam) ** (t - 1), rtol=1e-12)


def test_divergence_and_overflow_are_fates_not_warnings(backend):
    r = iterate(GDMap(x**2 / 2, [x], 2.5), np.array([[1.0], [0.0]]), 100, backend=backend)
    assert r.fate.tolist() == [Fate.DIVERGED, Fate.CONVERGED]
    square = Map([x**2], [x])  # overflows to inf, then nan never appears in summaries
    r = iterate(square, np.array([[10.0], [0.5], [1.0]]), 2000, blowup=np.inf, backend=backend)
    assert r.fate.tolist() == [Fate.DIVERGED, Fate.CONVERGED, Fate.CONVERGED]
    assert np.isfinite(r.final).all()
    assert np.isfinite(r.summary()["asymptotic_displacement"]["max"])
    nan_map = Map([sp.sqrt(x) - 2], [x])  # sqrt of a negative number is nan in numpy
    assert iterate(nan_map, np.array([[1.0]]), 20, backend=backend).fate.tolist() == [Fate.DIVERGED]


def test_period_two_orbit_moves_with_the_exact_asymptotic_gradient_norm(backend):
    # On a = b the update is u -> u - eta u (u^2 - 1); at eta = 1.2 solve exactly for its
    # 2-cycle; |grad L| = sqrt(2) |u (u^2 - 1)| at each point; an even window averages both.
    u, eta = sp.symbols("u"), sp.Rational(6, 5)
    f = u - eta * u * (u**2 - 1)
    roots = [float(r) for r in sp.real_roots(sp.Poly(f.subs(u, f) - u, u))]
    fu = sp.lambdify(u, f)
    cyc = [c for c in roots if c > 0 and abs(fu(c) - c) > 1e-9 and fu(c) > 0]
    assert len(cyc) == 2  # the positive 2-cycle; (1.63, -1.63) is another
    g = [np.sqrt(2) * abs(c * (c * c - 1)) for c in cyc]
    r = iterate(AB.at(1.2), np.array([[0.5, 0.5]]), 2000, window=50, backend=backend)
    assert r.fate[0] == Fate.MOVING
    assert r.asymptotic_grad_norm[0] == pytest.approx(np.mean(g), rel=1e-9)
    assert r.grad_norm[0] == pytest.approx(min(g, key=lambda v: abs(v - r.grad_norm[0])), rel=1e-9)


def test_matches_a_hand_written_loop_and_the_trajectory():
    x0 = np.random.default_rng(3).normal(size=(50, 2))
    r = iterate(AB.at(1.2), x0, 300, keep_trajectory=True, blowup=np.inf)
    A, B = x0[:, 0].copy(), x0[:, 1].copy()
    with np.errstate(all="ignore"):
        for _ in range(300):
            q = 1.2 * (A * B - 1)
            A, B = A - q * B, B - q * A
    moving = r.fate == Fate.MOVING
    np.testing.assert_allclose(r.final[moving], np.c_[A, B][moving], rtol=1e-12)
    np.testing.assert_allclose(r.trajectory[-1][moving], r.final[moving])
    assert r.trajectory.shape == (301, 50, 2)
    np.testing.assert_allclose(r.trajectory[1], AB.at(1.2)(x0))


@pytest.mark.parametrize("t_conv", ["before", "inside"])
def test_asymptotic_norm_of_an_orbit_that_converged_counts_its_final_value(t_conv, backend):
    # L = x^2/2 at eta = 0.5 halves x each step: it converges at a known step, and every
    # window step after that counts the final displacement (no more, no less)
    steps, window = (400, 20) if t_conv == "before" else (40, 30)
    r = iterate(GDMap(x**2 / 2, [x], 0.5), np.array([[1.0]]), steps, window=window,
                check_every=1, tol=1e-9, backend=backend)
    t = int(r.decided_at[0])
    disps = [0.5 * 0.5 ** (k - 1) for k in range(1, t + 1)]  # |x_k - x_{k-1}| = 0.5^k
    window_disps = [disps[k - 1] if k <= t else disps[t - 1] for k in range(steps - window + 1, steps + 1)]
    assert r.asymptotic_displacement[0] == pytest.approx(np.mean(window_disps), rel=1e-12)


def test_summary_is_json_ready_and_repr_reads_as_a_sentence():
    r = iterate(AB.at(0.5), np.array([[2.0, 0.5], [50.0, 50.0]]), 100)
    s = r.summary()
    assert s["converged"] == 1 and s["diverged"] == 1 and s["n"] == 2
    assert repr(r) == ("<IterationResult: 2 orbits, 100 steps at eta=0.5: "
                       "1 converged, 1 diverged, 0 moving>")


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=0), "steps must be an integer >= 1, got 0"),
    (dict(x0=np.zeros((3, 3))), r"x0 must have shape \(2,\) or \(N, 2\), got \(3, 3\)"),
    (dict(x0=np.array([[np.nan, 1.0]])), "x0 must contain only finite numbers"),
    (dict(tol=-1.0), "tol must be finite and > 0"),
    (dict(backend="gpu"), "backend must be one of"),
    (dict(window=20, steps=10), r"window must be <= steps \(10\)"),
])
def test_bad_arguments(kwargs, message):
    args = dict(map=AB.at(0.5), x0=np.zeros((2, 2)), steps=10) | kwargs
    with pytest.raises(InvalidArgumentError, match=message):
        iterate(args.pop("map"), args.pop("x0"), args.pop("steps"), **args)


def test_unbound_step_size_is_a_clear_error():
    with pytest.raises(FreeParameterError, match=r"\.at\(eta\)"):
        iterate(AB, np.zeros((2, 2)), 10)
