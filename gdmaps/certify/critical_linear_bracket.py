"""A certified bracket of eta* for deep linear networks on non-whitened data.

For ``L = 1/2 ||W_k ... W_1 X - Y||_F^2`` with ``S = X X^T`` invertible the global minima are
``P = W_k ... W_1 = W* = Y X^T S^-1`` (every hidden width >= rank W*), and eta* = 2 / s_min with
s_min = inf over them of lambda_max(H). No closed form is known unless S = c I
(:func:`gdmaps.certify.critical_linear.exact_linear_network`); this module proves a bracket:

- above: every minimum has lambda_max(H) >= b(v) = k |W* v|^(2-2/k) / (v^T S^-1 v) for every unit
  v (proofs/g_deep_linear.py), evaluated in ball arithmetic at a rational v;
- below: an exactly rational global minimum near the numerically flattest one, at which
  t I - H is proved positive definite in exact rational arithmetic, so s_min < t.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from flint import arb, fmpq, fmpq_mat

from gdmaps.certify.rate import CriticalLearningRate, Exactness
from gdmaps.core.errors import check_int
from gdmaps.exact.interval import float_lower, float_upper, working_precision

__all__ = ["certified_linear_network"]

#: relative margins tried for t above the float estimate of lambda_max at the rational minimum
_MARGINS = (1e-11, 1e-9, 1e-7, 1e-5)


# -- exact data ---------------------------------------------------------------------------------
def _rational_matrix(A: sp.Matrix):
    """``A`` as an fmpq_mat when every entry is a SymPy Rational, else None."""
    if not all(isinstance(e, sp.Basic) and e.is_Rational for e in A):
        return None
    return fmpq_mat(A.rows, A.cols, [fmpq(int(e.p), int(e.q)) for e in A])


def _floats(M) -> np.ndarray:
    """An fmpq_mat rounded to a numpy array (each entry correctly rounded)."""
    return np.array([[float(Fraction(int(e.p), int(e.q))) for e in row] for row in M.tolist()],
                    dtype=float).reshape(M.nrows(), M.ncols())


def _fmpq(x: float, max_den: int | None = None) -> fmpq:
    f = Fraction(float(x))
    if max_den is not None:
        f = f.limit_denominator(max_den)
    return fmpq(f.numerator, f.denominator)


def _eye(n):
    return fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])


def _row_basis(W):
    """``(G, F, r)``: G (r x n0) the non-zero rows of rref(W), F (n_k x r) with F G = W exactly."""
    R, r = W.rref()
    rows = R.tolist()[:r]
    pivots = [next(j for j, e in enumerate(row) if e != 0) for row in rows]
    G = fmpq_mat(r, W.ncols(), [e for row in rows for e in row])
    F = fmpq_mat(W.nrows(), r, [W[i, j] for i in range(W.nrows()) for j in pivots])
    return G, F, r


# -- the Hessian on the minima: H = J^T (I (x) S) J, J = d vec(P) / d theta (row-major) ----------
def _chains(Ws, eye, mul, n_out, n_in):
    """``A_i = W_k ... W_(i+1)`` and ``B_i = W_(i-1) ... W_1``, i = 1..k."""
    k = len(Ws)
    A, B = [eye(n_out)] * k, [eye(n_in)] * k
    for i in range(1, k):
        B[i] = mul(Ws[i - 1], B[i - 1])
    for i in range(k - 2, -1, -1):
        A[i] = mul(A[i + 1], Ws[i + 1])
    return A, B


def _hessian_float(Ws, S) -> np.ndarray:
    """H (sum reduction) at weights with W_k...W_1 = W*, in floats."""
    A, B = _chains(Ws, np.eye, np.matmul, Ws[-1].shape[0], Ws[0].shape[1])
    J = np.hstack([np.kron(a, b.T) for a, b in zip(A, B)])  # vec_r(A X B) = (A (x) B^T) vec_r(X)
    return J.T @ np.kron(np.eye(Ws[-1].shape[0]), S) @ J


def _hessian_exact(Ws, S):
    """H (sum reduction) at rational weights with W_k...W_1 = W*, exactly (fmpq_mat)."""
    n_out, n_in = Ws[-1].nrows(), Ws[0].ncols()
    A, B = _chains(Ws, _eye, lambda x, y: x * y, n_out, n_in)
    rows = [[] for _ in range(n_out * n_in)]
    for Ai, Bi in zip(A, B):
        a, b = Ai.tolist(), Bi.tolist()
        p_n, q_n = Ai.ncols(), Bi.nrows()
        for x in range(n_out):
            for y in range(n_in):
                rows[x * n_in + y].extend(a[x][p] * b[q][y] for p in range(p_n) for q in range(q_n))
    J = fmpq_mat(n_out * n_in, len(rows[0]), [e for row in rows for e in row])
    Q = fmpq_mat(n_out * n_in, n_out * n_in,
                 [S[i % n_in, j % n_in] if i // n_in == j // n_in else 0
                  for i in range(n_out * n_in) for j in range(n_out * n_in)])
    return J.transpose() * Q * J


# -- the bound b(v) -----------------------------------------------------------------------------
def _b_float(v, Wf, Sif, k):
    v = v / np.linalg.norm(v)
    return k * np.linalg.norm(Wf @ v) ** (2 - 2 / k) / float(v @ Sif @ v)


def _best_v(Wf, Sf, Sif, k):
    """A rational v (max-norm 1) near the maximizer of b(v / |v|), as a list of fmpq."""
    from scipy.linalg import eigh
    from scipy.optimize import minimize

    if k == 1:
        v0 = np.linalg.eigh(Sf)[1][:, -1]
    else:  # top of |W* v|^2 / v^T S^-1 v: the generalized eigenproblem W*^T W* v = mu S^-1 v
        v0 = eigh(Wf.T @ Wf, Sif)[1][:, -1]
    res = minimize(lambda v: -_b_float(v, Wf, Sif, k), v0 / np.max(np.abs(v0)), method="BFGS",
                   options={"gtol": 1e-13})
    v = res.x if -res.fun >= _b_float(v0, Wf, Sif, k) else v0
    v = v / np.max(np.abs(v))
    return [_fmpq(x, 10**6) for x in v]


def _b_lower(v, Wst, Sinv, k):
    """A ball containing b(v / |v|) = k |W* v|^(2-2/k) |v|^(2/k) / (v^T S^-1 v), exact inputs."""
    vm = fmpq_mat(len(v), 1, v)
    a2 = (vm.transpose() * Wst.transpose() * Wst * vm)[0, 0]   # |W* v|^2
    v2 = (vm.transpose() * vm)[0, 0]                           # |v|^2
    c = (vm.transpose() * Sinv * vm)[0, 0]                     # v^T S^-1 v
    ball = arb(k) * arb(v2) ** (arb(1) / k) / arb(c)
    if k > 1:
        ball = ball * arb(a2) ** (arb(k - 1) / k)
    return ball, (a2, v2, c)


# -- the flattest minimum -----------------------------------------------------------------------
def _family(G, F, r, sizes, S):
    """``(weights, sharp)`` on the minima W_1 = [T_1 G; 0], W_i = [[T_i, 0], [0, 0]] (1 < i < k),
    W_k = [F (T_(k-1) ... T_1)^-1, 0] (so W_k ... W_1 = F G = W*), in floats.

    ``weights(z)`` gives W_1..W_k from the flattened T's; ``sharp(z)`` gives lambda_max(H) and its
    gradient in z: with e the top unit eigenvector of H = J^T (I (x) S) J, E_i its blocks and
    D = J e = sum_i A_i E_i B_i, lambda = <D S, D> and d lambda = 2 <D S, sum_i d(A_i E_i B_i)>.
    """
    from scipy.linalg import eigh

    k = len(sizes) - 1
    split = [(i * r * r, (i + 1) * r * r) for i in range(k - 1)]

    def weights(z):
        Ts = [z[a:b].reshape(r, r) for a, b in split]
        Ws = []
        for i, T in enumerate(Ts):
            W = np.zeros((sizes[i + 1], sizes[i]))
            if i == 0:
                W[:r] = T @ G
            else:
                W[:r, :r] = T
            Ws.append(W)
        Wk = np.zeros((sizes[k], sizes[k - 1]))
        Wk[:, :r] = F @ np.linalg.inv(_product(Ts))
        return Ws + [Wk]

    def sharp(z):
        try:
            Ws = weights(z)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(z)
        H = _hessian_float(Ws, S)
        if not np.all(np.isfinite(H)):
            return np.inf, np.zeros_like(z)
        d = H.shape[0]  # (numpy's eigh with vectors is slow under BLAS thread contention)
        lam, vecs = eigh(H, subset_by_index=[d - 1, d - 1], driver="evr", check_finite=False)
        e, at, E = vecs[:, -1], 0, []
        for W in Ws:
            E.append(e[at:at + W.size].reshape(W.shape))
            at += W.size
        A, B = _chains(Ws, np.eye, np.matmul, sizes[k], sizes[0])
        DS = sum(a @ Ei @ b for a, Ei, b in zip(A, E, B)) @ S
        grads = []  # d lambda / d W_j
        for j in range(k):
            g = np.zeros(Ws[j].shape)
            for i in range(k):
                if i > j:  # W_j inside B_i = W_(i-1)..W_(j+1) W_j B_j
                    g += (A[i] @ E[i] @ _product(Ws[j + 1:i], Ws[j].shape[0])).T @ DS @ B[j].T
                elif i < j:  # W_j inside A_i = A_j W_j W_(j-1)..W_(i+1)
                    g += A[j].T @ DS @ (_product(Ws[i + 1:j], Ws[i].shape[0]) @ E[i] @ B[i]).T
            grads.append(2 * g)
        Ts = [z[a:b].reshape(r, r) for a, b in split]
        inv = np.linalg.inv(_product(Ts))
        psi = -inv.T @ F.T @ grads[-1][:, :r] @ inv.T  # d lambda / d Pi, Pi = T_(k-1)..T_1
        out = []
        for i in range(k - 1):
            g = grads[i][:r] @ G.T if i == 0 else grads[i][:r, :r].copy()
            g += _product(Ts[i + 1:], r).T @ psi @ _product(Ts[:i], r).T
            out.append(g.ravel())
        return float(lam[-1]), np.concatenate(out)

    return weights, sharp


def _product(Ms, n=None):
    """M_last ... M_first (the identity of size n when empty)."""
    out = np.eye(n if n is not None else Ms[0].shape[1])
    for M in Ms:
        out = M @ out
    return out


class _Reached(Exception):
    """The search met the proved bound: no flatter minimum is left to find."""


def _flattest(sharp, z0, target, *, starts, seed):
    """Float T's minimizing lambda_max(H) over the family, from z0 and perturbations of it.

    Returns the flattest point evaluated; stops as soon as lambda_max is within a relative
    1e-13 of ``target`` (the proved lower bound b(v), which no minimum goes below).
    """
    from scipy.optimize import minimize

    best = [np.inf, z0]

    def fun(z):
        value, grad = sharp(z)
        if value < best[0]:
            best[:] = [value, z.copy()]
            if value <= target * (1 + 1e-13):
                raise _Reached
        return value, grad

    rng = np.random.default_rng(seed)
    for j in range(starts):
        z = z0 if j == 0 else z0 * (1 + 0.3 * rng.standard_normal(z0.shape))
        try:
            minimize(fun, z, jac=True, method="BFGS", options={"gtol": 1e-13, "maxiter": 2000})
        except _Reached:
            break
    return best[1]


def _balanced_start(Wf, Sf, Gf, r, k):
    """T's of the balanced minimum of the whitened problem (W_1 S^(1/2) as the first layer)."""
    w, V = np.linalg.eigh(Sf)
    half, ihalf = (V * np.sqrt(w)) @ V.T, (V / np.sqrt(w)) @ V.T
    U, s, Vt = np.linalg.svd(Wf @ half)
    root = np.diag(s[:r] ** (1.0 / k))
    T1 = root @ Vt[:r] @ ihalf @ np.linalg.pinv(Gf)
    return np.concatenate([T1.ravel()] + [root.ravel()] * (k - 2)) if k > 1 else np.zeros(0)


def _rational_minimum(z, G, F, r, sizes):
    """Rational weights W_1..W_k with W_k ... W_1 = F G exactly (the T's of z rounded)."""
    k = len(sizes) - 1
    Ts = [fmpq_mat(r, r, [_fmpq(x, 10**6) for x in z[i * r * r:(i + 1) * r * r]])
          for i in range(k - 1)]
    Ws, prod = [], _eye(r)
    for i, T in enumerate(Ts):
        block = T * G if i == 0 else T
        rows, cols = sizes[i + 1], sizes[i]
        Ws.append(fmpq_mat(rows, cols, [block[a, b] if a < r and b < block.ncols() else 0
                                        for a in range(rows) for b in range(cols)]))
        prod = T * prod
    if prod.det() == 0:
        return None
    last = F * prod.inv()
    Ws.append(fmpq_mat(sizes[k], sizes[k - 1], [last[a, b] if b < r else 0
                                                for a in range(sizes[k]) for b in range(sizes[k - 1])]))
    return Ws


# -- the positive-definiteness test -------------------------------------------------------------
def _below(H, t) -> bool:
    """True when t I - H is proved positive definite, exactly.

    With C = L^-1 (L the float Cholesky factor of t I - H, so C is lower triangular with a
    non-zero diagonal, its float entries read as exact dyadic rationals), M = C (t I - H) C^T is
    computed exactly; M symmetric and strictly diagonally dominant with a positive diagonal is
    positive definite (Gershgorin), and t I - H = C^-1 M C^-T then is too (congruence).
    """
    from scipy.linalg import solve_triangular

    d = H.nrows()
    A = _eye(d) * t - H
    try:
        Lf = np.linalg.cholesky(_floats(A))
    except np.linalg.LinAlgError:
        return False
    Cf = np.tril(solve_triangular(Lf, np.eye(d), lower=True))
    if not np.all(np.isfinite(Cf)) or np.any(np.diag(Cf) == 0):
        return False
    C = fmpq_mat(d, d, [_fmpq(x) for x in Cf.ravel()])
    M = C * A * C.transpose()
    rows = M.tolist()
    for i in range(d):
        off = sum((abs(rows[i][j]) for j in range(d) if j != i), fmpq(0))
        if not rows[i][i] > off:
            return False
    return True


def _rational(e) -> sp.Rational:
    return sp.Rational(int(e.p), int(e.q))


def _fmt(M) -> str:
    return str([[_rational(e) for e in row] for row in M.tolist()])


# -- the public function ------------------------------------------------------------------------
def certified_linear_network(gdmap, *, starts=4, seed=0) -> CriticalLearningRate | None:
    """A proved bracket of eta* for a deep linear network on non-whitened data, or None.

    Parameters
    ----------
    gdmap : GDMap
        Built by :func:`gdmaps.models.linear_network` (it carries ``.network``); its eta is
        ignored.
    starts, seed : keyword-only
        Starts of the numeric search for the flattest minimum (the first is the balanced
        minimum of the whitened problem, the others random perturbations of it).

    Returns
    -------
    CriticalLearningRate or None
        ``Exactness.CERTIFIED`` with ``certified_lower <= eta* <= certified_upper`` proved,
        ``eta_star`` their midpoint, ``sharpness`` the float lambda_max(H) at ``minimizer``,
        a rational global minimum (a tuple of SymPy Rationals, the order of ``gdmap.state``).
        None when there is no ``.network``, the data are not all rational numbers, ``X X^T`` is
        singular, ``Y X^T = 0`` (depth >= 2: then theta = 0 is a minimum with H = 0), or a hidden
        width is below ``rank W*`` (the minima are low-rank approximations instead). Whitened
        data are accepted (the bracket then holds the closed form); callers that want the exact
        value should try :func:`gdmaps.certify.critical_linear.exact_linear_network` first.

    Examples
    --------
    >>> from gdmaps.models import linear_network
    >>> g = linear_network([[1, 0, 1], [0, 1, 1]], [[1, 2, 0], [0, 1, -1]], [2, 2])
    >>> crit = certified_linear_network(g)
    >>> crit.exactness.value, crit.morse_bott, crit.minima_proved
    ('certified', True, True)
    >>> round(crit.eta_star, 9), crit.certified_upper / crit.certified_lower - 1 < 1e-9
    (0.303260077, True)
    >>> g = linear_network([[2, 0], [0, 2]], [[16, 0], [0, 2]], [2, 2])  # whitened: eta* = 1/96
    >>> crit = certified_linear_network(g)
    >>> crit.certified_lower <= 1 / 96 <= crit.certified_upper
    True
    >>> certified_linear_network(linear_network([[1, 0], [0, 1]], [[1, 0], [0, 1]], [1])) is None
    True

    Notes
    -----
    With ``S = X X^T`` invertible and ``W* = Y X^T S^-1``,
    ``L = 1/2 tr((P - W*) S (P - W*)^T) + const`` (sum reduction), so L is bounded below and its
    global minima are ``P = W*`` when every hidden width is >= rank W*; there
    ``H = J^T (I (x) S) J`` (J = d vec P / d theta, the residual term vanishes). For every unit v,

    .. math:: \\lambda_{\\max}(H) \\ge b(v) = \\frac{k\\,|W^* v|^{2-2/k}}{v^\\top S^{-1} v}

    at every minimum (proofs/g_deep_linear.py), so ``eta* <= 2 / b(v)``. And at any one minimum
    theta*, ``s_min <= lambda_max(H(theta*)) < t`` once ``t I - H(theta*)`` is positive definite,
    so ``eta* >= 2 / t``. The mean reduction divides H, b and t by n.
    """
    check_int("starts", starts, minimum=1)
    net = getattr(gdmap, "network", None)
    if net is None:
        return None
    X, Y = _rational_matrix(net.X), _rational_matrix(net.Y)
    if X is None or Y is None:
        return None
    S = X * X.transpose()
    if S.det() == 0:
        return None
    Sinv = S.inv()
    Wst = Y * X.transpose() * Sinv
    widths = tuple(int(w) for w in net.widths)
    sizes = [X.nrows(), *widths, Y.nrows()]
    k = len(sizes) - 1
    r = Wst.rank()
    if any(w < r for w in widths) or (r == 0 and k > 1):
        return None
    n = X.ncols()
    red = n if net.reduction == "mean" else 1
    Sf, Sif, Wf = map(_floats, (S, Sinv, Wst))

    # 1. above: b(v) at a rational v, in ball arithmetic; the mean reduction divides it by n
    v = _best_v(Wf, Sf, Sif, k)
    with working_precision():
        b_sum, (a2, v2, c) = _b_lower(v, Wst, Sinv, k)
        b_ball = b_sum / red
        if not b_ball > 0:
            return None
        upper = float_upper(arb(2) / b_ball)
        b_low = float_lower(b_ball)

    # 2. below: the flattest minimum, numerically, then an exactly rational minimum near it
    if k == 1:
        Ws = [Wst]  # the only minimum; H = I (x) S everywhere
    else:
        G, F, _ = _row_basis(Wst)
        Gf, Ff = _floats(G), _floats(F)
        z0 = _balanced_start(Wf, Sf, Gf, r, k)
        _, sharp = _family(Gf, Ff, r, sizes, Sf)
        z = _flattest(sharp, z0, float(b_sum.mid()), starts=starts, seed=seed)
        Ws = _rational_minimum(z, G, F, r, sizes)
        if Ws is None:
            return None
    P = Ws[0]
    for W in Ws[1:]:
        P = W * P
    if P != Wst:  # exact: the point is a global minimum
        return None
    H = _hessian_exact(Ws, S)  # sum reduction
    lam = float(np.linalg.eigvalsh(_floats(H))[-1])
    t = next((cand for cand in (_fmpq(lam * (1 + eps)) for eps in _MARGINS) if _below(H, cand)), None)
    if t is None:
        return None
    with working_precision():
        lower = float_lower(arb(2 * red) / arb(t))

    # 3. Morse-Bott: J onto (rank H = d_out d_in, the codimension of {P = W*}) at the point
    d, m = H.nrows(), sizes[0] * sizes[-1]
    morse_bott = H.rank() == m
    point = tuple(_rational(e) for W in Ws for e in W.entries())
    chain = " ".join(f"W_{i}" for i in range(k, 0, -1))
    per = f"/{n}" if red > 1 else ""
    mean = (f" The mean reduction divides L and H by n = {n}: lambda_max(H) >= b(v)/{n} >="
            f" {b_low!r} on every minimum, and < t/{n} at the rational one.") if red > 1 else ""
    mb = (f" The exact rank of H at the point is {m} = d_out d_in: J = dP/dtheta is onto there, so"
          f" near it the minima are a manifold of dimension {d} - {m} = {d - m} whose tangent"
          " ker J is ker H (Morse-Bott)."
          if morse_bott else
          f" The exact rank of H at the point is below d_out d_in = {m}: J is not onto there, and"
          " Morse-Bott is not shown.")
    argument = (
        f"X has full row rank, so S = X X^T is positive definite; with W* = Y X^T S^-1 ="
        f" {_fmt(Wst)} and P = {chain}, L = 1/2 tr((P - W*) S (P - W*)^T) + const >= const"
        f" (sum reduction), so L is bounded below and, every hidden width in {list(widths)} being"
        f" >= rank W* = {r}, its global minima are exactly {{P = W*}}, where"
        " H = J^T (I (x) S) J (J = d vec P/d theta; the residual term vanishes)."
        " Upper bound: at every minimum and for every unit v, the test direction"
        " Z = grad_theta(u^T P v), u = W* v/|W* v|, gives lambda_max(H) >= Z^T H Z/|Z|^2 >="
        " |Z|^2/(v^T S^-1 v) (Cauchy-Schwarz in the S inner product) >= b(v) ="
        f" {k} |W* v|^(2-2/{k})/(v^T S^-1 v) (Cauchy-Schwarz along the chain and AM-GM)."
        f" The rational v = {[_rational(e) for e in v]} (not normalized) has"
        f" b(v/|v|) = {k} A^(1-1/{k}) B^(1/{k})/C with the exact A = |W* v|^2 = {a2},"
        f" B = |v|^2 = {v2}, C = v^T S^-1 v = {c}; ball arithmetic gives"
        f" b{per} >= {b_low!r}, so every global minimum has lambda_max(H) > 2/eta once"
        f" eta > {upper!r}: eta* <= {upper!r}."
        f" Lower bound: the rational point {point} (layer by layer, row-major) has {chain} = W*"
        " exactly (W_1 = [T_1 G; 0], middle layers [[T_i, 0], [0, 0]],"
        " W_k = [F (T_(k-1)...T_1)^-1, 0] with F G = W*), so it is a global minimum. Its exact"
        f" Hessian (sum reduction) has lambda_max < t = {_rational(t)}"
        f" (~{float(_rational(t))!r}):"
        " with C the inverse of the float Cholesky factor of t I - H (lower triangular with a"
        " non-zero diagonal, its floats read as exact rationals), C (t I - H) C^T is strictly"
        " diagonally dominant with a positive diagonal in exact rational arithmetic, so it and"
        " t I - H are positive definite (Gershgorin, congruence). So s_min <"
        f" t{per} and eta* >= {lower!r}; relative width {(upper - lower) / upper:.1e}.{mb}{mean}")
    return CriticalLearningRate((lower + upper) / 2, lam / red, Exactness.CERTIFIED, point, argument,
                                morse_bott=morse_bott, certified_lower=lower,
                                certified_upper=upper, minima_proved=True)
