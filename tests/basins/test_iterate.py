"""iterate: fates and norms against closed forms and hand-written loops."""

import json
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
    assert above.counts["converged"] == 0
    # converged points are minima: ab = 1 (the only critical points besides the origin)
    ok = below.fate == Fate.CONVERGED
    np.testing.assert_allclose(np.prod(below.final[ok], axis=1), 1, atol=1e-8)


@pytest.mark.parametrize("lam, eta", [(1.0, 0.3), (2.0, 0.9), (3.0, 0.1)])
def test_quadratic_decision_step_matches_closed_form(lam, eta, backend):
    # L = lam x^2 / 2: x_t = q^t x0 with q = 1 - eta lam; the gradient at x_{t-1} is
    # lam |q|^(t-1) |x0|, and the rule stops at the first check t where it is at most
    # tol * max(1, lam |x0|) (the gradient at the start), whatever eta.
    tol, x0 = 1e-9, np.array([[1.0], [-3.0], [0.5]])
    r = iterate(GDMap(lam * x**2 / 2, [x], eta), x0, 500, tol=tol, check_every=1,
                backend=backend)
    q = abs(1 - eta * lam)
    t = np.array([next(t for t in range(1, 500)
                       if lam * q ** (t - 1) * abs(v) <= tol * max(1, lam * abs(v)))
                  for v in x0[:, 0]])
    assert (r.fate == Fate.CONVERGED).all()
    np.testing.assert_array_equal(r.decided_at, t)
    np.testing.assert_allclose(r.final[:, 0], x0[:, 0] * (1 - eta * lam) ** (t - 1), rtol=1e-12)


def test_divergence_and_overflow_are_fates_not_warnings(backend):
    # x = 0 is a fixed point of x -> x - 2.5 x, multiplier -1.5: it stalls there, unstable
    r = iterate(GDMap(x**2 / 2, [x], 2.5), np.array([[1.0], [0.0]]), 100, backend=backend)
    assert r.fate.tolist() == [Fate.DIVERGED, Fate.UNSTABLE]
    square = Map([x**2], [x])  # overflows to inf, then nan never appears in summaries
    # 0 attracts (multiplier 0), 1 repels (multiplier 2)
    r = iterate(square, np.array([[10.0], [0.5], [1.0]]), 2000, blowup=np.inf, backend=backend)
    assert r.fate.tolist() == [Fate.DIVERGED, Fate.CONVERGED, Fate.UNSTABLE]
    np.testing.assert_allclose(r.spectral_radius[1:], [0.0, 2.0], atol=1e-12)
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
    # (2, 0.5) is a minimum with a^2 + b^2 = 4.25 > 2 / eta = 4: unstable (behaviour change:
    # it used to count as converged); (1, 1) is a stable minimum
    r = iterate(AB.at(0.5), np.array([[2.0, 0.5], [50.0, 50.0], [1.0, 1.0]]), 100)
    s = r.summary()
    assert s["converged"] == 1 and s["diverged"] == 1 and s["unstable"] == 1 and s["starts"] == 3
    assert s["rule"] == "||grad L(x)|| <= 1e-09 max(1, ||grad L(x0)||)"
    json.dumps(s)
    assert repr(r) == ("<IterationResult: 3 orbits, 100 steps at eta=0.5: "
                       "1 converged, 1 diverged, 0 moving, 1 unstable>")
    assert repr(iterate(AB.at(0.5), np.array([[1.0, 1.0]]), 100)) == (
        "<IterationResult: 1 orbits, 100 steps at eta=0.5: 1 converged, 0 diverged, 0 moving>")


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=0), "steps must be an integer >= 1, got 0"),
    (dict(x0=np.zeros((3, 3))), r"x0 must have shape \(2,\) or \(N, 2\), got \(3, 3\)"),
    (dict(x0=np.array([[np.nan, 1.0]])), "x0 must contain only finite numbers"),
    (dict(tol=-1.0), "tol must be finite and > 0"),
    (dict(grad_tol=0.0), "grad_tol must be finite and > 0"),
    (dict(disp_tol=np.inf), "disp_tol must be finite and > 0"),
    (dict(stability_tol=-1e-3), "stability_tol must be finite and > 0"),
    (dict(loss_tol=1e-8), "loss_tol and loss_min go together"),
    (dict(loss_min=0.0), "loss_tol and loss_min go together"),
    (dict(loss_min="0", loss_tol=1e-8), "loss_min must be a finite number"),
    (dict(loss_min=0, loss_tol=1e-8, backend="numba"), "backend='numba' cannot test the loss"),
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


# -- issue 11 section 5: "converged" must mean converged ----------------------------------


def hand_grad_ab(P):
    """grad of (ab - 1)^2 / 2 by hand: (ab - 1) (b, a)."""
    A, B = P[:, 0], P[:, 1]
    return np.c_[(A * B - 1) * B, (A * B - 1) * A]


def test_tiny_step_size_is_not_convergence(backend):
    # eta = 1e-10: in 1000 steps nothing moves by more than 1e-6, the gradient stays where it
    # started. The old rule (eta ||grad L|| <= 1e-9) called 99 of these 100 orbits converged.
    x0 = np.random.default_rng(0).normal(size=(100, 2))
    r = iterate(AB.at(1e-10), x0, 1000, backend=backend)
    g = np.linalg.norm(hand_grad_ab(r.final), axis=1)
    g0 = np.linalg.norm(hand_grad_ab(x0), axis=1)
    assert np.median(g) > 0.5
    small = g <= 1e-9 * np.maximum(1, g0)  # the rule, with the gradient computed by hand
    np.testing.assert_array_equal(r.fate == Fate.CONVERGED, small)
    assert r.counts["converged"] == int(small.sum()) <= 1
    np.testing.assert_allclose(r.grad_norm, g, rtol=1e-4)
    old = iterate(AB.at(1e-10), x0, 1000, disp_tol=1e-9, backend=backend)  # eta-dependent
    assert old.counts["converged"] == 99


@pytest.mark.parametrize("start", [[1.0, 1.0], [1.0, 1.0 + 1e-12], [1.0 - 3e-13, 1.0 + 2e-13]])
def test_orbit_at_an_unstable_minimum_is_not_converged(start, backend):
    # On ab = 1, H = [[b^2, 2ab - 1], [2ab - 1, a^2]] = [[b^2, 1], [1, a^2]]: eigenvalues 0 and
    # a^2 + b^2 >= 2ab = 2 (= 2|y|), equality at (1, 1). So (1, 1) is the flattest minimum,
    # eta* = 2 / 2 = 1, and at eta = 1.01 its multipliers are 1 and 1 - 2.02 = -1.02.
    r = iterate(AB.at(1.01), np.array([start]), 100, backend=backend)
    assert r.fate[0] == Fate.UNSTABLE
    assert r.spectral_radius[0] == pytest.approx(1.02, rel=1e-9)
    # longer: it stalls, is run on, leaves (|-1.02|^t amplifies the 1e-12), and never converges
    r = iterate(AB.at(1.01), np.array([start]), 3000, backend=backend)
    assert r.fate[0] in (Fate.MOVING, Fate.UNSTABLE) and r.fate[0] != Fate.CONVERGED
    # just below eta* the same point is a stable minimum: converged, multipliers 1 and -0.98
    r = iterate(AB.at(0.99), np.array([start]), 100, backend=backend)
    assert r.fate[0] == Fate.CONVERGED
    assert r.spectral_radius[0] == pytest.approx(1.0, abs=1e-9)


def test_resumed_orbit_follows_the_hand_written_loop():
    # eta = 1.05, start 1e-10 off (1, 1) along the unstable direction (1, 1) (H = [[1, 1],
    # [1, 1]]; along (1, -1), the null direction, ab = 1 - 1e-20 rounds to 1 and nothing moves):
    # it stalls at the first check, is run on, and its trajectory is that of the plain loop
    x0 = np.array([[1.0 + 1e-10, 1.0 + 1e-10]])
    r = iterate(AB.at(1.05), x0, 400, keep_trajectory=True, blowup=np.inf)
    A, B = x0[0].copy()
    states = [(A, B)]
    for _ in range(400):
        q = 1.05 * (A * B - 1)
        A, B = A - q * B, B - q * A
        states.append((A, B))
    np.testing.assert_allclose(r.trajectory[:, 0], states, rtol=1e-9, atol=1e-14)
    assert r.decided_at[0] == -1 and r.fate[0] == Fate.MOVING
    assert abs(A * B - 1) > 0.01  # it left the minimum (1, 1): the 2-cycle of a = b
    np.testing.assert_allclose(r.final[0], states[-1], rtol=1e-9)


def test_stable_minima_still_converge_and_fates_do_not_depend_on_the_batch(backend):
    x0 = np.random.default_rng(5).normal(size=(2000, 2))
    r = iterate(AB.at(0.5), x0, 1000, backend=backend)
    c = r.fate == Fate.CONVERGED
    assert c.mean() > 0.9
    a2b2 = np.sum(r.final[c] ** 2, axis=1)  # the Hessian's nonzero eigenvalue on ab = 1
    assert (0.5 * a2b2 <= 2 + 1e-6).all()
    u = r.fate == Fate.UNSTABLE  # stalled on a minimum with a^2 + b^2 > 4 (or the saddle 0)
    assert ((np.sum(r.final[u] ** 2, axis=1) > 4) | (np.abs(r.final[u]).max(axis=1) < 1e-6)).all()
    sub = iterate(AB.at(0.5), x0[::7], 1000, backend=backend)  # each orbit's own tolerance
    np.testing.assert_array_equal(sub.fate, r.fate[::7])


def test_general_maps_use_the_relative_displacement_and_their_multipliers():
    # logistic r x (1 - x): the fixed point 1 - 1/r has multiplier 2 - r
    lg = sp.symbols("r")
    stable = Map([2.5 * x * (1 - x)], [x])
    r = iterate(stable, np.array([[0.3]]), 200)
    assert r.fate[0] == Fate.CONVERGED and r.spectral_radius[0] == pytest.approx(0.5, rel=1e-6)
    assert r.rule == "||f(x) - x|| <= 1e-09 (1 + ||f(x)||)"
    unstable = Map([lg * x * (1 - x)], [x], {lg: sp.Rational(16, 5)})
    r = iterate(unstable, np.array([[1 - 5 / 16]]), 30)  # the fixed point itself: mu = -1.2
    assert r.fate[0] == Fate.UNSTABLE and r.spectral_radius[0] == pytest.approx(1.2, rel=1e-9)
    with pytest.raises(InvalidArgumentError, match="grad_tol tests the gradient of a GD map"):
        iterate(stable, np.array([[0.3]]), 10, grad_tol=1e-6)
    off = iterate(unstable, np.array([[1 - 5 / 16]]), 30, stability=False)
    assert off.fate[0] == Fate.CONVERGED and off.spectral_radius is None


XOR = dict(X=[[0, 0, 1, 1], [0, 1, 0, 1]], Y=[0, 1, 1, 0], widths=[4], activation="tanh")


def test_xor_network_minima_sharper_than_two_over_eta_are_not_converged():
    # The case: a 2-4-1 tanh network with biases on XOR, mean loss, eta = 0.5, Glorot
    # starts, the old tolerance. Truth from the SymPy Hessian (compiled from the symbolic
    # loss; the check itself uses backpropagation): a minimum is stable iff eta lambda_max <= 2.
    from gdmaps.models import mlp
    from gdmaps.core.samplers import network_init

    net = mlp(**XOR, reduction="mean", bias=True, eta=0.5)
    starts = network_init(net, "glorot", 1000, seed=0)
    old = iterate(net, starts, 1000, tol=1e-9, stability=False)
    new = iterate(net, starts, 1000, tol=1e-9)

    def sharpness(P):
        return 0.5 * np.linalg.eigvalsh(net.numeric.hessian(P))[:, -1]

    was = old.fate == Fate.CONVERGED
    assert (sharpness(old.final[was]) > 2 + 1e-3).sum() >= 20  # the defect: sharp "converged"
    conv, uns = new.fate == Fate.CONVERGED, new.fate == Fate.UNSTABLE
    assert conv.sum() > 850 and uns.sum() >= 5
    assert (sharpness(new.final[conv]) <= 2 + 1e-6).all()
    assert (sharpness(new.final[uns]) > 2).all()
    lam = np.linalg.eigvalsh(net.numeric.hessian(new.final[conv | uns]))
    rho = np.maximum(np.abs(1 - 0.5 * lam[:, 0]), np.abs(1 - 0.5 * lam[:, -1]))
    np.testing.assert_allclose(new.spectral_radius[conv | uns], rho, rtol=1e-8)


def test_network_defaults_and_user_criteria():
    from gdmaps.models import mlp

    net = mlp(**XOR, reduction="mean", bias=True, eta=0.5)
    starts = np.random.default_rng(1).normal(size=(50, net.dim))
    r = iterate(net, starts, 3000)
    assert r.tol == 1e-3 and r.rule == "||grad L(x)|| <= 0.001 max(1, ||grad L(x0)||)"
    c = r.fate == Fate.CONVERGED
    g = np.linalg.norm(net.numeric.gradient(r.final[c]), axis=1)
    g0 = np.linalg.norm(net.numeric.gradient(starts[c]), axis=1)
    assert (g <= 1e-3 * np.maximum(1, g0) * (1 + 1e-6)).all()
    r = iterate(net, starts, 3000, grad_tol=1e-5)
    c = r.fate == Fate.CONVERGED
    assert c.any() and (np.linalg.norm(net.numeric.gradient(r.final[c]), axis=1) <= 1e-5 * (1 + 1e-6)).all()
    # the loss test comes on top of the gradient test: an orbit stops when either holds
    r = iterate(net, starts, 3000, grad_tol=1e-12, loss_min=0, loss_tol=1e-4)
    assert r.rule == "||grad L(x)|| <= 1e-12 or L(x) - 0 <= 0.0001"
    c = r.fate == Fate.CONVERGED
    loss = net.numeric.loss(r.final[c])
    g = np.linalg.norm(net.numeric.gradient(r.final[c]), axis=1)
    assert c.sum() > 10 and ((loss <= 1e-4) | (g <= 1e-12 * (1 + 1e-6))).all()
    assert (loss[r.decided_at[c] < 3000] <= 1e-4).any()


def test_large_network_is_checked_by_lanczos_on_its_stopped_orbits():
    from gdmaps.models import mlp
    from gdmaps.core.samplers import network_init
    from gdmaps.core.stability import spectral_radii

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 16))
    g = mlp(X, np.sin(X.sum(0, keepdims=True)), [32], "tanh", reduction="mean", symbolic=False,
            eta=0.2)
    starts = network_init(g, "he", 30, seed=0)
    r = iterate(g, starts, 400, grad_tol=0.05)
    stopped = np.isin(r.fate, [Fate.CONVERGED, Fate.UNSTABLE])
    assert stopped.sum() >= 10 and np.isnan(r.spectral_radius[~stopped]).all()
    dense = spectral_radii(g, r.final[stopped], method="dense")
    assert (r.spectral_radius[stopped] <= dense * (1 + 1e-9)).all()
    np.testing.assert_allclose(r.spectral_radius[stopped], dense, rtol=1e-2)
