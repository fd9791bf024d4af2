"""(d) Depth-2 linear network on whitened data: s_min = 2 ||M||_2, eta* = 1 / ||Y X^T||_2.

Statement (Craciun & Ghoshdastidar, arXiv 2402.13108, linear networks with squared loss):
let f(x) = W2 W1 x, data X (d x n) with X X^T = I (whitened), targets Y (m x n),
M = Y X^T, hidden width h >= rank M, and L = 1/2 ||W2 W1 X - Y||_F^2 (sum, no 1/n). Then
L = 1/2 ||W2 W1 - M||_F^2 + const, the global minima are M = {W2 W1 = M}, and on them
    lambda_max(H) >= 2 sigma_max(M),
with equality at the balanced factorizations W1 = S^(1/2) V^T, W2 = U S^(1/2) (M = U S V^T).
So s_min = 2 ||M||_2 and eta* = 2 / s_min = 1 / ||Y X^T||_2, as the brief expected.

Derived and checked here: the whitening identity; H = J^T J on the minima (Gauss-Newton, the
residual term vanishes); J J^T is the operator K(E) = W2 W2^T E + E W1^T W1; the Rayleigh
quotient of K at u v^T (top singular pair) is ||W2^T u||^2 + ||W1 v||^2 >= 2 u^T M v = 2 sigma_1;
exact spectra at balanced points (M = diag(m1, m2) symbolic; a non-diagonal rational M on
non-trivial whitened X); the scalar-output case in closed form; and a numerical minimization
of lambda_max(H) over random points of the minima manifold (scipy, gdmaps' compiled Hessian).
Run: python proofs/d_linear_whitened.py [--out DIR]
"""

import time

import numpy as np
import sympy as sp
from _proof import Document, output_dir, tex
from scipy.optimize import minimize
from scipy.stats import ortho_group

from gdmaps.models import linear_network

t0 = time.perf_counter()
OUT = output_dir()
doc = Document("d_linear_whitened",
               r"Depth-2 linear networks on whitened data: $\eta^*=1/\|YX^{\top}\|_2$",
               "depth-2 linear net, X X^T = I: min over the minima of lambda_max(H) is 2||Y X^T||_2,"
               " eta* = 1/||Y X^T||_2")
R = sp.Rational
lam = sp.Symbol("lambda")


def sym_matrix(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i + 1}{j + 1}", real=True))


def split(gd, h, d, m):
    """W1 (h x d) and W2 (m x h) of a gdmaps linear network, from its row-major state."""
    th = gd.state
    return sp.Matrix(h, d, th[:h * d]), sp.Matrix(m, h, th[h * d:])


def charpoly(Hm):
    return sp.factor(Hm.charpoly(lam).as_expr())


# -- 1. whitening: L = 1/2 ||W2 W1 - M||^2 + 1/2 (||Y||^2 - ||M||^2) --------------------------
# X: 2 x 3 with orthonormal rows (n = 3 > d = 2), Y symbolic 2 x 3
X = sp.Matrix([[1, 2, 2], [2, 1, -2]]) / 3
assert X * X.T == sp.eye(2), "X X^T != I"
Y = sym_matrix("y", 2, 3)
M = Y * X.T
g = linear_network(X, Y, [2])
W1, W2 = split(g, 2, 2, 2)
P = W2 * W1
Lw = (sum(e**2 for e in (P - M)) + sum(e**2 for e in Y) - sum(e**2 for e in M)) / 2
assert sp.expand(g.loss - Lw) == 0, "whitening identity failed"
doc.verified("whitening: for X (2x3) with X X^T = I and symbolic Y, the gdmaps loss equals"
             " 1/2||W2W1 - M||^2 + 1/2(||Y||^2 - ||M||^2), M = Y X^T")

# -- 2. Gauss-Newton: H = J^T J + sum_k r_k Hess(r_k), r = vec(W2 W1 - M) ----------------------
th = sp.Matrix(g.state)
r = sp.Matrix(list(P - M))  # row-major vec
J = r.jacobian(th)
GN = J.T * J + sum((r[k] * sp.hessian(r[k], g.state) for k in range(len(r))), sp.zeros(8, 8))
assert (g.hessian() - GN).expand() == sp.zeros(8, 8), "H != J^T J + sum r_k Hess r_k"
doc.verified("H = J^T J + sum_k r_k Hess(r_k) identically (r = vec(W2W1 - M)); so H = J^T J on W2W1 = M")

# -- 3. J J^T = K: E -> W2 W2^T E + E W1^T W1 (row-major vec of 2 x 2 matrices E) -------------
basis = [sp.Matrix(2, 2, lambda i, j, k=k: 1 if 2 * i + j == k else 0) for k in range(4)]
K = sp.Matrix.hstack(*[sp.Matrix(list(W2 * W2.T * E + E * W1.T * W1)) for E in basis])
assert (J * J.T - K).expand() == sp.zeros(4, 4), "J J^T != K"
doc.verified("J J^T = K, the matrix of E -> W2 W2^T E + E W1^T W1 (polynomial identity)")

# J^T J (8x8) and J J^T (4x4) share their nonzero eigenvalues with multiplicity (Sylvester's
# determinant identity det(t I_8 - J^T J) = t^4 det(t I_4 - J J^T)); checked at the balanced point below

# -- 4. the lower bound: <u v^T, K(u v^T)> = ||W2^T u||^2 + ||W1 v||^2 >= 2 u^T W2 W1 v -------
u = sp.Matrix(sp.symbols("u1 u2", real=True))
v = sp.Matrix(sp.symbols("v1 v2", real=True))
e = sp.Matrix(list(u * v.T))
a_, b_ = W2.T * u, W1 * v
quad = (e.T * K * e)[0]
nu, nv = (u.T * u)[0], (v.T * v)[0]
assert sp.expand(quad - nv * (a_.T * a_)[0] - nu * (b_.T * b_)[0]) == 0, \
    "<uv^T, K uv^T> != |v|^2 |W2^T u|^2 + |u|^2 |W1 v|^2 (= |W2^T u|^2 + |W1 v|^2 for unit u, v)"
assert sp.expand((a_.T * a_)[0] + (b_.T * b_)[0] - ((a_ - b_).T * (a_ - b_))[0] - 2 * (a_.T * b_)[0]) == 0
assert sp.expand((a_.T * b_)[0] - (u.T * W2 * W1 * v)[0]) == 0, "a^T b != u^T W2 W1 v"
assert sp.expand((e.T * e)[0] - (u.T * u)[0] * (v.T * v)[0]) == 0, "||u v^T||_F != |u| |v|"
doc.verified("<uv^T, K uv^T> = |v|^2|W2^T u|^2 + |u|^2|W1 v|^2; for unit u, v this is"
             " |W2^T u - W1 v|^2 + 2 u^T W2W1 v, and"
             " ||uv^T||_F = |u||v|: on the minima lambda_max(H) >= 2 u^T M v = 2 sigma_1")

# -- 5. equality at the balanced points: M = diag(m1, m2), m_i = r_i^2 > 0, X = I --------------
r1, r2 = sp.symbols("r1 r2", positive=True)
gd = linear_network(sp.eye(2), sp.diag(r1**2, r2**2), [2])
W1d, W2d = split(gd, 2, 2, 2)
bal = {**dict(zip(W1d, [r1, 0, 0, r2])), **dict(zip(W2d, [r1, 0, 0, r2]))}
assert (W2d * W1d).subs(bal) == sp.diag(r1**2, r2**2) and gd.gradient().subs(bal) == sp.zeros(8, 1)
Hd = gd.hessian().subs(bal)
cpd = charpoly(Hd)
assert sp.expand(cpd - lam**4 * (lam - 2 * r1**2) * (lam - 2 * r2**2) * (lam - r1**2 - r2**2) ** 2) == 0, \
    f"spectrum at the balanced point of diag(m1, m2): {cpd}"
# so lambda_max = 2 max(m1, m2) = 2 ||M||_2, matching the lower bound: s_min = 2 ||M||_2
# mean normalization: H is divided by n = 2
gmean = linear_network(sp.eye(2), sp.diag(r1**2, r2**2), [2], reduction="mean")
assert (gmean.hessian() - gd.hessian() / 2).expand() == sp.zeros(8, 8), "mean should halve H (n = 2)"
doc.verified("M = diag(m1, m2), W1 = W2 = diag(sqrt m1, sqrt m2) (gdmaps Hessian): charpoly ="
             " l^4 (l - 2m1)(l - 2m2)(l - m1 - m2)^2, so lambda_max = 2 max(m1, m2) = 2||M||_2")
doc.verified("reduction='mean' divides H by n (here 2): then s_min = 2||M||_2/n, eta* = n/||M||_2")

# J^T J and J J^T at the balanced point: the nonzero spectra agree
Jd = sp.Matrix(list(W2d * W1d)).jacobian(sp.Matrix(gd.state)).subs(bal)
assert sp.expand(charpoly(Jd.T * Jd) - lam**4 * charpoly(Jd * Jd.T)) == 0
assert (Jd.T * Jd - Hd).expand() == sp.zeros(8, 8)
doc.verified("at that balanced point H = J^T J and det(l I - J^T J) = l^4 det(l I - J J^T)")

# -- 6. a non-diagonal rational example on non-trivial whitened data --------------------------
Ur = sp.Matrix([[R(3, 5), -R(4, 5)], [R(4, 5), R(3, 5)]])
Vr = sp.Matrix([[R(5, 13), -R(12, 13)], [R(12, 13), R(5, 13)]])
S, Sh = sp.diag(4, 1), sp.diag(2, 1)
Mr = Ur * S * Vr.T
Xr = sp.Matrix([[1, 2, 2], [2, 1, -2]]) / 3
Yr = Mr * Xr + sp.Matrix([[1], [-1]]) * sp.Matrix([[2, -2, 1]]) / 3  # (2, -2, 1) is orthogonal to X's rows
assert Xr * Xr.T == sp.eye(2) and Yr * Xr.T == Mr, "rational whitened example is wrong"
gr = linear_network(Xr, Yr, [2])
W1r, W2r = split(gr, 2, 2, 2)
br = {**dict(zip(W1r, Sh * Vr.T)), **dict(zip(W2r, Ur * Sh))}
assert gr.gradient().subs(br) == sp.zeros(8, 1), "balanced point is not critical"
Hr = gr.hessian().subs(br)
cpr = charpoly(Hr)
assert sp.expand(cpr - lam**4 * (lam - 8) * (lam - 5) ** 2 * (lam - 2)) == 0, f"rational example: {cpr}"
svals = sorted(Mr.singular_values(), reverse=True)
assert svals == [4, 1], f"singular values of M: {svals}"
# an unbalanced minimum on the same data is sharper: W1 = diag(4, 1) V^T, W2 = U diag(1, 1)
ub = {**dict(zip(W1r, sp.diag(4, 1) * Vr.T)), **dict(zip(W2r, Ur))}
assert gr.gradient().subs(ub) == sp.zeros(8, 1)
cpu = charpoly(gr.hessian().subs(ub))
lmax_ub = max(sp.solve(cpu, lam))
assert lmax_ub == 17, f"lambda_max at the unbalanced minimum: {lmax_ub}"
doc.verified("M = U diag(4, 1) V^T (rational U, V), X 2x3 whitened, Y = M X + (null part): at"
             " W1 = diag(2, 1) V^T, W2 = U diag(2, 1) the charpoly is l^4 (l - 8)(l - 5)^2 (l - 2):"
             " lambda_max = 8 = 2 sigma_1; the unbalanced minimum W1 = diag(4, 1) V^T has lambda_max = 17")

# -- 7. scalar output (rank-one M) in closed form: X = I, Y = M = (m1, m2), h = 1 ------------
m1, m2 = sp.symbols("m1 m2", real=True)
gs = linear_network(sp.eye(2), sp.Matrix([[m1, m2]]), [1])
(uu1, uu2, vv) = gs.state
on_min = {uu1: m1 / vv, uu2: m2 / vv}  # v u = M, v != 0
Hs = gs.hessian().subs(on_min).applyfunc(sp.cancel)
nM2 = m1**2 + m2**2
cps = sp.cancel(Hs.charpoly(lam).as_expr() - lam * (lam - vv**2) * (lam - vv**2 - nM2 / vv**2))
assert cps == 0, "scalar output: spectrum on the minima is not {0, v^2, v^2 + ||M||^2/v^2}"
nM = sp.sqrt(nM2)
assert sp.cancel(vv**2 + nM2 / vv**2 - 2 * nM - (vv**2 - nM) ** 2 / vv**2) == 0
doc.verified("scalar output, h = 1: on v u = M the spectrum is {0, v^2, v^2 + ||M||^2/v^2} and"
             " v^2 + ||M||^2/v^2 - 2||M|| = (v^2 - ||M||)^2/v^2 >= 0")

# -- 8. numerics: minimize lambda_max(H) over random points of the minima manifold ------------
rng = np.random.default_rng(20240220)
numeric_rows = []
for m, d, h, n in ((2, 2, 2, 2), (3, 3, 3, 4), (2, 2, 3, 3), (2, 3, 3, 5)):
    Mn = rng.normal(size=(m, d))
    Xn = ortho_group.rvs(n, random_state=rng)[:d]  # d x n, orthonormal rows
    Yn = Mn @ Xn + rng.normal(size=(m, n)) @ (np.eye(n) - Xn.T @ Xn)
    assert np.allclose(Xn @ Xn.T, np.eye(d)) and np.allclose(Yn @ Xn.T, Mn)
    num = linear_network(Xn, Yn, [h]).numeric
    s1 = np.linalg.svd(Mn, compute_uv=False)[0]

    def point(z, Mn=Mn, h=h, d=d, m=m):
        """A global minimum: W1 (h x d, full column rank), W2 = M W1^+ + N (I - W1 W1^+)."""
        A1, N = z[:h * d].reshape(h, d), z[h * d:].reshape(m, h)
        Pi = np.linalg.pinv(A1)
        return np.concatenate([A1.ravel(), (Mn @ Pi + N @ (np.eye(h) - A1 @ Pi)).ravel()])

    Z = rng.normal(size=(2000, h * d + m * h))
    pts = np.array([point(z) for z in Z])
    scale = (1 + np.linalg.norm(pts, axis=1)) ** 3
    assert (np.linalg.norm(num.gradient(pts), axis=1) / scale).max() < 1e-12, "sampled points not critical"
    lmax = np.linalg.eigvalsh(num.hessian(pts))[:, -1]
    assert lmax.min() >= 2 * s1 * (1 - 1e-10), "a sampled minimum is flatter than 2 sigma_1"
    best = min(minimize(lambda z, num=num, point=point: np.linalg.eigvalsh(num.hessian(point(z)))[-1],
                        z0, method="BFGS").fun for z0 in Z[np.argsort(lmax)[:3]])
    assert 2 * s1 * (1 - 1e-10) <= best <= 2 * s1 * (1 + 1e-6), f"minimized lambda_max {best} vs {2 * s1}"
    numeric_rows.append((m, d, h, n, s1, lmax.min() / (2 * s1), best / (2 * s1) - 1))
doc.verified("numerics (scipy BFGS on gdmaps' compiled Hessian, 2000 random minima each, (m, d, h, n) ="
             " (2,2,2,2), (3,3,3,4), (2,2,3,3), (2,3,3,5)): every lambda_max >= 2 sigma_1 and the"
             " minimum found is 2 sigma_1 to relative 1e-6")

# -- LaTeX ------------------------------------------------------------------------------------
doc.text(r"""
\begin{proposition}[\cite{CG24}]
Let $X\in\mathbb R^{d\times n}$ with $XX^{\top}=I_d$, $Y\in\mathbb R^{m\times n}$, $M=YX^{\top}$ with
singular values $\sigma_1\ge\sigma_2\ge\dots$, hidden width $h\ge\operatorname{rank}M$, and
$L(W_1,W_2)=\tfrac12\|W_2W_1X-Y\|_F^2$ (sum over data points, no $1/n$). Then
\begin{enumerate}
\item $L=\tfrac12\|W_2W_1-M\|_F^2+\tfrac12(\|Y\|_F^2-\|M\|_F^2)$, so the global minima are
  $\mathcal M=\{W_2W_1=M\}$;
\item on $\mathcal M$, $\lambda_{\max}(H)\ge2\sigma_1$;
\item equality holds at the balanced factorizations $W_1=S^{1/2}V^{\top}$, $W_2=US^{1/2}$ of
  $M=USV^{\top}$.
\end{enumerate}
Hence $s_{\min}=\inf_{\mathcal M}\lambda_{\max}(H)=2\|M\|_2$ and $\eta^*=2/s_{\min}=1/\|YX^{\top}\|_2$.
\end{proposition}

\begin{proof}
\emph{Step 1 (whitening).} $\|PX-Y\|_F^2=\operatorname{tr}(PXX^{\top}P^{\top})-2\operatorname{tr}(PXY^{\top})
+\|Y\|_F^2=\|P-M\|_F^2-\|M\|_F^2+\|Y\|_F^2$. Checked on the loss built by
\texttt{gdmaps.models.linear\_network} with
$X=\tfrac13\left[\begin{smallmatrix}1&2&2\\2&1&-2\end{smallmatrix}\right]$
($n=3$, $XX^{\top}=I_2$) and a symbolic $2\times3$ matrix $Y$.

\emph{Step 2 (Gauss--Newton).} With $r=\operatorname{vec}(W_2W_1-M)$ and $J=\partial r/\partial\theta$,
$H=J^{\top}J+\sum_kr_k\nabla^2r_k$ (checked as a polynomial identity for $d=m=h=2$); on $\mathcal M$,
$r=0$ and $H=J^{\top}J$. The nonzero eigenvalues of $J^{\top}J$ are those of $JJ^{\top}$, and
$JJ^{\top}=K$ is the matrix of
\[
K:\ E\longmapsto W_2W_2^{\top}E+EW_1^{\top}W_1\qquad(E\in\mathbb R^{m\times d}).
\]
So $\lambda_{\max}(H)=\lambda_{\max}(K)$ on $\mathcal M$.

\emph{Step 3 (lower bound).} Let $u,v$ be unit singular vectors with $u^{\top}Mv=\sigma_1$; then
$\|uv^{\top}\|_F=1$ and, with $a=W_2^{\top}u$, $b=W_1v$,
\[
\lambda_{\max}(K)\ \ge\ \langle uv^{\top},K(uv^{\top})\rangle=\|a\|^2+\|b\|^2=\|a-b\|^2+2a^{\top}b
\ \ge\ 2\,u^{\top}W_2W_1v=2\,u^{\top}Mv=2\sigma_1 .
\]

\emph{Step 4 (equality).} At $W_1=S^{1/2}V^{\top}$, $W_2=US^{1/2}$: $W_2W_2^{\top}=USU^{\top}$ and
$W_1^{\top}W_1=VSV^{\top}$, so $K(u_iv_j^{\top})=(\sigma_i+\sigma_j)u_iv_j^{\top}$ and
$\lambda_{\max}(K)=2\sigma_1$. For $M=\operatorname{diag}(m_1,m_2)$, $m_i=r_i^2>0$, $X=I$ and
$W_1=W_2=\operatorname{diag}(r_1,r_2)$, the Hessian computed by \texttt{gdmaps} is
""")
doc.display(r"H=" + tex(Hd) + r",")
doc.display(r"\det(\lambda I-H)=" + sp.latex(cpd) + r",")
doc.text(r"""
so $\lambda_{\max}(H)=2\max(m_1,m_2)=2\|M\|_2$, matching Step 3. On non-trivial whitened data:
with $U=\tfrac15\left[\begin{smallmatrix}3&-4\\4&3\end{smallmatrix}\right]$,
$V=\tfrac1{13}\left[\begin{smallmatrix}5&-12\\12&5\end{smallmatrix}\right]$,
$M=U\operatorname{diag}(4,1)V^{\top}=""" + tex(Mr) + r"""$, $X$ as in Step 1 and
$Y=MX+\tfrac13(1,-1)^{\top}(2,-2,1)$ (so $YX^{\top}=M$ but $Y\neq MX$), the balanced minimum
$W_1=\operatorname{diag}(2,1)V^{\top}$, $W_2=U\operatorname{diag}(2,1)$ has
$\det(\lambda I-H)=""" + sp.latex(cpr) + r"""$: $\lambda_{\max}=8=2\sigma_1$, while the
unbalanced minimum $W_1=\operatorname{diag}(4,1)V^{\top}$, $W_2=U$ has $\lambda_{\max}=17$.
\end{proof}

\begin{remark}[Scalar output in closed form]
For $m=1$, $X=I_2$, $Y=M=(m_1,m_2)$, $h=1$: on $\mathcal M=\{vu=M\}$ ($v\ne0$, $u=M/v$) the
spectrum of $H$ is $\{0,\ v^2,\ v^2+\|M\|^2/v^2\}$, and
$v^2+\|M\|^2/v^2-2\|M\|=(v^2-\|M\|)^2/v^2\ge0$, with equality iff $v^2=\|M\|$.
\end{remark}

\begin{remark}[Numerical cross-check]
For random $M$ and random whitened $X$ (seeded), every point of $\mathcal M$ with $W_1$ of full
column rank is $W_1$ arbitrary, $W_2=MW_1^{+}+N(I-W_1W_1^{+})$. Over 2000 random such minima per
shape, and after BFGS minimization of $\lambda_{\max}(H)$ (computed from the compiled Hessian of
\texttt{gdmaps}, independently of $K$), the values relative to $2\sigma_1$ were:
""")
doc.display(r"\begin{array}{cccc|c|c|c}m&d&h&n&\sigma_1&\min_{\text{samples}}\lambda_{\max}/2\sigma_1"
            r"&\min_{\text{BFGS}}\lambda_{\max}/2\sigma_1-1\\\hline "
            + r"\\".join(f"{a}&{b}&{c}&{dd}&{s1:.6f}&{q1:.6f}&{q2:.1e}"
                         for a, b, c, dd, s1, q1, q2 in numeric_rows) + r"\end{array}")
doc.text(r"""
No sampled minimum is flatter than $2\sigma_1$, and the minimization reaches $2\sigma_1$.
\end{remark}

\begin{remark}[Normalization]
The value $\eta^*=1/\|YX^{\top}\|_2$ is for the sum loss with $XX^{\top}=I$. With
\texttt{reduction="mean"} the loss, hence $H$, is divided by $n$: $s_{\min}=2\|M\|_2/n$ and
$\eta^*=n/\|YX^{\top}\|_2$ (checked: the mean Hessian is half the sum Hessian for $n=2$). If
whitening is normalized as $\tfrac1nXX^{\top}=I$ instead, rescale $X$ accordingly.
\end{remark}
""")

path = doc.write(OUT)
doc.report(path, time.perf_counter() - t0)
