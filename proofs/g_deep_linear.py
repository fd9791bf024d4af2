"""(g) Depth-3 linear networks: past a critical step size every global minimum is unstable.

Statement (Craciun & Ghoshdastidar, arXiv 2402.13108, linear networks with squared loss): for
f(x) = W3 W2 W1 x and L = 1/2 ||W3 W2 W1 X - Y||_F^2 (sum, no 1/n), with X full row rank and
hidden widths >= rank, there is s > 0 with lambda_max(H) >= s at every global minimum, so for
eta > 2/s every global minimum is linearly unstable for GD.

Proved here, with every step checked in exact arithmetic:
- Lemma (any depth k, any point, any unit u, v): the test direction Z = grad_theta(u^T P v),
  P = W_k ... W_1, has |Z|^2 = sum_i |A_i^T u|^2 |B_i v|^2 >= k |u^T P v|^(2 - 2/k)
  (Cauchy-Schwarz along the chain, AM-GM), and <vec(u v^T), J Z> = |Z|^2 (J = dP/dtheta).
- Whitened data, X X^T = c I: s_min = inf over the minima of lambda_max(H) = 3 c sigma_1(M/c)^(4/3)
  exactly (M = Y X^T), attained at the balanced minimum: eta* = 2 / (3 c sigma_1(M/c)^(4/3)).
- Non-whitened data, S = X X^T: the minima are P = W* = Y X^T S^-1, and on every one of them
  lambda_max(H) >= b(v) = 3 |W* v|^(4/3) / (v^T S^-1 v) for every unit v: a rigorous lower
  bound, so every global minimum is unstable for eta > 2 / b(v). Only a bound: that
  max_v b(v) equals s_min is observed numerically (to ~1e-10 here), not proved; a rigorous
  bracket of eta* comes from b(v) and the exact spectrum at one rational minimum.
Run: python proofs/g_deep_linear.py [--out DIR]
"""

import time
from fractions import Fraction

import numpy as np
import sympy as sp
from _proof import Document, output_dir, tex
from scipy.optimize import minimize

from gdmaps.certify.critical_linear import exact_linear_network
from gdmaps.models import linear_network

t0 = time.perf_counter()
OUT = output_dir()
doc = Document("g_deep_linear",
               r"Depth-3 linear networks: every global minimum is unstable past"
               r" $\eta^*$; $\eta^*=2/(3c\,\sigma_1(M/c)^{4/3})$ on whitened data",
               "depth-3 linear net: s_min = 3c sigma_1(M/c)^(4/3) when X X^T = c I; for any X, every"
               " minimum has lambda_max(H) >= 3|W* v|^(4/3)/(v^T S^-1 v), so all are unstable past 2/bound")
R = sp.Rational
lam = sp.Symbol("lambda")


def sym_matrix(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i + 1}{j + 1}", real=True))


def weights(gd):
    """W1, W2, W3 (all 2 x 2) of a gdmaps depth-3 network, from its row-major state."""
    th = gd.state
    return [sp.Matrix(2, 2, th[4 * i:4 * i + 4]) for i in range(3)]


def chain(Ws):
    """A_i = W_k ... W_(i+1) and B_i = W_(i-1) ... W_1 (identities at the ends)."""
    k, d = len(Ws), Ws[0].shape[1]
    A = [sp.eye(Ws[-1].shape[0]) for _ in range(k)]
    B = [sp.eye(d) for _ in range(k)]
    for i in range(k):
        for W in Ws[i + 1:]:
            A[i] = W * A[i]
        for W in Ws[:i]:
            B[i] = W * B[i]
    return A, B


def charpoly(Hm):
    return sp.Poly(Hm.charpoly(lam).as_expr(), lam)


def sq(x):
    return (x.T * x)[0]


def _sci(x):
    """(mantissa, exponent) of a positive float, for LaTeX."""
    e = int(np.floor(np.log10(x)))
    return x / 10**e, e


def at(gd, Ws):
    return dict(zip(gd.state, [e for W in Ws for e in W]))


# == Part A: the lemma, for symbolic weights ==================================================
Wsym = [sym_matrix(f"w{i}", 2, 2) for i in (1, 2, 3)]
theta = sp.Matrix([e for W in Wsym for e in W])
P = Wsym[2] * Wsym[1] * Wsym[0]
A, B = chain(Wsym)
J = sp.Matrix(list(P)).jacobian(theta)  # row-major vec(P) by theta
u = sp.Matrix(sp.symbols("u1 u2", real=True))
v = sp.Matrix(sp.symbols("v1 v2", real=True))

# A1. J J^T is the operator K: E -> sum_i A_i A_i^T E B_i^T B_i
basis = [sp.Matrix(2, 2, lambda i, j, k=k: 1 if 2 * i + j == k else 0) for k in range(4)]
K = sp.Matrix.hstack(*[sp.Matrix(list(sum((A[i] * A[i].T * E * B[i].T * B[i] for i in range(3)),
                                          sp.zeros(2, 2)))) for E in basis])
assert (J * J.T - K).expand() == sp.zeros(4, 4), "J J^T != sum_i A_i A_i^T E B_i^T B_i"
doc.verified("J J^T = K: E -> sum_i A_i A_i^T E B_i^T B_i (A_i = W3..W(i+1), B_i = W(i-1)..W1),"
             " polynomial identity for 2x2 W1, W2, W3")

# A2. Z = grad(u^T P v): Z_i = A_i^T u v^T B_i^T, |Z|^2 = sum |A_i^T u|^2 |B_i v|^2, <uv^T, JZ> = |Z|^2
Z = sp.Matrix((u.T * P * v)[0:1]).jacobian(theta).T
Zblocks = sp.Matrix([e for i in range(3) for e in A[i].T * u * v.T * B[i].T])
assert (Z - Zblocks).expand() == sp.zeros(12, 1), "grad(u^T P v) != (A_i^T u v^T B_i^T)_i"
alpha2 = [sq(A[i].T * u) for i in range(3)]
beta2 = [sq(B[i] * v) for i in range(3)]
assert sp.expand(sq(Z) - sum(a * b for a, b in zip(alpha2, beta2))) == 0
e_uv = sp.Matrix(list(u * v.T))
assert sp.expand((e_uv.T * J * Z)[0] - sq(Z)) == 0, "<vec(u v^T), J Z> != |Z|^2"
doc.verified("Z = grad_theta(u^T P v) has blocks A_i^T u v^T B_i^T, |Z|^2 = sum_i |A_i^T u|^2 |B_i v|^2"
             " and <vec(u v^T), J Z> = |Z|^2 (identities in W, u, v)")

# A3. the chain: g_i = A_i^T u, f_i = W_i..W_1 v satisfy g_i^T f_i = u^T P v for i = 0..3
f = [v, Wsym[0] * v, Wsym[1] * Wsym[0] * v, P * v]
g = [P.T * u, (Wsym[2] * Wsym[1]).T * u, Wsym[2].T * u, u]
assert all(sp.expand((g[i].T * f[i])[0] - (u.T * P * v)[0]) == 0 for i in range(4))
assert all((g[i] - A[i - 1].T * u).expand() == sp.zeros(2, 1) for i in (1, 2, 3))
assert all((f[i] - B[i] * v).expand() == sp.zeros(2, 1) for i in (0, 1, 2))
# prod_i |A_i^T u| |B_i v| = |g_3||f_0| (|g_1||f_1|)(|g_2||f_2|): with alpha_i = |g_i|, beta_i = |f_(i-1)|
a1, a2, b1, b2 = sp.symbols("a1 a2 b1 b2", real=True)
assert sp.expand((a1**2 + a2**2) * (b1**2 + b2**2) - (a1 * b1 + a2 * b2)**2 - (a1 * b2 - a2 * b1)**2) == 0
doc.verified("g_i^T f_i = u^T P v for g_i = (W3..W(i+1))^T u, f_i = Wi..W1 v, i = 0..3; Lagrange's"
             " identity (Cauchy-Schwarz): prod_i |A_i^T u||B_i v| = |u||v| prod_(i=1,2) |g_i||f_i|"
             " >= |u||v| |u^T P v|^2")

# A4. AM-GM for three terms
x1, x2, x3 = sp.symbols("x1 x2 x3", nonnegative=True)
assert sp.expand(x1**3 + x2**3 + x3**3 - 3 * x1 * x2 * x3
                 - (x1 + x2 + x3) * ((x1 - x2)**2 + (x2 - x3)**2 + (x3 - x1)**2) / 2) == 0
doc.verified("AM-GM: x1^3 + x2^3 + x3^3 - 3 x1 x2 x3 = (x1 + x2 + x3)((x1-x2)^2 + (x2-x3)^2 + (x3-x1)^2)/2"
             " >= 0; so for unit u, v: |Z|^2 >= 3 |u^T P v|^(4/3)")

# == Part B: whitened data ====================================================================
# B1. whitening with c = 4: L = (c/2)||P - M/c||^2 + 1/2 (||Y||^2 - ||M||^2 / c)
c = 4
X = 2 * sp.Matrix([[1, 2, 2], [2, 1, -2]]) / 3
assert X * X.T == c * sp.eye(2)
Ysym = sym_matrix("y", 2, 3)
gw = linear_network(X, Ysym, [2, 2])
W = weights(gw)
Pw = W[2] * W[1] * W[0]
Msym = Ysym * X.T
Lw = c * sum(e**2 for e in (Pw - Msym / c)) / 2 + (sum(e**2 for e in Ysym) - sum(e**2 for e in Msym) / c) / 2
assert sp.expand(gw.loss - Lw) == 0, "whitening identity failed"
doc.verified("whitening: for X (2x3) with X X^T = 4 I and symbolic Y, the gdmaps loss of the depth-3"
             " network is (c/2)||W3W2W1 - M/c||^2 + (||Y||^2 - ||M||^2/c)/2, c = 4, M = Y X^T")

# B2. Gauss-Newton: H = c (J^T J + sum r_k Hess r_k), r = vec(P - M/c): H = c J^T J on the minima
rw = sp.Matrix(list(Pw - Msym / c))
Jw = rw.jacobian(sp.Matrix(gw.state))
GN = c * (Jw.T * Jw + sum((rw[k] * sp.hessian(rw[k], gw.state) for k in range(4)), sp.zeros(12, 12)))
assert (gw.hessian() - GN).expand() == sp.zeros(12, 12), "H != c (J^T J + sum r_k Hess r_k)"
doc.verified("H = c (J^T J + sum_k r_k Hess r_k) identically (gdmaps Hessian, symbolic Y); on the minima"
             " P = M/c: H = c J^T J, whose non-zero spectrum is that of c J J^T = c K")

# B3. equality at the balanced points, symbolically: M = diag(r1^3, r2^3), X = I, W_i = diag(r1, r2)
r1, r2 = sp.symbols("r1 r2", positive=True)
gd = linear_network(sp.eye(2), sp.diag(r1**3, r2**3), [2, 2])
D = sp.diag(r1, r2)
bal = at(gd, [D, D, D])
assert gd.gradient().xreplace(bal) == sp.zeros(12, 1)
Hd = gd.hessian().xreplace(bal)
cpd = charpoly(Hd)
mixed = r1**4 + r1**2 * r2**2 + r2**4
assert cpd == sp.Poly(lam**8 * (lam - 3 * r1**4) * (lam - 3 * r2**4) * (lam - mixed)**2, lam), cpd
doc.verified("M = diag(r1^3, r2^3), X = I, W1 = W2 = W3 = diag(r1, r2): charpoly(H) ="
             " l^8 (l - 3r1^4)(l - 3r2^4)(l - r1^4 - r1^2 r2^2 - r2^4)^2, lambda_max = 3 max(r_i)^4"
             " = 3 sigma_1^(4/3)")

# B4. a rational non-diagonal example, c = 4: N = M/c = U diag(8, 1) V^T
U = sp.Matrix([[R(3, 5), -R(4, 5)], [R(4, 5), R(3, 5)]])
V = sp.Matrix([[R(5, 13), -R(12, 13)], [R(12, 13), R(5, 13)]])
N = U * sp.diag(8, 1) * V.T
Y = N * X + sp.Matrix([[1], [-1]]) * sp.Matrix([[2, -2, 1]]) / 3  # (2, -2, 1) is orthogonal to X's rows
M = Y * X.T
assert M == c * N and Y != N * X
gr = linear_network(X, Y, [2, 2])
Dh = sp.diag(2, 1)  # diag(8, 1)^(1/3)
balanced = [Dh * V.T, Dh, U * Dh]
assert balanced[2] * balanced[1] * balanced[0] == N
assert gr.gradient().xreplace(at(gr, balanced)) == sp.zeros(12, 1)
Hr = gr.hessian()
cpr = charpoly(Hr.xreplace(at(gr, balanced)))
assert cpr == sp.Poly(lam**8 * (lam - 192) * (lam - 84)**2 * (lam - 12), lam), cpr
S_MIN = 192
assert S_MIN == c * 3 * 8**R(4, 3)  # 3 c sigma_1(M/c)^(4/3)
crit = exact_linear_network(gr)
assert crit.sharpness == S_MIN and crit.eta_star == R(1, 96), crit
doc.verified("M/c = U diag(8, 1) V^T (rational U, V), X 2x3 with X X^T = 4I, Y = M X/c + (null part): at"
             " the balanced W1 = diag(2,1)V^T, W2 = diag(2,1), W3 = U diag(2,1) the charpoly is"
             " l^8 (l - 192)(l - 84)^2 (l - 12): lambda_max = 192 = 3c sigma_1^(4/3); gdmaps'"
             " exact_linear_network gives s_min = 192, eta* = 1/96")

# B5. the lower bound at rational non-balanced minima: W1 = G1 Wb1, W2 = G2 Wb2 G1^-1, W3 = Wb3 G2^-1
u1, v1 = U[:, 0], V[:, 0]  # the top singular pair of N (unit, rational)
G_LIST = [(sp.Matrix([[1, 1], [0, 1]]), sp.eye(2)),
          (sp.diag(2, 1), sp.Matrix([[1, 0], [R(1, 2), 1]])),
          (sp.Matrix([[0, 1], [-1, 3]]), sp.Matrix([[2, 1], [1, 1]])),
          (sp.diag(R(1, 3), 5), sp.diag(7, R(1, 2)))]
whitened_rows = []
for G1, G2 in G_LIST:
    Ws = [G1 * balanced[0], G2 * balanced[1] * G1.inv(), balanced[2] * G2.inv()]
    assert Ws[2] * Ws[1] * Ws[0] == N
    pt = at(gr, Ws)
    assert gr.gradient().xreplace(pt) == sp.zeros(12, 1), "not a critical point"
    Hp = Hr.xreplace(pt)
    Ai, Bi = chain(Ws)
    Zp = sp.Matrix([e for i in range(3) for e in Ai[i].T * u1 * v1.T * Bi[i].T])
    rho = (Zp.T * Hp * Zp)[0] / sq(Zp)  # a Rayleigh quotient: lambda_max >= rho
    z2 = sq(Zp)
    cp = charpoly(Hp)
    assert cp.count_roots(rho, None) >= 1, "lambda_max < Rayleigh quotient?"
    assert rho >= c * z2 >= S_MIN, f"bound chain fails: rho {rho}, c|Z|^2 {c * z2}"
    lmax = max(cp.real_roots())
    assert cp.count_roots(S_MIN + 1, None) >= 1  # lambda_max > s_min: sharper than the balanced point
    whitened_rows.append((G1, G2, c * z2, rho, float(lmax)))
doc.verified(f"{len(G_LIST)} rational non-balanced minima (Gi rational, gdmaps gradient = 0): exact"
             " lambda_max(H) >= Z^T H Z/|Z|^2 >= c|Z|^2 >= 192, Z = grad(u1^T P v1), and lambda_max > 193")

# == Part C: non-whitened data ================================================================
# C1. S = X X^T not a multiple of I: L = 1/2 tr((P - W*) S (P - W*)^T) + const, W* = Y X^T S^-1
Xn = sp.Matrix([[1, 0, 1], [0, 1, 1]])
S = Xn * Xn.T
assert S == sp.Matrix([[2, 1], [1, 2]]) and S.det() != 0
Sinv = S.inv()
gs = linear_network(Xn, Ysym, [2, 2])
Ws_s = weights(gs)
Ps = Ws_s[2] * Ws_s[1] * Ws_s[0]
Wst = Ysym * Xn.T * Sinv
Rs = Ps - Wst
Ln = ((Rs * S * Rs.T).trace() + sum(e**2 for e in Ysym) - (Wst * S * Wst.T).trace()) / 2
assert sp.expand(gs.loss - Ln) == 0, "non-whitened identity failed"
doc.verified("non-whitened X = [[1,0,1],[0,1,1]] (S = X X^T = [[2,1],[1,2]]), symbolic Y: the gdmaps loss is"
             " 1/2 tr((P - W*) S (P - W*)^T) + const with W* = Y X^T S^-1; S > 0 so the minima are P = W*")

# C2. the Hessian: H = J^T (I (x) S) J + sum_ab ((P - W*) S)_ab Hess P_ab; on the minima H = J^T (I (x) S) J
Yc = sp.Matrix([[1, 2, 0], [0, 1, -1]])
Wc = Yc * Xn.T * Sinv
assert Wc == sp.Matrix([[0, 1], [-R(2, 3), R(1, 3)]])
gn = linear_network(Xn, Yc, [2, 2])
Wn = weights(gn)
Pn = Wn[2] * Wn[1] * Wn[0]
Jn = sp.Matrix(list(Pn)).jacobian(sp.Matrix(gn.state))
Q = sp.kronecker_product(sp.eye(2), S)  # row-major vec(E S) = (I (x) S) vec(E)
resid = (Pn - Wc) * S
Hn_expected = Jn.T * Q * Jn + sum((resid[k] * sp.hessian(list(Pn)[k], gn.state) for k in range(4)),
                                  sp.zeros(12, 12))
Hn = gn.hessian()
assert (Hn - Hn_expected).expand() == sp.zeros(12, 12), "H != J^T (I x S) J + residual term"
doc.verified("Y = [[1,2,0],[0,1,-1]], W* = [[0,1],[-2/3,1/3]]: H = J^T (I (x) S) J + sum_ab ((P - W*)S)_ab"
             " Hess P_ab identically, so on the minima Z^T H Z = tr(D S D^T) with D = J Z")

# C3. the bound b(v) = 3 |W* v|^(4/3) / (v^T S^-1 v): pick a rational unit v near its maximum
Wf, Sif = np.array(Wc, dtype=float), np.array(Sinv, dtype=float)


def b_float(t):
    w = np.array([np.cos(t), np.sin(t)])
    return 3 * np.linalg.norm(Wf @ w) ** (4 / 3) / (w @ Sif @ w)


ts = np.linspace(0, np.pi, 2001)
t_best = minimize(lambda t: -b_float(t[0]), [ts[np.argmax([b_float(t) for t in ts])]],
                  method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-15}).x[0]
q = Fraction(np.tan(t_best / 2)).limit_denominator(1000)
tq = R(q.numerator, q.denominator)
vq = sp.Matrix([(1 - tq**2) / (1 + tq**2), 2 * tq / (1 + tq**2)])  # rational, |vq| = 1
assert sq(vq) == 1
aq = Wc * vq
b_cubed = 27 * sq(aq)**2 / (vq.T * Sinv * vq)[0] ** 3  # b(v)^3, rational
b_val = sp.root(b_cubed, 3)  # b(v) = 3 |W* v|^(4/3) / (v^T S^-1 v), exact
# a rational eta0 just above 2 / b: (2/eta0)^3 < b^3
eta0 = R(Fraction(2 / float(b_val) * (1 + 1e-7)).limit_denominator(10**5))
assert (2 / eta0) ** 3 < b_cubed, "eta0 is not above 2 / b(v)"
loewner = float(min(S.eigenvals(multiple=True))) * 3 * float(max(Wc.singular_values())) ** (4 / 3)
doc.verified(f"v = ((1-t^2)/(1+t^2), 2t/(1+t^2)), t = {tq} (|v| = 1, rational): b(v) ="
             f" 3|W* v|^(4/3)/(v^T S^-1 v) ~ {float(b_val):.12f} (b(v)^3 rational); eta0 = {eta0}"
             " satisfies (2/eta0)^3 < b(v)^3")

# C4. at rational minima: the chain of the proof, exactly, and instability at eta0
nonwhite_rows = []
REP = [(sp.eye(2), sp.eye(2)), (sp.Matrix([[1, 1], [0, 1]]), sp.diag(2, R(1, 2))),
       (sp.Matrix([[2, -1], [1, 1]]), sp.Matrix([[R(1, 3), 0], [1, 1]])),
       (sp.diag(3, 1), sp.Matrix([[0, 1], [1, 0]]))]
for W1, W2 in REP:
    Ws = [W1, W2, Wc * (W2 * W1).inv()]
    assert Ws[2] * Ws[1] * Ws[0] == Wc
    pt = at(gn, Ws)
    assert gn.gradient().xreplace(pt) == sp.zeros(12, 1), "not a critical point"
    Hp = Hn.xreplace(pt)
    Ai, Bi = chain(Ws)
    Zp = sp.Matrix([e for i in range(3) for e in Ai[i].T * aq * vq.T * Bi[i].T])  # grad(a^T P v)
    Dp = sum((Ai[i] * Ai[i].T * aq * vq.T * Bi[i].T * Bi[i] for i in range(3)), sp.zeros(2, 2))
    z2, na2 = sq(Zp), sq(aq)
    assert (Jn.xreplace(pt) * Zp - sp.Matrix(list(Dp))) == sp.zeros(4, 1) and (aq.T * Dp * vq)[0] == z2
    quad = (Zp.T * Hp * Zp)[0]
    assert quad == (Dp * S * Dp.T).trace(), "Z^T H Z != tr(D S D^T)"
    rho = quad / z2
    cp = charpoly(Hp)
    assert cp.count_roots(rho, None) >= 1                                 # lambda_max >= rho
    assert z2**2 <= quad * na2 * (vq.T * Sinv * vq)[0]                   # Cauchy-Schwarz in S
    assert z2**3 >= 27 * na2 * (aq.T * Wc * vq)[0] ** 4                 # chain + AM-GM, cubed
    assert (z2 / (na2 * (vq.T * Sinv * vq)[0])) ** 3 >= b_cubed         # = b(v)^3
    assert rho > 2 / eta0, "the explicit vector does not show instability at eta0"
    nonwhite_rows.append((W1, W2, rho, float(max(cp.real_roots()))))
doc.verified(f"{len(REP)} rational minima W3 = W* (W2 W1)^-1 (gdmaps gradient = 0): with a = W* v and"
             " Z = grad(a^T P v) (rational), exactly Z^T H Z = tr(D S D^T), lambda_max >= Z^T H Z/|Z|^2 >="
             " |Z|^2/(|a|^2 v^T S^-1 v) >= b(v), and Z^T H Z > (2/eta0)|Z|^2: unstable at eta0")

# C5. a rigorous bracket of eta*: s_min <= lambda_max at a rational minimum near the flattest one
num = gn.numeric
Wcf = np.array(Wc, dtype=float)


def point(z):
    W1f, W2f = z[:4].reshape(2, 2), z[4:].reshape(2, 2)
    return np.concatenate([W1f.ravel(), W2f.ravel(), (Wcf @ np.linalg.inv(W2f @ W1f)).ravel()])


def sharp(z):
    return np.linalg.eigvalsh(num.hessian(point(z)))[-1]


rng = np.random.default_rng(20240220)
Zs = rng.normal(size=(500, 8))
pts = np.array([point(z) for z in Zs])
lm = np.linalg.eigvalsh(num.hessian(pts))[:, -1]
assert lm.min() >= float(b_val) * (1 - 1e-12), "a sampled minimum is flatter than the proved bound"
best = min((minimize(sharp, z0, method="BFGS", options={"gtol": 1e-10}) for z0 in Zs[np.argsort(lm)[:3]]),
           key=lambda r: r.fun)
b_star = b_float(t_best)
# round the flattest numeric minimum to rationals; W3 is then exact
W1r = sp.Matrix(2, 2, [R(Fraction(x).limit_denominator(10**6)) for x in best.x[:4]])
W2r = sp.Matrix(2, 2, [R(Fraction(x).limit_denominator(10**6)) for x in best.x[4:]])
Wsr = [W1r, W2r, Wc * (W2r * W1r).inv()]
ptr = at(gn, Wsr)
assert gn.gradient().xreplace(ptr) == sp.zeros(12, 1)
cpr_n = charpoly(Hn.xreplace(ptr))
upper = R(Fraction(float(max(cpr_n.real_roots())) * (1 + 1e-12)).limit_denominator(10**12))
assert cpr_n.count_roots(upper, None) == 0, "upper is not above lambda_max at the rational minimum"
assert upper**3 > b_cubed
gap = float(upper) / float(b_val) - 1
assert 0 < gap < 1e-6, f"the bracket is not tight: {gap}"
doc.verified(f"a rational minimum near the numerically flattest one has lambda_max(H) < {float(upper):.12f}"
             f" (Sturm count, exact): so eta* in [2/{float(upper):.12f}, 2/b(v)] ="
             f" [{2 / float(upper):.15f}, {2 / float(b_val):.15f}] (relative width {gap:.1e}), proved")
doc.verified(f"numerics: over 500 random minima lambda_max >= b(v); BFGS reaches {best.fun:.12f} vs"
             f" max_v b(v) = {b_star:.12f} (sharpness of the bound: observed, not proved)")

# == LaTeX ====================================================================================
doc.text(r"""
Throughout, $f(x)=W_3W_2W_1x$, $P=W_3W_2W_1$, $L=\tfrac12\|PX-Y\|_F^2$ (sum over the data, no
$1/n$; \texttt{reduction="mean"} divides $H$ and $s_{\min}$ by $n$), $\theta=(W_1,W_2,W_3)$,
$J=\partial\operatorname{vec}P/\partial\theta$, and for depth $k$
$A_i=W_k\cdots W_{i+1}$, $B_i=W_{i-1}\cdots W_1$ (empty products are identities). A global minimum
is linearly unstable for GD with step $\eta$ as soon as $\lambda_{\max}(H)>2/\eta$, since
$DG_\eta=I-\eta H$.

\begin{lemma}[Test direction]\label{lem}
For any weights of any depth $k$ and unit vectors $u,v$, let
$Z=\nabla_\theta(u^{\top}Pv)$. Then $Z_i=A_i^{\top}uv^{\top}B_i^{\top}$,
$\langle\operatorname{vec}(uv^{\top}),JZ\rangle=|Z|^2=\sum_{i=1}^k|A_i^{\top}u|^2|B_iv|^2$, and
\[
|Z|^2\ \ge\ k\,|u^{\top}Pv|^{2-2/k}.
\]
\end{lemma}
\begin{proof}
The first identities are differentiation
($u^\top A_i\,dW_i\,B_iv=\langle A_i^\top uv^\top B_i^\top,dW_i\rangle$).
Let $g_i=A_i^{\top}u$ and $f_i=W_i\cdots W_1v$ ($g_k=u$, $f_0=v$); then
$g_i^{\top}f_i=u^{\top}Pv$ for every $i$, and $|A_i^\top u|\,|B_iv|=|g_i|\,|f_{i-1}|$, so by
Cauchy--Schwarz
$\prod_{i=1}^k|A_i^\top u||B_iv|=|g_k||f_0|\prod_{i=1}^{k-1}|g_i||f_i|\ge|u^\top Pv|^{k-1}$.
AM--GM on the $k$ terms of $|Z|^2$ finishes the proof. For $k=3$ every identity was checked as a
polynomial identity for $2\times2$ weights, together with Lagrange's identity and
$x_1^3+x_2^3+x_3^3-3x_1x_2x_3=\tfrac12(x_1+x_2+x_3)\sum(x_i-x_j)^2$.
\end{proof}

\begin{proposition}[Whitened data, {\cite{CG24}}]\label{prop:white}
Let $XX^{\top}=cI$, $c>0$, $M=YX^{\top}$, $N=M/c$ with top singular value $\sigma_1$, and every
hidden width $\ge\operatorname{rank}M$. Then the global minima are $\{P=N\}$ and
\[
s_{\min}=\inf_{P=N}\lambda_{\max}(H)=c\,k\,\sigma_1^{2-2/k}\quad(k=3:\ 3c\,\sigma_1^{4/3}),\qquad
\eta^*=\frac{2}{c\,k\,\sigma_1^{2-2/k}},
\]
attained at the balanced minimum $W_k=US^{1/k}$, $W_i=S^{1/k}$, $W_1=S^{1/k}V^{\top}$ ($N=USV^\top$).
Past $\eta^*$ every global minimum is unstable.
\end{proposition}
\begin{proof}
$\|PX-Y\|_F^2=c\|P-N\|_F^2+\|Y\|_F^2-\|M\|_F^2/c$ (checked on the \texttt{gdmaps} loss, depth 3,
$X=\tfrac23\left[\begin{smallmatrix}1&2&2\\2&1&-2\end{smallmatrix}\right]$, $c=4$, symbolic $Y$).
With $r=\operatorname{vec}(P-N)$, $H=c(J^\top J+\sum_kr_k\nabla^2r_k)$ (checked identically), so
$H=cJ^\top J$ on the minima and $\lambda_{\max}(H)=c\lambda_{\max}(JJ^\top)$, where $JJ^\top=K$,
$K(E)=\sum_iA_iA_i^\top EB_i^\top B_i$ (checked identically).
\emph{Lower bound.} With $(u,v)$ the top singular pair of $N$ and $Z$ as in Lemma~\ref{lem},
$|JZ|\ge\langle\operatorname{vec}(uv^\top),JZ\rangle=|Z|^2$, so
$\lambda_{\max}(H)\ge c|JZ|^2/|Z|^2\ge c|Z|^2\ge ck\sigma_1^{2-2/k}$ at every minimum.
\emph{Equality.} At the balanced minimum $A_iA_i^\top=US^{2(k-i)/k}U^\top$ and
$B_i^\top B_i=VS^{2(i-1)/k}V^\top$, so $K(u_av_b^\top)=\sum_i s_a^{2(k-i)/k}s_b^{2(i-1)/k}\,u_av_b^\top$,
largest for $a=b=1$: $k\sigma_1^{2-2/k}$ (padding by zeros handles widths $>\operatorname{rank}M$).
For $N=\operatorname{diag}(r_1^3,r_2^3)$, $X=I$, $W_i=\operatorname{diag}(r_1,r_2)$ the
\texttt{gdmaps} Hessian has
""")
doc.display(r"\det(\lambda I-H)=" + sp.latex(cpd.as_expr().factor()) + ".")
doc.text(r"""
On non-trivial whitened data: $U=\tfrac15\left[\begin{smallmatrix}3&-4\\4&3\end{smallmatrix}\right]$,
$V=\tfrac1{13}\left[\begin{smallmatrix}5&-12\\12&5\end{smallmatrix}\right]$,
$N=U\operatorname{diag}(8,1)V^\top=""" + tex(N) + r"""$, $X$ as above ($c=4$),
$Y=NX+\tfrac13(1,-1)^\top(2,-2,1)$ (so $M=YX^\top=4N$, $Y\ne NX$). At the balanced minimum
$W_1=\operatorname{diag}(2,1)V^\top$, $W_2=\operatorname{diag}(2,1)$, $W_3=U\operatorname{diag}(2,1)$,
$\det(\lambda I-H)=""" + sp.latex(cpr.as_expr().factor()) + r"""$, so
$\lambda_{\max}=192=3\cdot4\cdot8^{4/3}$ and $\eta^*=1/96$ (also the value of
\texttt{gdmaps.certify.critical\_linear.exact\_linear\_network}). At rational non-balanced minima
$W_1=G_1W_1^b$, $W_2=G_2W_2^bG_1^{-1}$, $W_3=W_3^bG_2^{-1}$ the chain of the proof holds exactly:
""")
doc.display(r"\begin{array}{cc|ccc}G_1&G_2&c|Z|^2&Z^\top HZ/|Z|^2&\lambda_{\max}(H)\\\hline "
            + r"\\".join(f"{tex(G1)}&{tex(G2)}&{sp.latex(cz)}&{sp.latex(rh)}&{lm_:.4f}"
                         for G1, G2, cz, rh, lm_ in whitened_rows) + r"\end{array}")
doc.text(r"""
all $\ge192$ (the exact $\lambda_{\max}$ is located by a Sturm count; the floats are for reading).
\end{proof}

\begin{proposition}[Non-whitened data: a rigorous bound]\label{prop:nonwhite}
Let $X$ have full row rank, $S=XX^\top$ (not necessarily a multiple of $I$), $W^*=YX^\top S^{-1}$,
every hidden width $\ge\operatorname{rank}W^*$. Then
$L=\tfrac12\operatorname{tr}((P-W^*)S(P-W^*)^\top)+\text{const}$,
the global minima are $\{P=W^*\}$, and at every one of them, for every unit vector $v$,
\[
\lambda_{\max}(H)\ \ge\ b(v)=\frac{k\,|W^*v|^{2-2/k}}{v^\top S^{-1}v}.
\]
Hence every global minimum is unstable for $\eta>2/b(v)$, i.e.\ $\eta^*\le2/\max_vb(v)$.
\end{proposition}
\begin{proof}
$\|PX-Y\|_F^2=\operatorname{tr}((P-W^*)S(P-W^*)^\top)+\text{const}$ since $(W^*X-Y)X^\top=0$; $S\succ0$,
so the minima are $P=W^*$ (reachable since the widths are $\ge\operatorname{rank}W^*$). On them
$Z^\top HZ=\operatorname{tr}(DSD^\top)$ with $D=JZ$ (the Hessian identity
$H=J^\top(I\otimes S)J+\sum_{ab}((P-W^*)S)_{ab}\nabla^2P_{ab}$ was checked identically for depth 3).
Take $u=W^*v/|W^*v|$ and $Z$ as in Lemma~\ref{lem}. Then
$|Z|^2=u^\top Dv=\langle S^{1/2}D^\top u,S^{-1/2}v\rangle\le(u^\top DSD^\top u)^{1/2}(v^\top S^{-1}v)^{1/2}
\le\operatorname{tr}(DSD^\top)^{1/2}(v^\top S^{-1}v)^{1/2}$, so
\[
\lambda_{\max}(H)\ge\frac{Z^\top HZ}{|Z|^2}\ge\frac{|Z|^2}{v^\top S^{-1}v}
\ge\frac{k|u^\top W^*v|^{2-2/k}}{v^\top S^{-1}v}=b(v).
\]
For $XX^\top=cI$ and $v=v_1$ this is the bound of Proposition~\ref{prop:white}, which is sharp there.
\end{proof}

\emph{Example} (depth 3): $X=\left[\begin{smallmatrix}1&0&1\\0&1&1\end{smallmatrix}\right]$,
$S=""" + tex(S) + r"""$, $Y=""" + tex(Yc) + r"""$, $W^*=""" + tex(Wc) + r"""$. With the rational unit
vector $v=((1-t^2)/(1+t^2),\,2t/(1+t^2))$, $t=""" + sp.latex(tq) + r"""$,
""")
doc.display(r"b(v)^3=" + sp.latex(b_cubed) + r",\qquad b(v)\approx" + f"{float(b_val):.10f}"
            + r",\qquad \eta_0=" + sp.latex(eta0) + r">2/b(v).")
doc.text(r"""
So \textbf{every global minimum of this network is unstable for $\eta>2/b(v)\approx"""
         + f"{2 / float(b_val):.10f}" + r"""$}; this is proved. At rational minima
$W_3=W^*(W_2W_1)^{-1}$, with $a=W^*v$ and the rational vector $Z=\nabla_\theta(a^\top Pv)$, every
inequality of the proof was checked in exact arithmetic (cubed where $b(v)$ has a cube root), and
the explicit vector gives $Z^\top HZ>(2/\eta_0)|Z|^2$:
""")
doc.display(r"\begin{array}{cc|cc}W_1&W_2&Z^\top HZ/|Z|^2&\lambda_{\max}(H)\\\hline "
            + r"\\".join(f"{tex(W1)}&{tex(W2)}&{float(rh):.6f}&{lm_:.6f}"
                         for W1, W2, rh, lm_ in nonwhite_rows)
            + r"\end{array}\qquad 2/\eta_0\approx" + f"{float(2 / eta0):.10f}.")
doc.text(r"""
\emph{A rigorous bracket.} A rational minimum near the numerically flattest one (its $W_1,W_2$ rounded
to rationals, $W_3=W^*(W_2W_1)^{-1}$ exact) has $\lambda_{\max}(H)<U=""" + f"{float(upper):.12f}" + r"""$
(exact Sturm count), so $s_{\min}<U$ and
\[
\eta^*\in\Bigl[\frac2U,\ \frac2{b(v)}\Bigr]=[""" + f"{2 / float(upper):.15f},\\ {2 / float(b_val):.15f}"
         + r"""],\qquad\text{relative width }""" + "{:.1f}\\cdot10^{{{}}}".format(*_sci(gap)) + r""".
\]

\begin{remark}[What is proved and what is not]
Proved: Proposition~\ref{prop:white} (the exact $\eta^*$ for whitened data at every depth, the
identities machine-checked at depth 3), Proposition~\ref{prop:nonwhite} (a lower bound of
$\lambda_{\max}$ on all minima, hence instability of every global minimum past $2/b(v)$, for
non-whitened data), and the bracket of $\eta^*$ in the example. Not proved: that
$\max_v b(v)=s_{\min}$ for non-whitened data. Numerically (scipy BFGS on the compiled
\texttt{gdmaps} Hessian over 500 random minima) the flattest minimum found has
$\lambda_{\max}=""" + f"{best.fun:.12f}" + r"""$ and $\max_vb(v)=""" + f"{b_star:.12f}" + r"""$:
the bound appears sharp, which we state only as an observation. The cruder bound
$\lambda_{\min}(S)\,k\,\sigma_1(W^*)^{2-2/k}=""" + f"{loewner:.6f}" + r"""$
(from $H\succeq\lambda_{\min}(S)\,J^\top J$ on the minima)
is far from sharp here.
\end{remark}
""")

path = doc.write(OUT)
doc.report(path, time.perf_counter() - t0)
