"""(c) Non-singularity of the GD map: det(I - eta H) is a polynomial that is not identically zero.

Statement (Craciun & Ghoshdastidar, arXiv 2402.13108 and arXiv 2510.24466): for a
polynomial loss, D(theta) = det(I - eta H(theta)) is a polynomial in theta (and in eta and
the data). If it is not the zero polynomial, its zero set Z is a proper algebraic subset,
hence Lebesgue-null; off Z the GD map G_eta is a local diffeomorphism (inverse function
theorem), and G_eta^{-1}(N) is null for every null set N. One exact evaluation at a
rational point with a nonzero value proves that D is not the zero polynomial.

Checked here:
  * scalar chain, k = 2, 3 (symbolic y, symbolic eta): exact evaluations, and a proof for
    every eta > 0 and every y (k = 2: the coefficient of w1^2 w2^2 is -3 eta^2; k = 3:
    D(0) = 1);
  * depth-2 linear network with symbolic data X (2x2), Y (1x2), widths [1] and [2]: exact
    evaluations, and a proof for every eta > 0 and all data: on the slice W2 = 0 a closed form
    of D (width 1: all cases; width 2: X invertible, or X != 0 and eta ||X Y^T|| != 1), and for
    width 2 with rank X = 1, eta = 1/||X Y^T|| a nonzero leading coefficient after an orthogonal
    reduction to X = diag(sigma, 0);
  * the exception: a quadratic L = (l1 x^2 + l2 y^2)/2 has D = (1 - eta l1)(1 - eta l2),
    identically zero exactly at eta = 1/l1, 1/l2, where G_eta is singular.
Run: python proofs/c_non_singularity.py [--out DIR]
"""

import time

import sympy as sp
from _proof import Document, output_dir, tex

from gdmaps import GDMap
from gdmaps.core.gd import ETA
from gdmaps.models import linear_network, scalar_chain

t0 = time.perf_counter()
OUT = output_dir()
doc = Document("c_non_singularity",
               r"Non-singularity of the gradient-descent map: $\det(I-\eta H)\not\equiv0$",
               "det(I - eta H) is not the zero polynomial for the scalar chain and linear networks;"
               " quadratic losses fail exactly at eta = 1/lambda_i")
eta = ETA
R = sp.Rational
y = sp.Symbol("y", real=True)


def pdet(M):
    """The determinant of a matrix of polynomials, expanded (exact, over a polynomial ring)."""
    dm = M.to_DM()
    return dm.domain.to_sympy(dm.det())


def det_poly(gd):
    """det(I - eta H) of a GD map, expanded (a polynomial for polynomial losses)."""
    D = pdet(gd.jacobian())
    assert D.is_polynomial(*gd.state, eta), "det(I - eta H) is not a polynomial"
    return D


# -- A. scalar chain --------------------------------------------------------------------------
chain = {}
for k, point, eta0, y0 in ((2, (1, 2), R(1, 3), 1), (3, (1, 2, 3), R(1, 5), 1)):
    g = scalar_chain(k, y)
    w = g.state
    D = det_poly(g)
    value = D.subs({**dict(zip(w, point)), eta: eta0, y: y0})
    assert value.is_Rational and value != 0, f"k={k}: D at the rational point is {value}"
    if k == 2:
        # every eta > 0, every y: the coefficient of w1^2 w2^2 is -3 eta^2 != 0
        c = sp.Poly(D, *w).coeff_monomial(w[0] ** 2 * w[1] ** 2)
        assert sp.expand(c + 3 * eta**2) == 0, f"k=2: coefficient of w1^2 w2^2 is {c}"
        H = g.hessian()
        assert sp.expand(D - (1 - eta * (w[0] ** 2 + w[1] ** 2)
                              + eta**2 * (w[0] ** 2 * w[1] ** 2 - (2 * w[0] * w[1] - y) ** 2))) == 0
    else:
        # every eta > 0, every y: H(0) = 0, so D(0) = 1
        assert D.subs({wi: 0 for wi in w}) == 1, f"k={k}: D(0) != 1"
    chain[k] = (D, point, eta0, y0, value)
doc.verified(f"scalar chain k = 2: D(1, 2) = {chain[2][4]} at eta = 1/3, y = 1;"
             " coefficient of w1^2 w2^2 = -3 eta^2")
doc.verified(f"scalar chain k = 3: D(1, 2, 3) = {chain[3][4]} at eta = 1/5, y = 1;"
             " D(0) = 1 for every eta, y")

# -- B. depth-2 linear network, symbolic data ---------------------------------------------------
xs = sp.symbols("x11 x12 x21 x22", real=True)
ys = sp.symbols("y1 y2", real=True)
X, Y = sp.Matrix(2, 2, xs), sp.Matrix(1, 2, ys)
A, m = X * X.T, X * Y.T  # A = X X^T (2x2), m = X Y^T (2x1), so that Y X^T = m^T
data0 = dict(zip(xs + ys, (1, 2, 3, 5, 1, -2)))
net = {}
for widths, point, eta0 in (([1], (1, 2, 3), R(1, 7)), ([2], (1, 2, 3, 4, 5, 6), R(1, 11))):
    g = linear_network(X, Y, widths)
    th = g.state
    W1 = [p for p in th if p.name.startswith("W1")]
    W2 = [p for p in th if p.name.startswith("W2")]
    # 1. one exact evaluation: data, parameters and eta rational
    J0 = g.jacobian().subs({**data0, **dict(zip(th, point)), eta: eta0})
    value = J0.det()
    assert value.is_Rational and value != 0, f"widths={widths}: det at the rational point = {value}"
    # 2. the slice W2 = 0: H = [[0, -B], [-B^T, C(W1)]]
    H0 = g.hessian().subs({p: 0 for p in W2})
    n1 = len(W1)
    assert H0[:n1, :n1] == sp.zeros(n1, n1), "W1-W1 block of H on W2 = 0 should vanish"
    B = -H0[:n1, n1:]
    C = H0[n1:, n1:]
    h = widths[0]
    W1m = sp.Matrix(h, 2, W1)
    assert (C - W1m * A * W1m.T).expand() == sp.zeros(h, h), "C != W1 X X^T W1^T"
    assert (B.T * B - (m.T * m)[0] * sp.eye(h)).expand() == sp.zeros(h, h), "B^T B != ||X Y^T||^2 I"
    Dslice = pdet(sp.eye(len(th)) - eta * H0)
    Schur = pdet(sp.eye(h) - eta * C - eta**2 * B.T * B)
    assert sp.expand(Dslice - Schur) == 0, "Schur complement formula for det(I - eta H) on W2 = 0 fails"
    if h == 1:
        u1, u2 = W1
        assert sp.expand(Dslice - (1 - eta * (W1m * A * W1m.T)[0] - eta**2 * (m.T * m)[0])) == 0
        P = sp.Poly(Dslice, u1, u2)
        c11, c22 = P.coeff_monomial(u1**2), P.coeff_monomial(u2**2)
        assert sp.expand(c11 + eta * A[0, 0]) == 0 and sp.expand(c22 + eta * A[1, 1]) == 0
        assert sp.expand(A.trace() - sum(x**2 for x in xs)) == 0, "tr X X^T != ||X||_F^2"
        # X = 0: the loss does not depend on the parameters, H = 0, D = 1
        gz = g.hessian().subs({x: 0 for x in xs})
        assert gz == sp.zeros(len(th), len(th)), "X = 0 should give H = 0"
    else:
        tt = sp.Symbol("t", real=True)
        Dt = sp.Poly(sp.expand(Dslice.subs({W1[0]: tt, W1[1]: 0, W1[2]: 0, W1[3]: tt})), tt)
        nm2 = (m.T * m)[0]
        assert sp.expand(Dt.coeff_monomial(tt**4) - eta**2 * X.det() ** 2) == 0, "t^4 coefficient"
        assert sp.expand(Dt.coeff_monomial(tt**2) + eta * (1 - eta**2 * nm2) * A.trace()) == 0, "t^2 coeff"
        assert sp.expand(Dt.coeff_monomial(1) - (1 - eta**2 * nm2) ** 2) == 0, "constant coefficient"
    net[h] = (g, value, point, eta0, Dslice)

# widths [2], the case the slice leaves open: rank X = 1 and eta ||X Y^T|| = 1. The loss is
# invariant under (X, Y, W1) -> (U X V, Y V, W1 U^T) (U, V orthogonal; W1 -> W1 U^T is an isometry of
# parameter space) and under (Y, W2) -> (-Y, -W2), so WLOG X = diag(sigma, 0), Y = (c, c2), sigma,
# c > 0, eta = 1/(sigma c).
g2 = net[2][0]
U = sp.Matrix([[R(3, 5), -R(4, 5)], [R(4, 5), R(3, 5)]])
V = sp.Matrix([[R(5, 13), R(12, 13)], [R(12, 13), -R(5, 13)]])
assert U * U.T == sp.eye(2) and V * V.T == sp.eye(2)
W1s = sp.Matrix(2, 2, g2.state[:4])
rot = dict(zip(xs + ys, list(U * X * V) + list(Y * V)))
reparam = dict(zip(g2.state[:4], list(W1s * U.T)))
assert sp.expand(g2.loss.xreplace({**rot, **reparam}) - g2.loss) == 0, \
    "L(W1 U^T, W2; U X V, Y V) != L(W1, W2; X, Y): orthogonal invariance fails"
assert sp.expand(g2.loss.xreplace({**{p: -p for p in g2.state[4:]}, **{v: -v for v in ys}}) - g2.loss) == 0
sig, cc = sp.symbols("sigma c", positive=True)
c2 = sp.Symbol("c2", real=True)
rank1 = {xs[0]: sig, xs[1]: 0, xs[2]: 0, xs[3]: 0, ys[0]: cc, ys[1]: c2}
assert (X * Y.T).subs(rank1) == sp.Matrix([sig * cc, 0]), "||X Y^T|| should be sigma c"
D_r1 = pdet(sp.eye(6) - 1 / (sig * cc) * g2.hessian().subs(rank1))
a11, b1 = g2.state[0], g2.state[4]
lead = sp.Poly(sp.together(D_r1).as_numer_denom()[0], *g2.state).coeff_monomial(a11**4 * b1**4)
lead = sp.cancel(lead / sp.together(D_r1).as_numer_denom()[1])
assert lead == 3 * sig**4 / cc**4, f"coefficient of W1_00^4 W2_00^4 in the rank-1 case: {lead}"
doc.verified(f"linear net, widths [1]: det(I - eta H) = {net[1][1]} at data X = [[1,2],[3,5]],"
             " Y = [1,-2], W = (1,2,3), eta = 1/7")
doc.verified(f"linear net, widths [2]: det(I - eta H) = {net[2][1]} at the same data,"
             " W = (1,...,6), eta = 1/11")
doc.verified("widths [1], W2 = 0: D = 1 - eta W1 X X^T W1^T - eta^2 ||X Y^T||^2; coefficients of"
             " u1^2, u2^2 are -eta (XX^T)_11, -eta (XX^T)_22; X = 0 gives H = 0")
doc.verified("widths [2], W2 = 0: H = [[0, -B], [-B^T, W1 XX^T W1^T]], B^T B = ||XY^T||^2 I,"
             " D = det(I - eta C - eta^2 B^T B); at W1 = t I the t^4, t^2, t^0 coefficients are"
             " eta^2 det(X)^2, -eta (1 - eta^2 ||XY^T||^2) ||X||_F^2, (1 - eta^2 ||XY^T||^2)^2")
doc.verified("widths [2], rank X = 1, eta = 1/||XY^T||: orthogonal invariance checked on rational"
             " rotations; with X = diag(sigma, 0), Y = (c, c2), eta = 1/(sigma c), the coefficient of"
             " W1_00^4 W2_00^4 in D is 3 sigma^4 / c^4 != 0")

# -- C. the exception: quadratic losses -----------------------------------------------------------
l1, l2 = sp.symbols("lambda1 lambda2", positive=True)
x1, x2 = sp.symbols("x1 x2", real=True)
q = GDMap((l1 * x1**2 + l2 * x2**2) / 2, [x1, x2])
Dq = det_poly(q)
assert sp.expand(Dq - (1 - eta * l1) * (1 - eta * l2)) == 0, "quadratic: D != (1 - eta l1)(1 - eta l2)"
assert not Dq.has(x1) and not Dq.has(x2), "quadratic: D should not depend on the point"
assert set(sp.solve(Dq, eta)) == {1 / l1, 1 / l2}, "quadratic: D vanishes for other step sizes"
img = sp.Matrix(q.exprs).subs(eta, 1 / l1).expand()
assert img == sp.Matrix([0, x2 - l2 * x2 / l1]), f"G_(1/l1) = {img}"
doc.verified("quadratic: D = (1 - eta lambda1)(1 - eta lambda2), independent of (x1, x2); zero iff"
             " eta in {1/lambda1, 1/lambda2}; G_(1/lambda1) maps the plane into the line x1 = 0")

# -- LaTeX ------------------------------------------------------------------------------------
D2 = chain[2][0]
w1, w2 = scalar_chain(2, y).state
doc.text(r"""
\begin{lemma}\label{lem:null}
Let $P\in\mathbb R[\theta_1,\dots,\theta_d]$ be a polynomial that is not the zero polynomial.
Then $Z(P)=\{P=0\}$ is Lebesgue-null. (Induction on $d$ with Fubini: for all but finitely many
values of $\theta_d$ the restriction is a nonzero polynomial in $d-1$ variables.)
The same holds for a real-analytic function on a connected open set that is not identically zero.
\end{lemma}

\begin{proposition}[\cite{CG24,CG25}]\label{prop:ns}
Let $L$ be a polynomial loss, $G_\eta=\mathrm{id}-\eta\nabla L$ and $D_\eta(\theta)=\det(I-\eta H(\theta))$.
If $D_\eta\not\equiv0$, then $G_\eta$ is a local diffeomorphism on the open set
$\{D_\eta\neq0\}$, whose complement is null, and $G_\eta^{-1}(N)$ is null for every null set $N$.
\end{proposition}
\begin{proof}
The inverse function theorem gives, around each point of $U=\{D_\eta\ne0\}$, an open set on which
$G_\eta$ is a diffeomorphism onto its image; countably many of them, $U_i$, cover $U$. A
$C^1$ diffeomorphism maps null sets to null sets, so $U_i\cap G_\eta^{-1}(N)=(G_\eta|_{U_i})^{-1}(N)$
is null, and $G_\eta^{-1}(N)\subset Z(D_\eta)\cup\bigcup_iU_i\cap G_\eta^{-1}(N)$ is null by
Lemma~\ref{lem:null}.
\end{proof}

By the proposition it suffices to show $D_\eta\not\equiv0$. As a polynomial in $\theta$, $\eta$ and
the data, this follows from one exact evaluation with a nonzero value; it then holds for all
$(\eta,\text{data})$ outside a proper algebraic, hence null, set. Where we can, we prove it for
\emph{every} $\eta>0$.

\subsection*{A. Scalar chain $L=\tfrac12(w_1\cdots w_k-y)^2$}
For $k=2$,
""")
doc.display(r"D_\eta(w_1,w_2)&=" + tex(sp.collect(D2, eta)),
            r"&=1-\eta(w_1^2+w_2^2)+\eta^2\big(w_1^2w_2^2-(2w_1w_2-y)^2\big).")
doc.text(r"At $(w_1,w_2)=(1,2)$, $\eta=\tfrac13$, $y=1$: $D=" + sp.latex(chain[2][4]) + r"\neq0$. "
         r"For every $\eta>0$ and every $y$ the coefficient of $w_1^2w_2^2$ is $-3\eta^2\neq0$, so "
         r"$D_\eta\not\equiv0$. For $k=3$ ($D_\eta$ has " + str(len(chain[3][0].args))
         + r" terms): at $(1,2,3)$, $\eta=\tfrac15$, $y=1$: $D=" + sp.latex(chain[3][4])
         + r"\neq0$; and for every $\eta$ and $y$, $H(0)=0$ gives $D_\eta(0)=1$ "
         r"(as for every $k\ge3$).")
doc.text(r"""
\subsection*{B. Depth-2 linear network with symbolic data}
$L=\tfrac12\|W_2W_1X-Y\|_F^2$ with
$X=\left[\begin{smallmatrix}x_{11}&x_{12}\\x_{21}&x_{22}\end{smallmatrix}\right]$,
$Y=(y_1,y_2)$, hidden width $h\in\{1,2\}$, built by \texttt{gdmaps.models.linear\_network} (sum
normalization). Put $A=XX^{\top}$ and $m=XY^{\top}$.
""")
doc.text(r"\emph{Exact evaluations.} At $X=\left[\begin{smallmatrix}1&2\\3&5\end{smallmatrix}\right]$, "
         r"$Y=(1,-2)$: for $h=1$, $(W_1,W_2)=((1,2),3)$, $\eta=\tfrac17$: $D=" + sp.latex(net[1][1])
         + r"$; for $h=2$, $(W_1,W_2)$ with entries $1,\dots,6$ (row-major), $\eta=\tfrac1{11}$: $D="
         + sp.latex(net[2][1]) + r"$. Both are nonzero, so $D$ is not the zero polynomial in "
         r"$(W,\eta,X,Y)$.")
doc.text(r"""
\emph{Every step size.} On the slice $W_2=0$ the Hessian is
$H=\left[\begin{smallmatrix}0&-B\\-B^{\top}&C\end{smallmatrix}\right]$ with $C=W_1AW_1^{\top}$ and
$B^{\top}B=\|m\|^2I_h$, so by the Schur complement
$D_\eta|_{W_2=0}=\det\big(I_h-\eta\,W_1AW_1^{\top}-\eta^2\|m\|^2I_h\big)$. For $h=1$, $W_1=(u_1,u_2)$:
""")
u1, u2 = sp.symbols("u1 u2", real=True)
x11, x12, x21, x22 = xs
Q1 = u1**2 * (x11**2 + x12**2) + 2 * u1 * u2 * (x11 * x21 + x12 * x22) + u2**2 * (x21**2 + x22**2)
Q2 = (x11 * ys[0] + x12 * ys[1]) ** 2 + (x21 * ys[0] + x22 * ys[1]) ** 2
D1 = net[1][4].xreplace(dict(zip([p for p in net[1][0].state if p.name.startswith("W1")], (u1, u2))))
assert sp.expand(D1 - (1 - eta * Q1 - eta**2 * Q2)) == 0, "displayed width-1 slice determinant is wrong"
doc.display(r"D_\eta|_{W_2=0}&=1-\eta\,Q_1-\eta^2Q_2,",
            r"Q_1&=W_1AW_1^{\top}=u_1^2(x_{11}^2+x_{12}^2)+2u_1u_2(x_{11}x_{21}+x_{12}x_{22})"
            r"+u_2^2(x_{21}^2+x_{22}^2),",
            r"Q_2&=\|XY^{\top}\|^2=(x_{11}y_1+x_{12}y_2)^2+(x_{21}y_1+x_{22}y_2)^2.")
doc.text(r"""
Its coefficients of $u_1^2$ and $u_2^2$ are $-\eta A_{11}$ and $-\eta A_{22}$, with
$A_{11}+A_{22}=\|X\|_F^2$. So for every $\eta>0$: if $X\neq0$ then $D_\eta\not\equiv0$; if $X=0$ the
loss is constant, $H=0$ and $D_\eta\equiv1$. \emph{For width $1$, $G_\eta$ is non-singular for every
$\eta>0$ and all data.}

For $h=2$ and $W_1=tI$, $D_\eta|_{W_2=0}=\eta^2\det(X)^2\,t^4-\eta(1-\eta^2\|m\|^2)\|X\|_F^2\,t^2
+(1-\eta^2\|m\|^2)^2$. Hence $D_\eta\not\equiv0$ for every $\eta>0$ when $X$ is invertible, and for
every $\eta$ with $\eta\|XY^{\top}\|\ne1$ when $X\ne0$. The remaining case, $\operatorname{rank}X=1$ and
$\eta=1/\|XY^{\top}\|$, reduces by symmetry: the loss is invariant under
$(X,Y,W_1)\mapsto(UXV,YV,W_1U^{\top})$ for orthogonal $U,V$ and under $(Y,W_2)\mapsto(-Y,-W_2)$, both
isometries of parameter space, so we may take $X=\operatorname{diag}(\sigma,0)$, $Y=(c,c_2)$ with
$\sigma,c>0$ and $\eta=1/(\sigma c)$. Then the coefficient of $(W_1)_{00}^4(W_2)_{00}^4$ in $D_\eta$
is $3\sigma^4/c^4\neq0$. \emph{So for width $2$ as well, $G_\eta$ is non-singular for every $\eta>0$
and all data $X\in\mathbb R^{2\times2}$, $Y\in\mathbb R^{1\times2}$.}

\subsection*{C. The exception: quadratic losses}
For $L=\tfrac12(\lambda_1x_1^2+\lambda_2x_2^2)$ with $\lambda_1,\lambda_2>0$,
""")
doc.display(r"H=" + tex(q.hessian()) + r",\qquad D_\eta=" + tex(sp.factor(Dq)) + r",")
doc.text(r"""
independent of the point. It is identically zero exactly for $\eta\in\{1/\lambda_1,1/\lambda_2\}$;
at $\eta=1/\lambda_1$, $G_\eta(x_1,x_2)=(0,(1-\lambda_2/\lambda_1)x_2)$ maps the plane into the null
line $\{x_1=0\}$, whose preimage is everything: $G_\eta$ is singular. So non-singularity can fail,
but only for special step sizes, as in \cite{CG25} (``for almost all step sizes'').

\subsection*{Conclusion}
For the scalar chains ($k=2,3$, every $y$) and the depth-2 linear networks above (hidden width
$1$ or $2$, all data $X\in\mathbb R^{2\times2}$, $Y\in\mathbb R^{1\times2}$), $D_\eta\not\equiv0$ for
every $\eta>0$; by
Lemma~\ref{lem:null} and Proposition~\ref{prop:ns} its zero set is a proper algebraic subset of
measure zero, $G_\eta$ is a local diffeomorphism off it, and preimages of null sets under $G_\eta$
are null: the non-singularity hypothesis of the measure-zero argument of \cite{CG24} holds.
""")

path = doc.write(OUT)
doc.report(path, time.perf_counter() - t0)
