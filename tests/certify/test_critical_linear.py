"""exact_linear_network against truths computed another way.

- closed forms derived by hand: the scalar chain eta* = 2 / (k |y|^(2 - 2/k)) (DESIGN.md), the
  single layer (H = c I), and the depth-2 rule of gdmaps.certify.critical (eta* = 1 / ||Y X^T||_2);
- exact Hessians of the loss (SymPy) at rational minima;
- a numeric minimization (scipy BFGS) of lambda_max of the compiled Hessian over the manifold of
  minima {W_k ... W_1 = M/c}, parametrized by W_1, ..., W_(k-1) invertible and
  W_k = (M/c) (W_(k-1) ... W_1)^(-1), and random samples of that manifold (the lower bound).
"""

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize

from gdmaps import GDMap
from gdmaps.certify.critical import Exactness, critical_learning_rate
from gdmaps.certify.critical_linear import exact_linear_network
from gdmaps.models import linear_network, scalar_chain

R = sp.Rational
O3 = sp.Matrix([[1, 2, 2], [2, 1, -2], [2, -2, 1]]) / 3  # rational orthogonal
H2 = sp.Matrix([[1, 1], [1, -1]])                        # H2 H2^T = 2 I


def _is_exact(x):
    return isinstance(x, sp.Basic) and not x.atoms(sp.Float)


# -- closed forms ------------------------------------------------------------------------------
@pytest.mark.parametrize("y", [R(2), R(-3), R(1, 2), R(5, 7), R(8), R(-27, 8)])
def test_depth3_scalar_network_is_the_scalar_chain_closed_form(y):
    crit = exact_linear_network(linear_network(sp.Matrix([[1]]), sp.Matrix([[y]]), (1, 1)))
    assert crit.exactness is Exactness.EXACT
    expected = 2 / (3 * abs(y) ** R(4, 3))
    assert _is_exact(crit.eta_star) and _is_exact(crit.sharpness)
    assert sp.simplify(crit.eta_star - expected) == 0
    assert sp.simplify(crit.sharpness - 3 * abs(y) ** R(4, 3)) == 0


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_scalar_networks_of_every_depth_match_the_product_rule(k):
    # x = 1: L = (w_1 ... w_k - y)^2 / 2, s_min = k |y|^(2 - 2/k); also gdmaps.certify.critical's
    # product-form rule on the equivalent scalar chain
    y = R(-5, 2)
    crit = exact_linear_network(linear_network(sp.Matrix([[1]]), sp.Matrix([[y]]), (1,) * (k - 1)))
    assert sp.simplify(crit.eta_star - 2 / (k * abs(y) ** (2 - R(2, k)))) == 0
    assert sp.simplify(crit.eta_star - critical_learning_rate(scalar_chain(k, y)).eta_star) == 0


def test_single_layer_is_quadratic_with_s_min_c():
    # L = 1/2 ||W X - Y||^2 with X X^T = 4 I: H = 4 I everywhere (exact SymPy Hessian)
    X, Y = 2 * O3[:2, :], sp.Matrix([[1, -2, 3], [0, 5, R(1, 3)]])
    g = linear_network(X, Y, [])
    H = g.hessian()
    assert not H.free_symbols and H == 4 * sp.eye(g.dim)
    crit = exact_linear_network(g)
    assert crit.sharpness == 4 and crit.eta_star == R(1, 2) and crit.morse_bott
    W = np.array(crit.minimizer)
    assert np.allclose(W.reshape(2, 2), np.array(Y * X.T / 4, dtype=float))


def test_exact_hessian_at_the_balanced_and_at_unbalanced_rational_minima():
    # X = H2 (c = 2) and Y = N X, so M = Y X^T = 2 N and M/c = N = diag(8, 1/8)
    N = sp.diag(8, R(1, 8))
    g = linear_network(H2, N * H2, [2, 2])
    crit = exact_linear_network(g)
    # closed form by hand: c k sigma_1^(2 - 2/k) = 2 * 3 * 8^(4/3) = 96
    assert crit.sharpness == 96 and crit.eta_star == R(1, 48)
    th, lam = g.state, sp.Symbol("lam")
    Hsym, grad = g.hessian(), g.gradient()
    D = sp.diag(2, R(1, 2))  # N^(1/3)
    pt = dict(zip(th, list(D) * 3))
    assert grad.xreplace(pt) == sp.zeros(g.dim, 1)
    # by hand: eigenvalues c (p^2 + p q + q^2), p, q in {4, 1/4}, and zeros
    cp = sp.Poly(Hsym.xreplace(pt).charpoly(lam).as_expr(), lam)
    expected = lam**8 * (lam - 96) * (lam - R(3, 8)) * (lam - 2 * (16 + 1 + R(1, 16)))**2
    assert cp == sp.Poly(expected, lam)
    # rational unbalanced minima: W1 = G1 D, W2 = G2 D G1^-1, W3 = D G2^-1
    for G1, G2 in ((sp.Matrix([[1, 1], [0, 1]]), sp.eye(2)),
                   (sp.diag(2, 1), sp.Matrix([[1, 0], [R(1, 2), 1]])),
                   (sp.Matrix([[0, 1], [-1, 3]]), sp.Matrix([[2, 1], [1, 1]]))):
        W1, W2, W3 = G1 * D, G2 * D * G1.inv(), D * G2.inv()
        assert W3 * W2 * W1 == N
        pt = dict(zip(th, list(W1) + list(W2) + list(W3)))
        assert grad.xreplace(pt) == sp.zeros(g.dim, 1)
        cp = sp.Poly(Hsym.xreplace(pt).charpoly(lam).as_expr(), lam)
        assert cp.count_roots(97, None) >= 1  # lambda_max(H) > 96 = s_min: sharper


def test_depth2_agrees_with_gdmaps_critical():
    from gdmaps.certify import critical
    old = getattr(critical, "_exact_linear", None)
    X = O3[:2, :]
    cases = [(X, sp.Matrix([[1, 2, 3], [0, 1, -1]]), [2]),
             (3 * X, sp.Matrix([[1, 2, 3], [0, 1, -1]]), [3]),
             (X, sp.Matrix([[R(1, 3), 2, 7]]), [1]),
             (2 * O3, sp.Matrix([[1, 2, 3], [2, 4, 6], [0, 0, 1]]), [2]),
             (H2, sp.Matrix([[3, -1], [2, 5]]), [4])]
    for Xc, Y, w in cases:
        for reduction in ("sum", "mean"):
            g = linear_network(Xc, Y, w, reduction=reduction)
            mine = exact_linear_network(g)
            theirs = [critical_learning_rate(g)] + ([old(g)] if old is not None else [])
            for t in theirs:
                assert t.exactness is Exactness.EXACT
                assert sp.simplify(mine.eta_star - t.eta_star) == 0, (Y, w, reduction)
            # and the closed form 1 / ||M||_2 (sum), n / ||M||_2 (mean), in floats
            n = Xc.shape[1] if reduction == "mean" else 1
            assert float(mine.eta_star) == pytest.approx(
                n / np.linalg.norm(np.array(Y * Xc.T, dtype=float), 2), rel=1e-12)


def test_mean_is_n_times_sum():
    for X, Y, w in ((2 * O3, sp.Matrix([[1, 2, 0], [-1, 1, 3]]), [2, 3]),
                    (H2, sp.Matrix([[2, 1], [0, -1]]), [2, 2, 2])):
        s = exact_linear_network(linear_network(X, Y, w))
        m = exact_linear_network(linear_network(X, Y, w, reduction="mean"))
        assert sp.simplify(m.eta_star - X.shape[1] * s.eta_star) == 0
        assert sp.simplify(m.sharpness - s.sharpness / X.shape[1]) == 0


def test_refusals():
    # not whitened
    assert exact_linear_network(linear_network([[1, 1], [0, 1]], [[1, 0], [0, 1]], [2, 2])) is None
    assert exact_linear_network(linear_network([[1, 0], [0, 2]], [[1, 0]], [1])) is None
    # a width below rank M = 2: the minima are best rank-1 approximations, not W3 W2 W1 = M
    assert exact_linear_network(linear_network(np.eye(2), [[1, 2], [3, 4]], [2, 1])) is None
    # symbolic or Float data, and maps without a network
    a = sp.Symbol("a")
    assert exact_linear_network(linear_network(sp.eye(2), sp.Matrix([[a, 0], [0, 1]]), [2])) is None
    assert exact_linear_network(linear_network(sp.eye(2), sp.Matrix([[0.5, 0], [0, 1]]), [2])) is None
    assert exact_linear_network(scalar_chain(3, 2)) is None
    assert exact_linear_network(GDMap(a**2, [a])) is None


def test_zero_targets_give_an_infinite_rate_at_depth_two_and_more():
    assert exact_linear_network(linear_network(np.eye(2), np.zeros((2, 2)), [2, 2])).eta_star == sp.oo
    assert exact_linear_network(linear_network(np.eye(2), np.zeros((2, 2)), [])).eta_star == 2


# -- numeric minimization over the minima ------------------------------------------------------
def _minima_parametrization(N, k):
    d = N.shape[0]

    def point(z):
        Ws = [z[i * d * d:(i + 1) * d * d].reshape(d, d) for i in range(k - 1)]
        P = np.eye(d)
        for W in Ws:
            P = W @ P
        Ws.append(N @ np.linalg.inv(P))
        return np.concatenate([W.ravel() for W in Ws])

    return point


CASES = [
    pytest.param(H2, sp.Matrix([[2, 1], [0, -1]]), 3, id="depth3-2x2-c2"),
    pytest.param(H2, sp.Matrix([[2, 1], [0, -1]]), 4, id="depth4-2x2-c2"),
    pytest.param(sp.Matrix([[3, -4], [4, 3]]) / 5, sp.Matrix([[R(1, 2), 3], [-2, 1]]), 3,
                 id="depth3-2x2-rotated"),
    pytest.param(2 * O3, sp.Matrix([[1, 2, 0], [-1, 1, 3], [2, 0, 1]]), 3, id="depth3-3x3-c4",
                 marks=pytest.mark.slow),
]


@pytest.mark.parametrize("X, Y, k", CASES)
def test_against_a_numeric_minimization_over_the_minima(X, Y, k):
    d = X.shape[0]
    g = linear_network(X, Y, [d] * (k - 1))
    crit = exact_linear_network(g)
    assert crit.exactness is Exactness.EXACT and crit.morse_bott
    s = float(crit.sharpness)
    c = float((X * X.T)[0, 0])
    N = np.array(Y * X.T, dtype=float) / c
    assert len(set(np.round(np.linalg.svd(N, compute_uv=False), 8))) == d  # distinct singular values
    num = g.numeric
    point = _minima_parametrization(N, k)
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(300, (k - 1) * d * d))
    pts = np.array([point(z) for z in Z])
    scale = (1 + np.linalg.norm(pts, axis=1)) ** (2 * k)
    assert (np.linalg.norm(num.gradient(pts), axis=1) / scale).max() < 1e-12  # they are minima
    lmax = np.linalg.eigvalsh(num.hessian(pts))[:, -1]
    assert lmax.min() >= s * (1 - 1e-9), "a sampled minimum is flatter than the exact s_min"

    def sharp(z):
        return np.linalg.eigvalsh(num.hessian(point(z)))[-1]

    best = min(minimize(sharp, z0, method="BFGS", options={"gtol": 1e-9}).fun
               for z0 in Z[np.argsort(lmax)[:2]])
    assert best == pytest.approx(s, rel=1e-5)
    assert best >= s * (1 - 1e-9)
    # the reported minimizer: a minimum, as flat as s_min, and ker H = tangent (rank d^2)
    x = np.array(crit.minimizer)
    assert np.abs(num.gradient(x)).max() < 1e-9
    ev = np.linalg.eigvalsh(num.hessian(x))
    assert ev[-1] == pytest.approx(s, rel=1e-9)
    assert int((ev > 1e-9 * s).sum()) == d * d


def test_morse_bott_flag_matches_the_rank_of_the_hessian():
    # Morse-Bott when J is onto the rank-r matrices at N (r = rank N): rank H = r (m + n - r),
    # the codimension of the minima, and the minima are a manifold there. That holds when
    # r = d_out, r = d_in, or r = the narrowest hidden width (the product cannot leave rank <= r).
    cases = [(np.eye(2), [[1, 2]], [1, 1], True),          # scalar output: rank 1 = d_out
             (np.eye(3), [[1, 0, 0], [0, 2, 0]], [2, 2], True),   # rank 2 = d_out < d_in
             (np.eye(2), [[1, 0], [0, 2], [1, 1]], [2, 2], True),  # rank 2 = d_in < d_out
             (np.eye(3), [[1, 0, 0], [0, 2, 0], [0, 0, 0]], [2, 2], True),  # rank 2 = width 2
             (np.eye(2), [[1, 1], [2, 2]], [1, 3], True),  # rank 1 = narrowest width 1
             (np.eye(3), [[1, 0, 0], [0, 0, 0], [0, 0, 0]], [2, 2], False)]  # rank 1 < 2, 3, 3
    for X, Y, w, flag in cases:
        g = linear_network(X, Y, w)
        crit = exact_linear_network(g)
        assert crit.morse_bott is flag
        Hx = g.numeric.hessian(np.array(crit.minimizer))
        ev = np.linalg.eigvalsh(Hx)
        assert np.abs(g.numeric.gradient(np.array(crit.minimizer))).max() < 1e-9
        assert ev[-1] == pytest.approx(float(crit.sharpness), rel=1e-9)
        m, n = np.array(Y).shape
        r = np.linalg.matrix_rank(np.array(Y, dtype=float))
        if flag:
            assert int((ev > 1e-9).sum()) == r * (m + n - r)


def test_rank_deficient_target_through_a_bottleneck_is_morse_bott():
    # ||A - u v^T||^2/2 with A = [[1, 2], [2, 4]] (rank 1) and width 1: the minima {u v^T = A}
    # form a curve (dimension 1) in R^4, and at the balanced minimum H must have rank 3 = 4 - 1
    # (checked numerically here): its kernel is the tangent of the curve, so Morse-Bott
    import numpy as np

    g = linear_network(sp.eye(2), sp.Matrix([[1, 2], [2, 4]]), [1])
    crit = exact_linear_network(g)
    assert crit.morse_bott
    H = g.numeric.hessian(np.array(crit.minimizer, dtype=float))
    w = np.linalg.eigvalsh(H)
    assert np.sum(np.abs(w) > 1e-9 * np.max(np.abs(w))) == 3
    assert np.max(w) == pytest.approx(float(crit.sharpness), rel=1e-9)
