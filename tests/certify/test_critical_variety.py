"""eta* when the global minima form a positive-dimensional variety (gdmaps.certify.critical_variety).

Truths derived by hand:

* Rank-1 fit of A = diag(s1, s2), s1 > s2 > 0: L = ||A - u v^T||^2 / 2 with u = (a, b),
  v = (x, y). By Eckart-Young the minimum is s2^2 / 2, at u v^T = diag(s1, 0): b = y = 0,
  a x = s1, a curve. There H splits into the (a, x) block [[x^2, 2ax - s1], [2ax - s1, a^2]]
  = [[x^2, s1], [s1, a^2]] (eigenvalues 0 and a^2 + x^2) and the (b, y) block
  [[x^2, -s2], [-s2, a^2]] (eigenvalues (a^2 + x^2)/2 +- sqrt((a^2 - x^2)^2/4 + s2^2)); the
  cross terms vanish. The second block's top eigenvalue is <= a^2 + x^2 iff s2^2 <= a^2 x^2
  = s1^2, so lambda_max = a^2 + x^2 = a^2 + s1^2/a^2 >= 2 s1 (AM-GM, equality at a^2 = s1):
  s_min = 2 s1 and eta* = 1/s1. Its bottom eigenvalue is > 0 iff s2 < s1: Morse-Bott.
* Burer-Monteiro L = ||X X^T - M||^2 / 4 with M positive definite, n = r = 2: the minima are
  X = M^(1/2) Q (Q orthogonal), L = 0. There the Hessian form is q(D) = ||X D^T + D X^T||^2 / 2
  <= 2 ||X||_2^2 |D|^2 = 2 lambda_1(M) |D|^2, with equality for D = v w^T, v the top unit
  eigenvector of M and w = X^T v / sqrt(lambda_1) (then X D^T = D X^T = sqrt(lambda_1) v v^T, and
  q(D) = 2 lambda_1 with |D| = 1), so s_min = 2 lambda_1(M) at every minimum and
  eta* = 1/lambda_1(M).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.linalg import sqrtm
from scipy.optimize import minimize_scalar

from gdmaps import GDMap, certify_measure_zero
from gdmaps.exact.algebraic import compare_exact
from gdmaps.certify.critical import Exactness, critical_learning_rate
from gdmaps.certify.critical_variety import variety_minima

a, b, x, y, z = sp.symbols("a b x y z", real=True)
X = sp.Matrix(2, 2, sp.symbols("X11 X12 X21 X22", real=True))


def rank1_fit(s1, s2):
    A = sp.diag(s1, s2)
    return GDMap(sum(e ** 2 for e in (A - sp.Matrix([a, b]) * sp.Matrix([x, y]).T)) / 2, [a, b, x, y])


def burer_monteiro(M):
    return GDMap(sum(e ** 2 for e in (X * X.T - sp.Matrix(M))) / 4, list(X))


def _lam_max(g, pts):
    H = np.array([g.numeric.hessian(p) for p in pts])
    return np.linalg.eigvalsh(H)[:, -1]


# -- closed forms ---------------------------------------------------------------------------
@pytest.mark.parametrize("s1, s2", [(2, 1), (3, 1)])
def test_rank1_fit_is_one_over_s1(s1, s2):
    crit = variety_minima(rank1_fit(s1, s2))
    assert crit.exactness is Exactness.EXACT
    assert crit.eta_star == sp.Rational(1, s1) and crit.sharpness == 2 * s1
    assert crit.morse_bott and crit.minima_proved is True
    u1, u2, v1, v2 = crit.minimizer  # the flattest minimum is balanced: a^2 = x^2 = s1
    assert (u2, v2) == (0, 0) and sp.simplify(u1 * v1 - s1) == 0 and sp.simplify(u1 ** 2 - s1) == 0


def test_rank1_fit_of_a_general_matrix():
    # A = [[2, 1], [0, 1]]: sigma^2 = 3 +- sqrt 5; the same argument in the singular bases gives
    # eta* = 1/sigma_1, with an irrational minimum value sigma_2^2 / 2 = (3 - sqrt 5)/2
    A = sp.Matrix([[2, 1], [0, 1]])
    g = GDMap(sum(e ** 2 for e in (A - sp.Matrix([a, b]) * sp.Matrix([x, y]).T)) / 2, [a, b, x, y])
    crit = variety_minima(g)
    assert crit.exactness is Exactness.EXACT and crit.minima_proved is True and crit.morse_bott
    assert compare_exact(crit.eta_star, 1 / sp.sqrt(3 + sp.sqrt(5))) == 0
    value = sp.N(g.loss.subs(dict(zip(g.state, crit.minimizer))), 40)
    assert abs(value - sp.N((3 - sp.sqrt(5)) / 2, 40)) < 1e-30


def test_rank1_fit_of_the_identity():
    # A = I: the minima u = t e, v = e / t (e a unit vector) form a surface; lambda_max = t^2 + 1/t^2
    crit = variety_minima(rank1_fit(1, 1))
    assert crit is None or crit.eta_star == 1


@pytest.mark.parametrize("M", [[[2, 1], [1, 2]], [[3, 0], [0, 1]], [[5, 2], [2, 2]], [[4, 1], [1, 1]]])
def test_burer_monteiro_is_one_over_lambda1(M):
    crit = variety_minima(burer_monteiro(M))
    lam1 = max(sp.Matrix(M).eigenvals(), key=lambda e: sp.N(e))
    assert crit.exactness is Exactness.EXACT
    assert sp.simplify(crit.eta_star - 1 / lam1) == 0
    assert crit.morse_bott and crit.minima_proved is True
    Xm = sp.Matrix(2, 2, list(crit.minimizer))
    assert sp.simplify(Xm * Xm.T - sp.Matrix(M)) == sp.zeros(2, 2)


def test_dispatcher_answers_exactly():
    crit = critical_learning_rate(rank1_fit(2, 1))
    assert crit.exactness is Exactness.EXACT and crit.eta_star == sp.Rational(1, 2)


@pytest.mark.parametrize("p, q", [(1, 2), (3, -1), (2, 0)])
def test_two_residuals_sharing_a_parameter(p, q):
    # (ab - p)^2/2 + (ac - q)^2/2: minima b = p/a, c = q/a; there H = J^T J with J J^T =
    # [[a^2 + b^2, bc], [bc, a^2 + c^2]], eigenvalues a^2 and a^2 + (p^2 + q^2)/a^2 >= 2 sqrt(p^2 + q^2)
    # (AM-GM): eta* = 1/sqrt(p^2 + q^2). Two residuals in three parameters: the chart is r = 0.
    crit = variety_minima(GDMap((a * b - p) ** 2 / 2 + (a * x - q) ** 2 / 2, [a, b, x]))
    assert compare_exact(crit.eta_star, 1 / sp.sqrt(p ** 2 + q ** 2)) == 0
    assert crit.morse_bott and crit.minima_proved is True


def test_circle_of_minima_with_two_normal_directions():
    # (x^2 + y^2 - 1)^2 + (zx)^2 + (zy)^2: minima z = 0, x^2 + y^2 = 1, where
    # H = 8 (x, y, 0)(x, y, 0)^T + 2 (x^2 + y^2) e3 e3^T: spectrum {8, 2, 0} everywhere, eta* = 1/4
    crit = variety_minima(GDMap((x ** 2 + y ** 2 - 1) ** 2 + (z * x) ** 2 + (z * y) ** 2, [x, y, z]))
    assert crit.eta_star == sp.Rational(1, 4) and crit.morse_bott and crit.minima_proved is True


# -- an independent numeric check: no sampled minimum is flatter than s_min ---------------
def test_no_sampled_minimum_is_flatter_rank1():
    g = rank1_fit(2, 1)
    s = float(variety_minima(g).sharpness)
    ts = np.exp(np.linspace(-3, 3, 400))
    ts = np.concatenate([ts, -ts])
    pts = np.stack([ts, 0 * ts, 2 / ts, 0 * ts], axis=1)
    assert np.allclose(g.numeric.loss(pts), 0.5)
    assert _lam_max(g, pts).min() >= s - 1e-9
    best = minimize_scalar(lambda t: _lam_max(g, [[t, 0, 2 / t, 0]])[0], bounds=(0.1, 10), method="bounded")
    assert abs(best.fun - s) < 1e-6


def test_no_sampled_minimum_is_flatter_burer_monteiro():
    M = np.array([[5.0, 2.0], [2.0, 2.0]])
    g = burer_monteiro(M.astype(int).tolist())
    s = float(variety_minima(g).sharpness)
    R = np.real(sqrtm(M))
    pts = []
    for phi in np.linspace(0, 2 * np.pi, 200):
        c, sn = np.cos(phi), np.sin(phi)
        for Q in (np.array([[c, -sn], [sn, c]]), np.array([[c, sn], [sn, -c]])):
            pts.append((R @ Q).ravel())
    pts = np.array(pts)
    assert np.allclose(g.numeric.loss(pts), 0, atol=1e-12)
    lam = _lam_max(g, pts)
    assert lam.min() >= s - 1e-9 and np.allclose(lam, s)  # the spectrum is constant on the orbit


# -- soundness: None, or a correct value ------------------------------------------------------
def test_singular_minima_variety():
    # minima: the plane x = 0 and the line y = z = 0, crossing at the origin where H = 0
    crit = variety_minima(GDMap((x * y) ** 2 + (x * z) ** 2, [x, y, z]))
    assert crit is None or crit.sharpness == 0


def test_unbounded_below_is_not_a_proved_minimum():
    g = GDMap((x * y - 1) ** 2 - z ** 2, [x, y, z])
    crit = variety_minima(g)
    assert crit is None or crit.minima_proved is not True
    assert certify_measure_zero(g, eta=sp.Rational(9, 20)).status.value != "fails"


def test_scaling_curve_without_zero_residual():
    # L = 2 p^2 - 2p + 1 + x^2 z^2 with p = xy: minimum 1/2 on xy = 1/2, z = 0; there
    # lambda_max = max(4 (x^2 + y^2), 2 x^2) >= 4 |2xy| = 4, at x = y = 1/sqrt(2)
    crit = variety_minima(GDMap(x ** 2 * (y ** 2 + z ** 2) + (x * y - 1) ** 2, [x, y, z]))
    assert crit is None or (crit.sharpness == 4 and crit.minima_proved is not False)


def test_finite_critical_set_is_left_to_other_methods():
    assert variety_minima(GDMap((x - 1) ** 2 + (y - 2) ** 2 * (y + 1) ** 2, [x, y])) is None
    assert variety_minima(GDMap(sp.exp(x) * y ** 2, [x, y])) is None


# -- certificates, checked by simulation ------------------------------------------------------
def _gd(g, starts, eta, steps=4000):
    P = np.array(starts, dtype=float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            P = P - eta * g.numeric.gradient(P)
            P[~np.isfinite(P).all(axis=1)] = np.nan
        return g.numeric.loss(P), np.linalg.norm(g.numeric.gradient(P), axis=1)


CASES = [(rank1_fit(2, 1), sp.Rational(1, 2), 0.5),
         (burer_monteiro([[2, 1], [1, 2]]), sp.Rational(1, 3), 0.0)]


@pytest.mark.parametrize("g, eta_star, m", CASES)
def test_fails_below_and_a_ball_converges(g, eta_star, m):
    eta = sp.Rational(9, 10) * eta_star
    cert = certify_measure_zero(g, eta=eta)
    assert cert.status.value == "fails"
    w = np.array([float(c) for c in cert.witness["point"]])
    rng = np.random.default_rng(0)
    L, grad = _gd(g, w + 1e-2 * rng.normal(size=(50, len(w))), float(eta))
    assert np.all(np.abs(L - m) < 1e-10) and np.all(grad < 1e-6)


@pytest.mark.parametrize("g, eta_star, m", CASES)
def test_holds_above_and_no_start_converges(g, eta_star, m):
    eta = sp.Rational(11, 10) * eta_star
    assert certify_measure_zero(g, eta=eta).status.value == "holds"
    rng = np.random.default_rng(1)
    starts = np.concatenate([rng.uniform(-2, 2, size=(150, 4)),
                             np.array([float(c) for c in variety_minima(g).minimizer])
                             + 1e-3 * rng.normal(size=(50, 4))])
    L, grad = _gd(g, starts, float(eta))
    converged = np.isfinite(L) & (np.abs(L - m) < 1e-8) & (grad < 1e-6)
    assert not converged.any()
