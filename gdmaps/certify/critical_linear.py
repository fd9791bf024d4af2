"""The exact critical learning rate of deep linear networks on whitened data, at every depth."""

from __future__ import annotations

import numpy as np
import sympy as sp

from gdmaps.certify.rate import CriticalLearningRate, Exactness

__all__ = ["exact_linear_network"]


def _exact_data(net):
    """True when X and Y are real, symbol-free and hold no Float (every number exact)."""
    for A in (net.X, net.Y):
        if A.free_symbols or A.atoms(sp.Float) or not all(e.is_real for e in A):
            return False
    return True


def _top_gram_root(M: sp.Matrix):
    """sigma_1(M)^2 exactly: the largest root of the characteristic polynomial of the smaller Gram."""
    G = M * M.T if M.shape[0] <= M.shape[1] else M.T * M
    if G.is_zero_matrix:
        return sp.S.Zero
    char = G.charpoly()
    return max(sp.Poly(char.as_expr(), char.gen).real_roots())


def _balanced_point(N: np.ndarray, shapes, r: int) -> tuple:
    """Floats of the balanced factorization of N: W_k = U S^(1/k), W_i = S^(1/k), W_1 = S^(1/k) V^T.

    Only the top-left r x r blocks are non-zero (r = rank N); layer by layer, row-major.
    """
    k = len(shapes)
    if k == 1:
        return tuple(float(v) for v in N.ravel())
    U, sv, Vt = np.linalg.svd(N, full_matrices=False)
    root = sv[:r] ** (1.0 / k)
    Ws = [np.zeros(shape) for shape in shapes]
    Ws[0][:r] = root[:, None] * Vt[:r]
    for W in Ws[1:-1]:
        W[range(r), range(r)] = root
    Ws[-1][:, :r] = U[:, :r] * root
    return tuple(float(v) for W in Ws for v in W.ravel())


def exact_linear_network(gdmap) -> CriticalLearningRate | None:
    """The exact eta* of a linear network of any depth on whitened data, or None.

    Parameters
    ----------
    gdmap : GDMap
        Built by :func:`gdmaps.models.linear_network` (it carries ``.network``); its eta is
        ignored.

    Returns
    -------
    CriticalLearningRate or None
        Exact (``Exactness.EXACT``) when the data are exact numbers with ``X X^T = c I``,
        ``c > 0``, and every hidden width is at least ``rank(Y X^T)``; None otherwise (no
        ``.network``, symbolic or Float data, non-whitened data, or a width below the rank,
        where the minima are low-rank approximations instead).

    Examples
    --------
    >>> from gdmaps.models import linear_network
    >>> exact_linear_network(linear_network([[1]], [[8]], [1, 1]))  # 3 * 8^(4/3) = 48
    <CriticalLearningRate (exact): eta* = 1/24, s_min = 48>
    >>> g = linear_network([[2, 0], [0, 2]], [[16, 0], [0, 2]], [2, 2])  # c = 4, M/c = diag(8, 1)
    >>> crit = exact_linear_network(g)
    >>> crit.sharpness, crit.eta_star, crit.morse_bott  # 4 * 3 * 8^(4/3)
    (192, 1/96, True)
    >>> exact_linear_network(linear_network([[1, 1], [0, 1]], [[1, 0]], [1])) is None
    True

    Notes
    -----
    With ``X X^T = c I`` and ``M = Y X^T``, ``L = (c/2) ||W_k ... W_1 - M/c||_F^2 + const``
    (sum reduction), the minima are ``W_k ... W_1 = N = M/c``, and there ``H = c J^T J``
    (J the Jacobian of the product). For every point of the minima

    .. math:: \\lambda_{\\max}(H) \\ge c \\sum_i |A_i^T u|^2 |B_i v|^2
              \\ge c\\, k\\, \\sigma_1(N)^{2 - 2/k}

    (A_i = W_k...W_{i+1}, B_i = W_{i-1}...W_1, (u, v) the top singular pair of N: the test
    direction is the gradient of u^T W_k...W_1 v; then Cauchy-Schwarz along the chain and
    AM-GM), with equality at the balanced factorization. So
    ``s_min = c k sigma_1(M/c)^(2 - 2/k)`` (divided by n for "mean") and ``eta* = 2 / s_min``;
    depth 1 gives ``s_min = c`` and depth 2 gives ``s_min = 2 ||M||_2``.
    """
    from gdmaps.models.linear import LinearNetwork

    net = getattr(gdmap, "network", None)
    if not isinstance(net, LinearNetwork) or not _exact_data(net):
        return None  # not a linear network (an mlp has a network of another kind)
    S = net.X * net.X.T
    c = S[0, 0]
    if not c.is_positive or S != c * sp.eye(S.shape[0]):
        return None
    M = net.Y * net.X.T
    rank = M.rank()
    widths = tuple(int(w) for w in net.widths)
    if any(w < rank for w in widths):
        return None  # W_k...W_1 has rank <= min width < rank M: the minima are elsewhere
    from gdmaps.models.linear import layer_shapes

    shapes = layer_shapes(M.shape[1], M.shape[0], widths)
    k = len(shapes)
    n = net.X.shape[1]
    d_out, d_in = M.shape
    sigma = sp.sqrt(_top_gram_root(M)) / c  # sigma_1(N), N = M/c
    s = c if k == 1 else c * k * sigma ** (2 - sp.Rational(2, k))
    if net.reduction == "mean":
        s = s / n
    eta = sp.oo if s == 0 else 2 / s
    if not eta.has(sp.CRootOf):
        eta, s = sp.simplify(eta), sp.simplify(s)
    mean = f"; the mean reduction divides H, hence s_min, by n = {n}" if net.reduction == "mean" else ""
    if k == 1:
        argument = (
            f"X X^T = {c} I, so L = (c/2) ||W - M/c||_F^2 + const with M = Y X^T: a quadratic with"
            f" H = c I everywhere (single layer), one minimum W = M/c, s_min = c = {c}{mean}.")
    else:
        chain = " ".join(f"W_{i}" for i in range(k, 0, -1))
        argument = (
            f"X X^T = {c} I, so L = (c/2) ||P - N||_F^2 + const with P = {chain}, M = Y X^T and"
            f" N = M/c; every width in {list(widths)} is >= rank M = {rank}, so the minima are"
            f" P = N, and there H = c J^T J (J = dP/dtheta; the residual term vanishes)."
            f" Lower bound on every minimum: with A_i = W_k..W_(i+1), B_i = W_(i-1)..W_1 and"
            " (u, v) the unit top singular pair of N, the test direction Z = grad_theta(u^T P v),"
            " Z_i = A_i^T u v^T B_i^T, has <vec(u v^T), J Z> = |Z|^2, so"
            " lambda_max(H) >= c |J Z|^2/|Z|^2 >= c |Z|^2 = c sum_i a_i^2 b_i^2 with"
            " a_i = |A_i^T u|, b_i = |B_i v|. Along the chain g_i = A_i^T u, f_i = W_i..W_1 v"
            " (g_k = u, f_0 = v) every g_i^T f_i = u^T N v = sigma_1, so by Cauchy-Schwarz"
            " prod_i a_i b_i = |g_k||f_0| prod_(i<k) |g_i||f_i| >= sigma_1^(k-1), and AM-GM gives"
            f" lambda_max(H) >= c k sigma_1^(2 - 2/k). Equality at the balanced minimum"
            " W_k = U S^(1/k), W_i = S^(1/k), W_1 = S^(1/k) V^T (N = U S V^T), where"
            " J J^T (u_a v_b^T) = sum_i s_a^(2(k-i)/k) s_b^(2(i-1)/k) u_a v_b^T, largest at a = b = 1."
            f" So s_min = c k sigma_1(M/c)^(2 - 2/k) with c = {c}, k = {k},"
            f" sigma_1(M/c) = {sigma}{mean}.")
    # Morse-Bott when J (dP/dtheta) is onto at the balanced minimum: then {P = N} is a manifold
    # near it with tangent ker J = ker H. J J^T has the eigenvalues above, 0 only for
    # s_a = s_b = 0, i.e. iff rank N < d_out and rank N < d_in (depth >= 2).
    # When the narrowest hidden layer has width rank N = r, every P near N has rank <= r: P maps
    # into the manifold of rank-r matrices, whose tangent at N is spanned by the u_a v_b^T with
    # a <= r or b <= r, exactly where J J^T is positive. So P has constant rank there, {P = N}
    # is a manifold with tangent ker J = ker H: Morse-Bott too.
    narrowest = min(widths) if widths else None
    morse_bott = k == 1 or rank == d_out or rank == d_in or rank == narrowest
    N = np.array((M / c).evalf(17), dtype=float)
    point = _balanced_point(N, shapes, rank)
    return CriticalLearningRate(eta, s, Exactness.EXACT, point, argument, morse_bott=morse_bott)
