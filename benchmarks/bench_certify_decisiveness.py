"""How often certify_measure_zero decides: 40 named losses at 0.9 eta* and 1.1 eta*.

Run:  python benchmarks/bench_certify_decisiveness.py [--only SUBSTRING] [--timeout SECONDS]

Every loss is certified at eta = 0.9 eta* and 1.1 eta* (short decimals near those values).
eta* is NOT taken from gdmaps: it comes from the literature or a closed form derived here
(the Hessian at the known minimizers, exact in SymPy), or, where no closed form is known, from
a numeric estimate whose method is stated in the table:

* "zeros": every zero of the residuals of a zero-residual sum of squares (so every global
  minimum), found by mpmath's Newton method from a grid of starts, refined to 40 digits;
* "stationary": the global minimizers from the literature refined by Newton on the gradient
  to 40 digits (symmetric copies included);
* "manifold": lambda_max(H) minimized over the set of global minima by SLSQP (equality
  constraints r(theta) = 0) or Nelder-Mead on a parameterization of the minima, from many
  starts. Such an estimate is an upper bound of s_min up to solver tolerance, so
  eta*_true >= estimate: a HOLDS at 0.9 estimate is certainly wrong, a FAILS at 1.1 estimate
  may be right.

A HOLDS below eta* or a FAILS above it is marked WRONG. The table gives the verdicts, the
share of certificates decided (HOLDS or FAILS) against INCONCLUSIVE, and the time per
certificate. Writes benchmarks/results/certify_decisiveness.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import mpmath as mp
import numpy as np
import sympy as sp

from gdmaps import GDMap, certify_measure_zero
from gdmaps.models import linear_network, mlp, relu_example, scalar_chain

Q = sp.Rational
x, y, a, b, u, v = sp.symbols("x y a b u v", real=True)
mp.mp.dps = 40


@dataclass
class Case:
    name: str
    build: object        # () -> GDMap
    eta_star: object     # exact SymPy number, or a float (numeric estimate)
    source: str          # where eta* comes from


# -- eta* by closed forms (exact, computed here) -------------------------------------------

def closed_form(loss, params, minimizers):
    """2 / min over the given global minimizers of lambda_max(H), exact (SymPy eigenvalues)."""
    H = sp.hessian(loss, params)
    lams = []
    for p in minimizers:
        ev = H.subs(dict(zip(params, p))).eigenvals(multiple=True)
        lams.append(max((sp.simplify(e) for e in ev), key=lambda e: sp.N(e, 50)))
    s = min(lams, key=lambda e: sp.N(e, 50))
    return sp.simplify(2 / s)


# -- eta* by careful numerics --------------------------------------------------------------

def _mp_hessian(loss, params):
    H = sp.hessian(loss, params)
    f = sp.lambdify(params, H, "mpmath")
    return lambda p: mp.matrix(f(*p))


def _lam_max(Hm):
    return max(mp.eigsy(Hm)[0])


def zeros_estimate(residuals, loss, params, box, grid=15):
    """All zeros of the residuals in the box (Newton from a grid), eta* = 2 / min lambda_max."""
    J = sp.Matrix(residuals).jacobian(params)
    F = sp.lambdify(params, residuals, "mpmath")
    JF = sp.lambdify(params, J, "mpmath")
    Hf = _mp_hessian(loss, params)
    zeros = []
    axes = [np.linspace(lo, hi, grid) for lo, hi in box]
    for start in np.array(np.meshgrid(*axes)).reshape(len(params), -1).T:
        try:
            z = mp.findroot(lambda *p: F(*p), [mp.mpf(float(s)) for s in start],
                            J=lambda *p: JF(*p), tol=mp.mpf(10) ** -35, maxsteps=60)
        except (ZeroDivisionError, ValueError):
            continue
        z = [z] if len(params) == 1 else list(z)
        if any(abs(mp.im(c)) > 0 for c in z if isinstance(c, mp.mpc)):
            continue
        z = [mp.re(c) for c in z]
        if max(abs(r) for r in F(*z)) > mp.mpf(10) ** -25:
            continue
        if all(max(abs(p - q) for p, q in zip(z, w)) > mp.mpf(10) ** -15 for w in zeros):
            zeros.append(z)
    lam = min(_lam_max(Hf(z)) for z in zeros)
    how = f"zeros: {len(zeros)} zeros of the residuals (Newton from a {grid}^{len(params)} grid)"
    return float(2 / lam), how


def stationary_estimate(loss, params, starts):
    """Global minimizers from the literature refined by Newton on the gradient to 40 digits."""
    g = sp.lambdify(params, [sp.diff(loss, p) for p in params], "mpmath")
    Hf = _mp_hessian(loss, params)
    Lf = sp.lambdify(params, loss, "mpmath")
    pts = [list(mp.findroot(lambda *p: g(*p), [mp.mpf(s) for s in st], J=lambda *p: Hf(p),
                            tol=mp.mpf(10) ** -35)) for st in starts]
    vals = [Lf(*p) for p in pts]
    low = min(vals)
    lam = min(_lam_max(Hf(p)) for p, val in zip(pts, vals) if val - low < mp.mpf(10) ** -25)
    return float(2 / lam), f"stationary: {len(starts)} literature minimizers refined by Newton"


def manifold_estimate(loss, params, residuals, starts=40, seed=0, scale=1.0, box=10.0):
    """min lambda_max(H) subject to r(theta) = 0 and |theta_i| <= box (SLSQP from many starts)."""
    from scipy.optimize import least_squares, minimize

    Hf = sp.lambdify(params, sp.hessian(loss, params), "numpy")
    R = sp.lambdify(params, residuals, "numpy")
    JR = sp.lambdify(params, sp.Matrix(residuals).jacobian(params), "numpy")
    rng = np.random.default_rng(seed)

    def polish(p):  # Gauss-Newton with the minimum-norm step: onto r = 0
        for _ in range(30):
            r = np.array(R(*p), dtype=float)
            if np.max(np.abs(r)) < 1e-14:
                break
            p = p - np.linalg.lstsq(np.array(JR(*p), dtype=float), r, rcond=None)[0]
        return p

    def lam(p):
        with np.errstate(all="ignore"):
            H = np.array(Hf(*p), dtype=float)
        return float(np.linalg.eigvalsh(H)[-1]) if np.isfinite(H).all() else 1e12

    best = np.inf
    for _ in range(starts):
        ls = least_squares(lambda p: np.array(R(*p), dtype=float), scale * rng.normal(size=len(params)),
                           jac=lambda p: np.array(JR(*p), dtype=float), xtol=1e-15, ftol=1e-15,
                           gtol=1e-15, max_nfev=2000)
        p0 = polish(ls.x)
        if not np.max(np.abs(np.array(R(*p0), dtype=float))) < 1e-12:
            continue
        res = minimize(lam, p0, method="SLSQP", options={"ftol": 1e-14, "maxiter": 500},
                       bounds=[(-box, box)] * len(params),
                       constraints=[{"type": "eq", "fun": lambda p: np.array(R(*p), dtype=float),
                                     "jac": lambda p: np.array(JR(*p), dtype=float)}])
        p1 = polish(res.x)
        if np.max(np.abs(np.array(R(*p1), dtype=float))) < 1e-12:
            best = min(best, lam(p1))
    return 2 / best, (f"manifold: SLSQP on lambda_max(H) with r(theta) = 0, |theta_i| <= {box:g},"
                      f" from {starts} starts")


# -- losses whose eta* needs a parameterization of the minima ------------------------------

def mf_rank1_of_rank2():
    """||A - u v^T||^2/2, A = diag(2, 1): minima u v^T = 2 e1 e1^T, a curve u = (t, 0), v = (2/t, 0)."""
    A = sp.diag(2, 1)
    U, V = sp.Matrix([a, b]), sp.Matrix([x, y])
    loss = sum(e ** 2 for e in (A - U * V.T)) / 2
    params = [a, b, x, y]
    H = sp.lambdify([sp.Symbol("t")], sp.hessian(loss, params).subs(
        {a: sp.Symbol("t"), b: 0, x: 2 / sp.Symbol("t"), y: 0}), "mpmath")
    f = lambda t: _lam_max(mp.matrix(H(t)))  # noqa: E731
    t = mp.findroot(lambda s: mp.diff(f, s), mp.sqrt(2))
    return GDMap(loss, params), float(2 / f(t)), \
        "manifold: lambda_max(H) along the curve of minima, minimized to 40 digits"


def nonwhitened_linear():
    """Depth 2, 2-2-2, X X^T != c I, Y = M X (zero residual): minima W2 W1 = M."""
    from scipy.optimize import minimize

    X = sp.Matrix([[1, 0, 1], [0, 1, 1]])
    M = sp.Matrix([[1, Q(1, 2)], [0, 1]])
    g = linear_network(X, M * X, [2])
    Hf = sp.lambdify(g.state, g.hessian(), "numpy")
    Mn = np.array(M, dtype=float)

    def lam(z):
        A = z.reshape(2, 2)
        if abs(np.linalg.det(A)) < 1e-8:
            return 1e9
        W2 = Mn @ np.linalg.inv(A)
        return np.linalg.eigvalsh(np.array(Hf(*A.ravel(), *W2.ravel()), dtype=float))[-1]

    rng = np.random.default_rng(0)
    best = min(minimize(lam, rng.normal(size=4), method="Nelder-Mead",
                        options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000}).fun for _ in range(30))
    return g, 2 / best, "manifold: Nelder-Mead on lambda_max over W1 = A, W2 = M A^-1 (30 starts)"


def network(activation):
    X, Y = [[Q(1, 2), Q(1)]], [[Q(2, 5), Q(7, 10)]]
    g = mlp(X, Y, [2], activation)
    a1, a2, b1, b2 = g.state
    act = {"tanh": sp.tanh, "softplus": lambda s: sp.log(1 + sp.exp(s))}[activation]
    res = [b1 * act(a1 * xi) + b2 * act(a2 * xi) - yi for xi, yi in zip(X[0], Y[0])]
    eta, how = manifold_estimate(g.loss, list(g.state), res, starts=30)
    eta_far = minima_by_input_weights(activation, [0.5, 1.0], [0.4, 0.7])
    if eta_far > eta:  # a flatter minimum far out (softplus: a unit switched off, a_k -> -oo)
        return g, eta_far, ("minima b = M(a)^-1 y over a grid of input weights a in [-60, 60]^2,"
                            " then Nelder-Mead (flatter than SLSQP within |theta_i| <= 10)")
    return g, eta, how


def minima_by_input_weights(activation, xs, ys):
    """2 / min lambda_max(J^T J) over the minima of a 1-2-1 net, parametrized by a: b = M(a)^-1 y."""
    from scipy.optimize import minimize

    f, df = {"tanh": (np.tanh, lambda s: 1 / np.cosh(s) ** 2),
             "softplus": (lambda s: np.logaddexp(0, s), lambda s: 1 / (1 + np.exp(-s)))}[activation]
    xs, ys = np.array(xs), np.array(ys)

    def lam(a):
        M = np.stack([f(a[0] * xs), f(a[1] * xs)], 1)
        if not abs(np.linalg.det(M)) > 1e-12:
            return 1e12
        b = np.linalg.solve(M, ys)
        J = np.concatenate([M, np.stack([b[0] * xs * df(a[0] * xs), b[1] * xs * df(a[1] * xs)], 1)], 1)
        return float(np.linalg.eigvalsh(J.T @ J)[-1])   # H = J^T J on r = 0 (L = |r|^2 / 2)

    grid = np.linspace(-60, 60, 241)
    vals = [(lam((u, v)), u, v) for u in grid for v in grid]
    starts = sorted(vals)[:10]
    best = min(minimize(lam, [u, v], method="Nelder-Mead",
                        options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000}).fun for _, u, v in starts)
    return 2 / best


# -- the table -----------------------------------------------------------------------------

def cases():
    t = sp.Symbol("t")
    out = []

    def add(name, build, eta_star, source):
        out.append(Case(name, build, eta_star, source))

    rosen = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    add("Rosenbrock (a=1, b=100)", lambda: GDMap(rosen, [x, y]), closed_form(rosen, [x, y], [(1, 1)]),
        "closed form at the minimum (1, 1)")
    himmel = [x ** 2 + y - 11, x + y ** 2 - 7]
    hl = sum(r ** 2 for r in himmel)
    add("Himmelblau", lambda: GDMap(hl, [x, y]), *zeros_estimate(himmel, hl, [x, y], [(-5, 5), (-5, 5)]))
    beale_r = [Q(3, 2) - x + x * y, Q(9, 4) - x + x * y ** 2, Q(21, 8) - x + x * y ** 3]
    beale = sum(r ** 2 for r in beale_r)
    add("Beale", lambda: GDMap(beale, [x, y]), closed_form(beale, [x, y], [(3, Q(1, 2))]),
        "closed form at the minimum (3, 1/2)")
    booth = (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2
    add("Booth", lambda: GDMap(booth, [x, y]), closed_form(booth, [x, y], [(1, 3)]), "closed form (1, 3)")
    matyas = Q(13, 50) * (x ** 2 + y ** 2) - Q(12, 25) * x * y
    add("Matyas", lambda: GDMap(matyas, [x, y]), closed_form(matyas, [x, y], [(0, 0)]), "closed form (0, 0)")
    camel3 = 2 * x ** 2 - Q(21, 20) * x ** 4 + x ** 6 / 6 + x * y + y ** 2
    add("three-hump camel", lambda: GDMap(camel3, [x, y]), closed_form(camel3, [x, y], [(0, 0)]),
        "closed form at the minimum (0, 0)")
    camel6 = (4 - Q(21, 10) * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (-4 + 4 * y ** 2) * y ** 2
    add("six-hump camel", lambda: GDMap(camel6, [x, y]),
        *stationary_estimate(camel6, [x, y], [("0.0898", "-0.7126"), ("-0.0898", "0.7126")]))
    st = (x ** 4 - 16 * x ** 2 + 5 * x + y ** 4 - 16 * y ** 2 + 5 * y) / 2
    xs = min(sp.Poly(4 * t ** 3 - 32 * t + 5, t).real_roots(), key=lambda r: sp.N(r))  # x* = -2.9035...
    add("Styblinski-Tang (2-D)", lambda: GDMap(st, [x, y]), sp.simplify(2 / (6 * xs ** 2 - 16)),
        "closed form: x* the least root of 4x^3 - 32x + 5, lambda = 6x*^2 - 16")
    boha = x ** 2 + 2 * y ** 2 - Q(3, 10) * sp.cos(3 * sp.pi * x) - Q(2, 5) * sp.cos(4 * sp.pi * y) + Q(7, 10)
    add("Bohachevsky 1 (analytic)", lambda: GDMap(boha, [x, y]), closed_form(boha, [x, y], [(0, 0)]),
        "closed form at the minimum (0, 0)")
    expw = 1 - sp.exp(-(x ** 2 + 2 * y ** 2) / 2)
    add("Gaussian well 1 - exp(-(x^2+2y^2)/2)", lambda: GDMap(expw, [x, y]), Q(1),
        "closed form: H(0) = diag(1, 2)")
    add("cosine 1 - cos x (countably many minima)", lambda: GDMap(1 - sp.cos(x), [x]), Q(2),
        "closed form: H = 1 at 2 pi k")
    add("double well (x^2 - 1)^2/4", lambda: GDMap((x ** 2 - 1) ** 2 / 4, [x]), Q(1), "closed form: L'' = 2")
    tilt = x ** 4 / 4 - x ** 3 / 3 - x ** 2  # L' = x (x + 1) (x - 2)
    add("tilted double well, L' = x(x+1)(x-2)", lambda: GDMap(tilt, [x]), Q(1, 3),
        "closed form: x* = 2, L'' = 6")
    two = x ** 2 * (x - 1) ** 2 * ((x - 2) ** 2 + 1)
    add("equal-depth wells of curvature 10 and 4", lambda: GDMap(two, [x]), Q(1, 2),
        "closed form: L''(0) = 10, L''(1) = 4")
    dw2 = (x ** 2 - 1) ** 2 / 4 + (y ** 2 - 4) ** 2 / 4
    add("2-D double wells (curvatures 2 and 8)", lambda: GDMap(dw2, [x, y]), Q(1, 4),
        "closed form: s_min = max(2, 8)")
    add("ring (x^2 + y^2 - 1)^2/4", lambda: GDMap((x ** 2 + y ** 2 - 1) ** 2 / 4, [x, y]), Q(1),
        "closed form: lambda = 2 |x|^2 = 2 on the circle")
    add("elliptic ring (x^2/4 + y^2 - 1)^2", lambda: GDMap((x ** 2 / 4 + y ** 2 - 1) ** 2, [x, y]), Q(1),
        "closed form: 8a/max(p,q)^2 = 2")
    add("phase retrieval valley (x^2 - y)^2", lambda: GDMap((x ** 2 - y) ** 2, [x, y]), Q(1),
        "closed form: lambda = 2(4x^2 + 1), least at x = 0")
    pr = (x ** 2 - 1) ** 2 + ((x + y) ** 2 - 4) ** 2
    add("phase retrieval, two measurements", lambda: GDMap(pr, [x, y]), closed_form(pr, [x, y], [(1, 1)]),
        "closed form (four symmetric minima)")
    add("default (ab - 1)^2/2", lambda: GDMap((a * b - 1) ** 2 / 2, [a, b]), Q(1), "closed form: 1/|y|")
    for k in (2, 3, 4, 5):
        add(f"scalar chain depth {k}, y = 1", lambda k=k: scalar_chain(k, 1), Q(2, k), "closed form 2/k")
    add("scalar chain depth 3, y = 2", lambda: scalar_chain(3, 2), 2 / (3 * 2 ** Q(4, 3)),
        "closed form 2/(k |y|^(2-2/k))")
    prod = (a * b * x - 1) ** 2 * (a * b * x + 2) ** 2
    add("product q(w1 w2 w3), q = (P-1)^2 (P+2)^2", lambda: GDMap(prod, [a, b, x]),
        Q(2, 54), "closed form: min q''(P*) k |P*|^(4/3) = 18*3 at P* = 1")
    ridge = (a * b - 1) ** 2 / 2 + (a * b) ** 2 / 20
    add("ridge on the product (ab-1)^2/2 + (ab)^2/20", lambda: GDMap(ridge, [a, b]),
        Q(1), "closed form: q'' k |P*| = (11/10)(2)(10/11)")
    decay = (a * b - 1) ** 2 / 2 + (a ** 2 + b ** 2) / 20
    add("weight decay (ab-1)^2/2 + (a^2+b^2)/20", lambda: GDMap(decay, [a, b]),
        Q(10, 9), "closed form: a = b = sqrt(9/10), lambda_max = 2 - 2/10")
    A2 = sp.Matrix([[2, 1], [1, 2]])
    add("matrix factorization ||A - U V^T||^2/2, A 2x2 rank 2, r = 2",
        lambda: linear_network(sp.eye(2), A2, [2]), Q(1, 3), "closed form 1/sigma_1(A) = 1/3")
    A1 = sp.Matrix([[2, 1], [4, 2]])
    add("matrix factorization, A rank 1, r = 1", lambda: linear_network(sp.eye(2), A1, [1]),
        Q(1, 5), "closed form 1/sigma_1(A) = 1/5")
    g_mf, e_mf, how_mf = mf_rank1_of_rank2()
    add("matrix factorization, rank-1 fit of diag(2, 1)", lambda: g_mf, e_mf, how_mf)
    X1, X2 = sp.Matrix(2, 2, sp.symbols("X11 X12 X21 X22", real=True)), sp.Matrix([a, b])
    M2 = sp.Matrix([[2, 1], [1, 2]])
    bm2 = sum(e ** 2 for e in (X1 * X1.T - M2)) / 4
    add("Burer-Monteiro ||X X^T - M||^2/4, n = r = 2", lambda: GDMap(bm2, list(X1)), Q(1, 3),
        "closed form 1/lambda_1(M) (the form 1/2||XD^T + DX^T||^2 <= 2||X||^2)")
    bm1 = sum(e ** 2 for e in (X2 * X2.T - sp.Matrix([[1, 1], [1, 1]]))) / 4
    add("Burer-Monteiro, M = 11^T, r = 1", lambda: GDMap(bm1, [a, b]), Q(1, 2), "closed form 1/lambda_1(M)")
    Y3 = sp.diag(2, 1)
    add("deep linear depth 3 whitened, Y = diag(2, 1)", lambda: linear_network(sp.eye(2), Y3, [2, 2]),
        2 / (3 * 2 ** Q(4, 3)), "closed form 2/(k sigma_1^(2-2/k)) (Mulayoff & Michaeli 2020)")
    add("deep linear depth 4 whitened, Y = [[1, 2]]",
        lambda: linear_network(sp.eye(2), sp.Matrix([[1, 2]]), [1, 1, 1]),
        2 / (4 * 5 ** Q(3, 4)), "closed form 2/(k sigma_1^(2-2/k)), sigma_1 = sqrt(5)")
    Yd = sp.Matrix([[1, Q(1, 2), 0], [0, 1, Q(1, 2)], [Q(1, 2), 0, 1]])
    s1 = sp.sqrt(max((Yd.T * Yd).eigenvals(), key=lambda e: sp.N(e)))
    add("linear depth 2 whitened 3x3 (sum)", lambda: linear_network(sp.eye(3), Yd, [3]), sp.simplify(1 / s1),
        "closed form 1/sigma_1(Y)")
    add("linear depth 2 whitened 3x3 (mean)", lambda: linear_network(sp.eye(3), Yd, [3], reduction="mean"),
        sp.simplify(3 / s1), "closed form n/sigma_1(Y)")
    Xr = sp.Matrix([[1, 0, 1], [0, 1, 1]])
    lam1 = max((Xr * Xr.T).eigenvals(), key=lambda e: sp.N(e))
    add("linear regression, X X^T = [[2,1],[1,2]]", lambda: linear_network(Xr, sp.Matrix([[1, 2, 3]]), []),
        sp.simplify(2 / lam1), "closed form 2/lambda_1(X X^T)")
    g_nw, e_nw, how_nw = nonwhitened_linear()
    add("linear depth 2 non-whitened, X X^T = [[2,1],[1,2]]", lambda: g_nw, e_nw, how_nw)
    for act in ("tanh", "softplus"):
        g_n, e_n, how_n = network(act)
        add(f"{act} network 1-2-1 on 2 points", lambda g_n=g_n: g_n, e_n, how_n)
    add("ReLU example (sum)", lambda: relu_example(), Q(50, 353), "closed form (arXiv 2510.24466)")
    add("ReLU example (mean)", lambda: relu_example(reduction="mean"), Q(100, 353), "closed form")
    return out


class _Timeout(Exception):
    pass


def _alarm(*_):
    raise _Timeout


def certify_timed(g, eta, limit):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    t = time.perf_counter()
    try:
        return certify_measure_zero(g, eta=eta).status.value, time.perf_counter() - t
    except _Timeout:
        return "timeout", time.perf_counter() - t
    except Exception as exc:  # noqa: BLE001 -- a crash is a result of the benchmark
        return f"error: {type(exc).__name__}", time.perf_counter() - t
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="run the losses whose name contains this")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per certificate")
    args = ap.parse_args()
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                         cwd=Path(__file__).parent).stdout.strip()
    print(f"gdmaps at {sha}; {platform.machine()}, load average {open('/proc/loadavg').read().split()[0]}")
    t0 = time.perf_counter()
    table = [c for c in cases() if args.only.lower() in c.name.lower()]
    print(f"{len(table)} losses; reference values computed in {time.perf_counter() - t0:.1f} s\n")
    print(f"{'loss':<52} {'eta*':>12}  {'0.9 eta*':<13} {'1.1 eta*':<13} {'s/cert':>7}  source")
    rows, times, verdicts, wrong = [], [], [], []
    for c in table:
        g = c.build()
        star = c.eta_star
        row = {"loss": c.name, "eta_star": str(star), "eta_star_float": float(star), "source": c.source}
        vs = []
        for f in (0.9, 1.1):
            eta = Q(f"{float(sp.N(star * sp.Float(f), 20)):.6g}")
            status, secs = certify_timed(g, eta, args.timeout)
            times.append(secs)
            vs.append(status)
            if (f < 1 and status == "holds") or (f > 1 and status == "fails" and isinstance(star, sp.Basic)):
                wrong.append(f"{c.name} at {f} eta*: {status}")
                status = status.upper() + " WRONG"
            row[f"at_{f}"] = {"eta": str(eta), "status": status, "seconds": round(secs, 3)}
        verdicts += vs
        rows.append(row)
        print(f"{c.name:<52} {float(star):>12.6g}  {row['at_0.9']['status']:<13}"
              f" {row['at_1.1']['status']:<13}"
              f" {np.mean([row['at_0.9']['seconds'], row['at_1.1']['seconds']]):7.2f}  {c.source}")
    decided = sum(v in ("holds", "fails") for v in verdicts)
    n = len(verdicts)
    print(f"\n{decided}/{n} certificates decided ({100 * decided / n:.0f}%), "
          f"{sum(v == 'inconclusive' for v in verdicts)} inconclusive,"
          f" {n - decided - sum(v == 'inconclusive' for v in verdicts)} timeouts or errors;"
          f" time per certificate: median {np.median(times):.2f} s, mean {np.mean(times):.2f} s,"
          f" max {max(times):.2f} s")
    print("wrong verdicts: " + ("; ".join(wrong) if wrong else "none"))
    out = Path(__file__).parent / "results" / "certify_decisiveness.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"commit": sha, "rows": rows, "decided": decided, "certificates": n,
                               "wrong": wrong, "median_seconds": float(np.median(times))}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
