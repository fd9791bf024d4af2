"""certified_linear_network against truths computed another way.

- the closed form of whitened data, s_min = c k sigma_1(M/c)^(2 - 2/k)
  (gdmaps.certify.critical_linear.exact_linear_network, derived in proofs/g_deep_linear.py), and the
  single layer (H = I (x) S everywhere, s_min = lambda_max(S));
- a numeric minimization (scipy BFGS) of lambda_max of the compiled Hessian of the loss
  (``gdmap.numeric.hessian``) over ALL minima, parametrized by W_1, ..., W_(k-1) free and
  W_k = W* B^+ + E (I - B B^+), B = W_(k-1) ... W_1, E free (every minimum when B has full column
  rank), from random starts; and random samples of those minima (none may be flatter than the
  proved lower bound);
- the exact SymPy Hessian of the loss at the returned minimizer: a Sturm count above 2/lower,
  and its exact rank for the Morse-Bott flag.
"""

import time
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp
from flint import fmpq_mat
from scipy.optimize import minimize

from gdmaps.exact.algebraic import compare_exact
from gdmaps.certify.critical import Exactness
from gdmaps.certify.critical_linear import exact_linear_network
from gdmaps.certify.critical_linear_bracket import certified_linear_network
from gdmaps.models import linear_network, scalar_chain
from gdmaps.models.linear import LinearNetwork, data_matrices

R = sp.Rational


def _rational(shape, seed, scale=10):
    rng = np.random.default_rng(seed)
    return sp.Matrix(*shape, [R(int(x), scale) for x in rng.integers(-20, 21, size=shape[0] * shape[1])])


def _relative_width(crit):
    return (crit.certified_upper - crit.certified_lower) / crit.certified_upper


def _w_star(g):
    X = np.array(g.network.X, dtype=float)
    Y = np.array(g.network.Y, dtype=float)
    return np.linalg.lstsq(X.T, Y.T, rcond=None)[0].T  # argmin ||W X - Y||: Y X^T (X X^T)^-1


def _all_minima(g):
    """theta(z) covering every minimum with B = W_(k-1)...W_1 of full column rank."""
    Wst = _w_star(g)
    n0, nk = Wst.shape[1], Wst.shape[0]
    sizes = [n0, *g.network.widths, nk]
    shapes = [(sizes[i + 1], sizes[i]) for i in range(len(sizes) - 1)]
    free = shapes[:-1] + [shapes[-1]]  # W_1..W_(k-1), then E (same shape as W_k)

    def theta(z):
        Ws, at = [], 0
        for rows, cols in free:
            Ws.append(z[at:at + rows * cols].reshape(rows, cols))
            at += rows * cols
        B = np.eye(n0)
        for W in Ws[:-1]:
            B = W @ B
        Bp = np.linalg.pinv(B)
        Ws[-1] = Wst @ Bp + Ws[-1] @ (np.eye(B.shape[0]) - B @ Bp)
        return np.concatenate([W.ravel() for W in Ws])

    return theta, sum(r * c for r, c in free)


def _sharpness(g, x):
    return float(np.linalg.eigvalsh(g.numeric.hessian(x))[-1])


# -- (a) whitened data: the closed form ---------------------------------------------------------
O3 = sp.Matrix([[1, 2, 2], [2, 1, -2], [2, -2, 1]]) / 3  # rational orthogonal


@pytest.mark.parametrize("X, Y, widths", [
    (2 * O3[:2, :], sp.Matrix([[1, 2, 0], [0, 1, -1]]), (2, 2)),   # X X^T = 4 I, d_in < n
    (2 * O3[:2, :], sp.Matrix([[3, -1, 2]]), (2, 2)),               # rank 1, widths > rank
    (sp.Matrix([[2, 0], [0, 2]]), sp.Matrix([[16, 0], [0, 2]]), (2, 2)),  # eta* = 1/96
    (O3, sp.Matrix([[1, 0, 2], [0, -1, 1]]), (3,)),                 # depth 2, c = 1
    (sp.Matrix([[1]]), sp.Matrix([[8]]), (1, 1)),                   # the scalar chain: 1/24
])
def test_whitened_bracket_contains_the_closed_form(X, Y, widths):
    g = linear_network(X, Y, widths)
    exact = exact_linear_network(g)
    crit = certified_linear_network(g)
    assert exact is not None and crit is not None
    assert crit.exactness is Exactness.CERTIFIED and crit.minima_proved is True
    assert compare_exact(R(crit.certified_lower), exact.eta_star) <= 0
    assert compare_exact(exact.eta_star, R(crit.certified_upper)) <= 0
    assert _relative_width(crit) < 1e-6
    assert crit.morse_bott == exact.morse_bott


def test_single_layer_is_lambda_max_of_s():
    X, Y = sp.Matrix([[1, 0, 1], [0, 1, 1]]), sp.Matrix([[1, 2, 0]])
    crit = certified_linear_network(linear_network(X, Y, []))
    s = max(np.linalg.eigvalsh(np.array(X * X.T, dtype=float)))  # 3: H = I (x) S
    assert crit.certified_lower <= 2 / s <= crit.certified_upper
    assert crit.morse_bott and crit.minimizer == (0, 1)  # W* = Y X^T S^-1 = [0, 1]


# -- (b) non-whitened data: an independent minimization over all minima --------------------------
NONWHITE = [
    (sp.Matrix([[1, 0, 1], [0, 1, 1]]), sp.Matrix([[1, 2, 0], [0, 1, -1]]), (2, 2)),  # the proof's
    (_rational((2, 4), 1), _rational((2, 4), 2), (3, 3)),   # widths > rank = 2
    (_rational((2, 5), 3), _rational((3, 5), 4), (2, 3)),
    (_rational((3, 5), 5), _rational((1, 5), 6), (3, 3)),   # d_out = rank 1 < widths
]


@pytest.mark.parametrize("X, Y, widths", [NONWHITE[0]] + [pytest.param(*case, marks=pytest.mark.slow)
                                                           for case in NONWHITE[1:]])
def test_bracket_contains_an_independent_minimization(X, Y, widths):
    # slow (~10 s each): compiling the gdmaps Hessian and a BFGS with numeric gradients
    g = linear_network(X, Y, widths)
    crit = certified_linear_network(g)
    assert crit is not None and crit.exactness is Exactness.CERTIFIED
    s_low = 2 / crit.certified_upper  # proved: every minimum has lambda_max >= s_low
    theta, dim = _all_minima(g)
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(200, dim))
    pts = np.array([theta(z) for z in Z])
    k = len(widths) + 1
    scale = np.maximum(1, np.abs(pts).max(axis=1)) ** (2 * k - 1)  # the gradient is of degree 2k-1
    assert np.all(np.abs(g.numeric.gradient(pts)).max(axis=1) < 1e-12 * scale), "not on the minima"
    lm = np.linalg.eigvalsh(g.numeric.hessian(pts))[:, -1]
    assert lm.min() >= s_low * (1 - 1e-12), "a sampled minimum is flatter than the proved bound"
    best = min((minimize(lambda z: _sharpness(g, theta(z)), z0, method="BFGS",
                         options={"gtol": 1e-10}) for z0 in Z[np.argsort(lm)[:2]]),
               key=lambda r: r.fun)
    s_num = best.fun
    assert s_num >= s_low * (1 - 1e-12)               # proved bound, checked independently
    assert 2 / s_num >= crit.certified_lower * (1 - 1e-8)  # the bracket holds the numeric optimum
    # the returned minimizer is a minimum of the compiled loss, with the reported sharpness
    x = np.array([float(v) for v in crit.minimizer])
    assert np.abs(g.numeric.gradient(x)).max() < 1e-9
    assert abs(_sharpness(g, x) - crit.sharpness) <= 1e-9 * crit.sharpness
    assert 2 / crit.sharpness >= crit.certified_lower


@pytest.mark.parametrize("X, Y, widths", [NONWHITE[0], pytest.param(*NONWHITE[1], marks=pytest.mark.slow)])
def test_exact_hessian_of_the_loss_at_the_minimizer(X, Y, widths):
    g = linear_network(X, Y, widths)
    crit = certified_linear_network(g)
    at = dict(zip(g.state, crit.minimizer))
    assert all(isinstance(v, sp.Rational) for v in crit.minimizer)
    assert g.gradient().xreplace(at) == sp.zeros(g.dim, 1)  # an exact critical point
    assert g.loss.xreplace(at) == sp.Rational(min_loss(X, Y))  # at the minimum value
    H = g.hessian().xreplace(at)
    lam = sp.Symbol("lam")
    coeffs = fmpq_mat(g.dim, g.dim, [_q(e) for e in H]).charpoly().coeffs()  # low to high
    cp = sp.Poly([R(int(c.p), int(c.q)) for c in coeffs[::-1]], lam)
    assert cp.count_roots(2 / R(crit.certified_lower), None) == 0  # lambda_max < 2 / lower
    assert cp.count_roots(2 / R(crit.certified_upper), None) >= 1  # lambda_max >= s_low
    m = X.rows * Y.rows
    assert crit.morse_bott == (H.rank() == m)


def _q(e):
    from flint import fmpq

    e = sp.Rational(e)
    return fmpq(int(e.p), int(e.q))


def min_loss(X, Y):
    """min over W of 1/2 ||W X - Y||^2, exactly (X full row rank)."""
    W = Y * X.T * (X * X.T).inv()
    return sum(e**2 for e in (W * X - Y)) / 2


def test_rank_deficient_target_is_not_morse_bott():
    # Y X^T S^-1 of rank 1 < d_in = d_out = 2: J is not onto at the padded minimum
    X = sp.Matrix([[1, 0, 1], [0, 1, 1]])
    Y = sp.Matrix([[1], [2]]) * sp.Matrix([[1, -1, 2]])
    crit = certified_linear_network(linear_network(X, Y, (2, 2)))
    assert crit is not None and not crit.morse_bott and _relative_width(crit) < 1e-6


# -- (c) the width target -----------------------------------------------------------------------
def test_width_depth3_width2():
    crit = certified_linear_network(linear_network(*NONWHITE[0][:2], (2, 2)))
    assert _relative_width(crit) <= 1e-6
    assert crit.morse_bott and crit.minima_proved is True


def test_width_and_time_at_50_parameters():
    # the ~50-parameter network: only .network is read, so the SymPy loss is not built here
    X, Y = data_matrices(_rational((12, 15), 7), _rational((2, 15), 8))
    g = SimpleNamespace(network=LinearNetwork(X, Y, (3, 3), "sum"))
    t0 = time.perf_counter()
    crit = certified_linear_network(g)
    elapsed = time.perf_counter() - t0
    assert len(crit.minimizer) == 12 * 3 + 3 * 3 + 3 * 2 == 51
    assert _relative_width(crit) <= 1e-6 and crit.morse_bott
    assert elapsed < 30
    # the minimizer is exactly on the minima: W3 W2 W1 = Y X^T (X X^T)^-1, in SymPy
    th = crit.minimizer
    W1, W2, W3 = sp.Matrix(3, 12, th[:36]), sp.Matrix(3, 3, th[36:45]), sp.Matrix(2, 3, th[45:])
    assert W3 * W2 * W1 == Y * X.T * (X * X.T).inv()


# -- (d) None -----------------------------------------------------------------------------------
@pytest.mark.parametrize("X, Y, widths", [
    (sp.Matrix([[1, 0, 1], [0, 1, 1]]), sp.Matrix([[1, 2, 0], [0, 1, -1]]), (1, 2)),  # width < rank
    (sp.Matrix([[1, 0, 1], [0, 1, 1]]), sp.Matrix([[1, 2, 0], [0, 1, -1]]), (2, 1)),
    (sp.Matrix([[1, 2, 3], [2, 4, 6]]), sp.Matrix([[1, 0, 1]]), (2, 2)),            # S singular
    (sp.Matrix([[1, 0], [0, 1], [1, 1]]), sp.Matrix([[1, 0]]), (2,)),              # d_in > n
    (sp.Matrix([[1, 0, 1], [0, 1, 1]]), sp.Matrix([[1, -1, 0]]) * 0, (2, 2)),      # W* = 0
])
def test_none(X, Y, widths):
    assert certified_linear_network(linear_network(X, Y, widths)) is None


def test_none_without_network_or_rational_data():
    assert certified_linear_network(scalar_chain(3, 2)) is None
    a = sp.Symbol("a")
    assert certified_linear_network(linear_network(sp.Matrix([[1, 0], [0, 1]]),
                                                   sp.Matrix([[a, 0]]), (1,))) is None
    assert certified_linear_network(linear_network(sp.Matrix([[1, 0], [0, 1]]),
                                                   sp.Matrix([[sp.sqrt(2), 0]]), (1,))) is None


# -- (e) mean = n * sum -------------------------------------------------------------------------
@pytest.mark.parametrize("X, Y, widths", NONWHITE[:3])
def test_mean_is_n_times_sum(X, Y, widths):
    n = X.cols
    s = certified_linear_network(linear_network(X, Y, widths))
    m = certified_linear_network(linear_network(X, Y, widths, reduction="mean"))
    assert m.certified_lower <= n * s.certified_upper and n * s.certified_lower <= m.certified_upper
    assert m.certified_lower == pytest.approx(n * s.certified_lower, rel=1e-12)
    assert m.certified_upper == pytest.approx(n * s.certified_upper, rel=1e-12)
    assert m.sharpness == pytest.approx(s.sharpness / n, rel=1e-12)
    assert m.minimizer == s.minimizer and m.morse_bott == s.morse_bott


def test_argument_reads_as_the_proof():
    crit = certified_linear_network(linear_network(*NONWHITE[0]))
    text = crit.argument
    for phrase in ("W* = Y X^T S^-1 = [[0, 1], [-2/3, 1/3]]", "bounded below", "b(v) = 3 |W* v|",
                   "The rational v = [", "ball arithmetic", "so it is a global minimum",
                   "positive definite (Gershgorin, congruence)", "Morse-Bott"):
        assert phrase in text, phrase
    assert repr(crit.certified_upper) in text and repr(crit.certified_lower) in text
