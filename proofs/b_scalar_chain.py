"""(b) The scalar chain L = (w_1 ... w_k - y)^2 / 2: s_min = k|y|^(2 - 2/k) for k = 2..6.

Statement (Craciun & Ghoshdastidar, arXiv 2402.13108, deep linear networks of width one):
on the global minima M = {w_1 ... w_k = y} (y != 0) the Hessian is H = g g^T with
g_i = prod_{j != i} w_j, so its spectrum is {0 (k - 1 times), |g|^2}; on M,
|g|^2 = y^2 sum_i 1/w_i^2 >= k |y|^(2 - 2/k) (AM-GM), with equality exactly at the
balanced points |w_i| = |y|^(1/k). Hence s_min = k |y|^(2 - 2/k) and
eta* = 2 / (k |y|^(2 - 2/k)). For k >= 3 the origin is a critical point with H = 0
(degenerate: DG = I there, linear stability decides nothing; it is not a local minimum).

Checked for k = 2, ..., 6 and both signs of y (y = s and y = -s with s > 0 a symbol).
Run: python proofs/b_scalar_chain.py [--out DIR]
"""

import time

import sympy as sp
from _proof import Document, output_dir, tex

from gdmaps.orbits.fixed_points import fixed_points
from gdmaps.core.gd import ETA
from gdmaps.models import scalar_chain

t0 = time.perf_counter()
OUT = output_dir()
doc = Document("b_scalar_chain",
               r"The scalar chain $L=\tfrac12(w_1\cdots w_k-y)^2$: $s_{\min}=k|y|^{2-2/k}$",
               "the scalar chain of depth k = 2..6 has s_min = k|y|^(2 - 2/k) at the balanced point")

DEPTHS = range(2, 7)
s, r = sp.symbols("s r", positive=True)  # s = |y|, r = |y|^(1/k)
t = sp.Symbol("t", real=True)
lam = sp.Symbol("lambda")

# -- Lemma (AM-GM from e^t >= 1 + t), proved once for every k -------------------------------
h = sp.exp(t) - 1 - t
assert h.subs(t, 0) == 0, "h(0) != 0"
assert sp.solve(sp.diff(h, t), t) == [0], "h'(t) = e^t - 1 should vanish only at t = 0"
assert sp.diff(h, t, 2) == sp.exp(t) and sp.exp(t).is_positive, "h'' = e^t > 0 fails"
# h convex with its only critical point at 0, h(0) = 0: h(t) > 0 for t != 0.
doc.verified("lemma: h(t) = e^t - 1 - t has h(0) = 0, h'(t) = 0 only at t = 0, h'' = e^t > 0,"
             " so e^t >= 1 + t with equality only at t = 0")

rows = []
for k in DEPTHS:
    for sign in (1, -1):
        y = sign * s
        g = scalar_chain(k, y)
        w = g.state
        assert len(w) == k and sp.expand(g.loss - (sp.Mul(*w) - y) ** 2 / 2) == 0, "wrong loss"
        p = sp.Mul(*w)
        gv = sp.Matrix([sp.Mul(*[w[j] for j in range(k) if j != i]) for i in range(k)])

        # 1. derivatives: grad L = (p - y) g, H = g g^T + (p - y) Hess(p), polynomial identities
        assert (g.gradient() - (p - y) * gv).expand() == sp.zeros(k, 1), f"k={k}: grad L != (p - y) g"
        H = g.hessian()
        assert (H - gv * gv.T - (p - y) * sp.hessian(p, w)).expand() == sp.zeros(k, k), \
            f"k={k}: H != g g^T + (p - y) Hess p"

        # 2. on M: w_k = y / (w_1 ... w_{k-1}), every w_i != 0 since y != 0
        on_M = {w[-1]: y / sp.Mul(*w[:-1])}
        HM, gM = H.subs(on_M), gv.subs(on_M)
        assert (HM - gM * gM.T).applyfunc(sp.cancel) == sp.zeros(k, k), f"k={k}: H != g g^T on M"
        assert all(sp.cancel(gM[i] - y / w[i].subs(on_M)) == 0 for i in range(k)), \
            f"k={k}: g_i != y / w_i on M"
        gg = sp.cancel((gM.T * gM)[0])
        assert (HM * gM - gg * gM).applyfunc(sp.cancel) == sp.zeros(k, 1), f"k={k}: H g != |g|^2 g on M"
        lamM = y**2 * sum(1 / wi.subs(on_M) ** 2 for wi in w)
        assert sp.cancel(gg - lamM) == 0, f"k={k}: |g|^2 != y^2 sum 1/w_i^2 on M"

        # 3. spectrum of a rank-one g g^T (matrix determinant lemma, generic vector z)
        z = sp.Matrix(sp.symbols(f"z1:{k + 1}", real=True))
        cp = (z * z.T).charpoly(lam).as_expr()
        assert sp.expand(cp - lam ** (k - 1) * (lam - (z.T * z)[0])) == 0, \
            f"k={k}: charpoly(z z^T) != lambda^(k-1) (lambda - |z|^2)"

        # 4. AM-GM on M: u_i = 1/w_i^2 > 0 with prod u_i = 1/y^2; G = |y|^(-2/k) has G^k = 1/y^2
        u = [1 / wi.subs(on_M) ** 2 for wi in w]
        assert sp.cancel(sp.Mul(*u) - 1 / y**2) == 0, f"k={k}: prod 1/w_i^2 != 1/y^2 on M"
        G = s ** sp.Rational(-2, k)
        assert sp.simplify(G**k - 1 / y**2) == 0, f"k={k}: G^k != 1/y^2"
        # t_i = log(u_i / G): sum t_i = log(prod u_i / G^k) = log 1 = 0 (all quantities > 0)
        us = sp.symbols(f"u1:{k + 1}", positive=True)
        assert sp.expand_log(sp.log(sp.Mul(*us) / G**k) - sum(sp.log(ui / G) for ui in us)) == 0, \
            f"k={k}: sum log(u_i/G) != log(prod u_i / G^k)"
        # sum u_i = G sum e^{t_i} >= G sum (1 + t_i) = k G; so |g|^2 = y^2 sum u_i >= k y^2 G
        bound = sp.simplify(k * y**2 * G)
        assert sp.simplify(bound - k * s ** (2 - sp.Rational(2, k))) == 0, f"k={k}: k y^2 G != k|y|^(2-2/k)"

        # 5. second proof, convex in log coordinates x_i = log w_i^2 (i < k):
        #    |g|^2 / y^2 = sum_{i<k} e^{-x_i} + e^{x_1 + ... + x_{k-1}} / y^2
        xs = sp.symbols(f"x1:{k}", real=True)
        F = sum(sp.exp(-x) for x in xs) + sp.exp(sum(xs)) / y**2
        to_x = {wi: sp.exp(x / 2) for wi, x in zip(w, xs)}
        assert sp.simplify(F - sp.simplify(lamM.subs(to_x) / y**2)) == 0, \
            f"k={k}: the log-coordinate form of |g|^2 is wrong"
        one = sp.ones(k - 1, 1)
        HF = sp.diag(*[sp.exp(-x) for x in xs]) + sp.exp(sum(xs)) / y**2 * one * one.T
        assert (sp.hessian(F, xs) - HF).applyfunc(sp.simplify) == sp.zeros(k - 1, k - 1), \
            f"k={k}: Hessian of F is not diag(e^-x) + (e^(sum x)/y^2) 1 1^T (positive definite)"
        xstar = sp.Rational(2, k) * sp.log(s)
        assert all(sp.simplify(sp.diff(F, x).subs({x_: xstar for x_ in xs})) == 0 for x in xs), \
            f"k={k}: x_i = (2/k) log|y| is not critical for F"
        assert sp.simplify(y**2 * F.subs({x_: xstar for x_ in xs}) - bound) == 0, \
            f"k={k}: y^2 F(x*) != k|y|^(2-2/k)"

        # 6. the balanced points (r = |y|^(1/k)): spectrum {0^(k-1), k r^(2k-2)}, via gdmaps
        yr = sign * r**k
        bal = {wi: (sign * r if i == 0 else r) for i, wi in enumerate(w)}  # one sign flip if y < 0
        gb = scalar_chain(k, yr)
        assert sp.expand(sp.Mul(*bal.values()) - yr) == 0, f"k={k}: balanced point not on M"
        assert gb.gradient().subs(bal).expand() == sp.zeros(k, 1), f"k={k}: balanced point not critical"
        Hb = gb.hessian().subs(bal).expand()
        ev = Hb.eigenvals()
        smin = k * r ** (2 * k - 2)
        assert ev == {0: k - 1, smin: 1}, f"k={k}, sign={sign}: spectrum at the balanced point {ev}"
        assert sp.simplify(smin.subs(r, s ** sp.Rational(1, k)) - k * s ** (2 - sp.Rational(2, k))) == 0
        evG = gb.jacobian().subs(bal).expand().eigenvals()
        assert evG == {1: k - 1, 1 - ETA * smin: 1}, f"k={k}: DG spectrum at the balanced point {evG}"

        # 7. the origin
        origin = {wi: 0 for wi in w}
        assert g.gradient().subs(origin) == sp.zeros(k, 1), f"k={k}: origin not critical"
        H0 = H.subs(origin)
        if k == 2:
            assert H0 == sp.Matrix([[0, -y], [-y, 0]]) and H0.eigenvals() == {s: 1, -s: 1}, \
                "k=2: H(0) is not the strict saddle [[0, -y], [-y, 0]]"
        else:
            assert H0 == sp.zeros(k, k), f"k={k}: H(0) != 0"
            assert g.jacobian().subs(origin) == sp.eye(k), f"k={k}: DG(0) != I"
            # not a local minimum: along (sigma t, t, ..., t), L - L(0) = -|y| t^k + t^(2k)/2 < 0
            # for 0 < t < (2|y|)^(1/k)
            path = {wi: (sign * t if i == 0 else t) for i, wi in enumerate(w)}
            dL = sp.expand(g.loss.subs(path) - g.loss.subs(origin))
            assert dL == -s * t**k + t ** (2 * k) / 2, f"k={k}: L along the path: {dL}"
            assert sp.expand(dL - t**k * (t**k - 2 * s) / 2) == 0, f"k={k}: L - L(0) != t^k (t^k - 2s)/2"

        eta_star = 2 / (k * s ** (2 - sp.Rational(2, k)))
        rows.append((k, sign, smin.subs(r, s ** sp.Rational(1, k)), eta_star))

# the critical set for k = 3 (gdmaps.fixed_points): the surface p = y and the three lines
# where two coordinates vanish (there g = 0); the origin is the only point with H = 0
fp = fixed_points(scalar_chain(3, s))
dims = sorted(c.dimension for c in fp.components)
assert dims == [1, 1, 1, 2], f"k=3 critical set: {fp.components}"
w3 = scalar_chain(3, s).state
lines = sorted(sorted(str(e) for e in c.equations) for c in fp.components if c.dimension == 1)
assert lines == sorted(sorted([f"{w3[i]}", f"{w3[j]}"]) for i, j in ((0, 1), (0, 2), (1, 2))), lines
assert len(fp.degenerate) == 1 and sorted(map(str, fp.degenerate[0].equations)) == \
    sorted(map(str, w3)), f"k=3 degenerate set: {fp.degenerate}"

doc.verified("k = 2..6, y = +-s: grad L = (p - y) g and H = g g^T + (p - y) Hess(p) (polynomial identities)")
doc.verified("k = 2..6, y = +-s: on M (w_k = y / prod_{i<k} w_i): H - g g^T = 0, g_i = y / w_i,"
             " H g = |g|^2 g, |g|^2 = y^2 sum 1/w_i^2")
doc.verified("k = 2..6: charpoly(z z^T) = lambda^(k-1) (lambda - |z|^2) for a generic z")
doc.verified("k = 2..6: prod_i 1/w_i^2 = 1/y^2 on M, sum_i log(u_i/G) = log(prod u_i / G^k) = 0,"
             " so |g|^2 >= k y^2 G = k|y|^(2 - 2/k)")
doc.verified("k = 2..6: in x_i = log w_i^2 the reduced |g|^2/y^2 has Hessian diag(e^-x) + c 1 1^T > 0"
             " and its critical point x_i = (2/k) log|y| gives k|y|^(2 - 2/k)")
doc.verified("k = 2..6, both signs: at the balanced point (gdmaps Hessian) spec H = {0^(k-1), k r^(2k-2)},"
             " spec DG = {1^(k-1), 1 - eta k r^(2k-2)}, r = |y|^(1/k)")
doc.verified("origin: k = 2 strict saddle (eigenvalues +-y); k = 3..6 grad L = 0, H = 0, DG = I,"
             " and L - L(0) = t^k (t^k - 2|y|)/2 < 0 along (sign(y) t, t, ..., t)")
doc.verified("k = 3: gdmaps.fixed_points gives the surface p = y and the three lines w_i = w_j = 0;"
             " only the origin has H = 0")

doc.text(r"""
\begin{proposition}[\cite{CG24}]
Let $k\ge2$, $y\neq0$, $L(w)=\tfrac12(w_1\cdots w_k-y)^2$ on $\mathbb R^k$,
$p=\prod_i w_i$ and $g_i=\prod_{j\neq i}w_j$. On the set of global minima
$\mathcal M=\{p=y\}$:
\begin{enumerate}
\item $H=gg^{\top}$, with spectrum $\{0^{(k-1)},\ \|g\|^2\}$ and $\|g\|^2=y^2\sum_i w_i^{-2}$;
\item $\|g\|^2\ge k|y|^{2-2/k}$, with equality iff $|w_i|=|y|^{1/k}$ for all $i$;
\item hence $s_{\min}=\inf_{\mathcal M}\lambda_{\max}(H)=k|y|^{2-2/k}$ and
  $\eta^*=\dfrac{2}{k|y|^{2-2/k}}$.
\end{enumerate}
For $k\ge3$ the origin is a critical point with $H(0)=0$, so $DG_\eta(0)=I$; it is not a local
minimum. For $k=2$ it is a strict saddle.
\end{proposition}

\begin{lemma}\label{lem:amgm}
$e^t\ge1+t$ for real $t$, with equality only at $t=0$. Consequently, for $u_1,\dots,u_k>0$ with
geometric mean $G$, $\sum_iu_i\ge kG$, with equality iff all $u_i=G$.
\end{lemma}
\begin{proof}
$h(t)=e^t-1-t$ has $h(0)=0$, $h'(t)=e^t-1$ vanishing only at $t=0$, and $h''=e^t>0$.
For the consequence put $t_i=\log(u_i/G)$: $\sum_it_i=\log\big(\prod_iu_i/G^k\big)=0$, so
$\sum_iu_i=G\sum_ie^{t_i}\ge G\sum_i(1+t_i)=kG$, with equality iff every $t_i=0$.
\end{proof}

\begin{proof}[Proof of the proposition]
Write $y=\sigma s$, $s=|y|>0$, $\sigma=\pm1$; every step was checked for $k=2,\dots,6$ and both
signs.

\emph{Step 1.} $\nabla L=(p-y)\,g$ and $H=gg^{\top}+(p-y)\nabla^2p$ (polynomial identities).
On $\mathcal M$ the second term vanishes. Since $y\neq0$, every $w_i\neq0$ on $\mathcal M$ and we
may substitute $w_k=y/(w_1\cdots w_{k-1})$; after this substitution $H-gg^{\top}$ cancels to $0$,
$g_i=y/w_i$, and $Hg=\|g\|^2g$. For instance, for $k=3$:
""")
w = scalar_chain(3, "y").state
yy = sp.Symbol("y", real=True)
g3 = scalar_chain(3, yy)
sub3 = {w[2]: yy / (w[0] * w[1])}
H3, g3v = g3.hessian().subs(sub3).applyfunc(sp.cancel), sp.Matrix([yy / w[0], yy / w[1], w[0] * w[1]])
assert (H3 - g3v * g3v.T).applyfunc(sp.cancel) == sp.zeros(3, 3), "displayed k = 3 example is wrong"
doc.display(r"H\big|_{\mathcal M}=" + tex(H3) + r"=gg^{\top},\quad g=" + tex(g3v.T) + r"^{\top}.")
doc.text(r"""
A rank-one matrix $zz^{\top}$ has characteristic polynomial $\lambda^{k-1}(\lambda-\|z\|^2)$
(checked for a generic $z$), so the spectrum on $\mathcal M$ is $\{0^{(k-1)},\|g\|^2\}$, and
$\|g\|^2=y^2\sum_iw_i^{-2}$.

\emph{Step 2 (AM--GM).} Put $u_i=w_i^{-2}>0$. On $\mathcal M$, $\prod_iu_i=y^{-2}$, so the
geometric mean is $G=|y|^{-2/k}$, and Lemma~\ref{lem:amgm} gives
\[
\|g\|^2=y^2\sum_iu_i\ \ge\ k\,y^2\,|y|^{-2/k}=k|y|^{2-2/k},
\]
with equality iff $w_i^{-2}=|y|^{-2/k}$ for every $i$, i.e.\ $|w_i|=|y|^{1/k}$ (such points lie on
$\mathcal M$: take an even number of negative $w_i$ if $y>0$, an odd number if $y<0$).
As an independent check, in the coordinates $x_i=\log w_i^2$ ($i<k$) the function
$\|g\|^2/y^2=\sum_{i<k}e^{-x_i}+e^{x_1+\dots+x_{k-1}}/y^2$ has Hessian
$\operatorname{diag}(e^{-x_i})+\tfrac{e^{\sum x}}{y^2}\mathbf 1\mathbf 1^{\top}\succ0$ (strictly
convex), and its critical point $x_i=\tfrac2k\log|y|$ gives the value $k|y|^{2-2/k}$.

\emph{Step 3 (the balanced points).} With $r=|y|^{1/k}$ and $w=(\sigma r,r,\dots,r)$, the Hessian
computed by \texttt{gdmaps} has spectrum exactly $\{0^{(k-1)},\,kr^{2k-2}\}$ and $DG_\eta$ has
$\{1^{(k-1)},\,1-\eta kr^{2k-2}\}$:
""")
doc.display(r"\begin{array}{c|c|c|c}k&y\ (s=|y|)&s_{\min}=k|y|^{2-2/k}&\eta^*=2/s_{\min}\\\hline "
            + r"\\".join(f"{k}&{'+' if sg > 0 else '-'}s&{sp.latex(sm)}&{sp.latex(es)}"
                         for k, sg, sm, es in rows) + r"\end{array}")
doc.text(r"""
So $s_{\min}=k|y|^{2-2/k}$; for $\eta>\eta^*$ every global minimum has $\eta\lambda_{\max}(H)>2$, i.e.\
a multiplier $1-\eta\lambda_{\max}<-1$; for $\eta<\eta^*$ the balanced minima are linearly stable
in the normal direction. For $k=2$ this is $s_{\min}=2|y|$, $\eta^*=1/|y|$ of \texttt{a\_ab\_minus\_y}.

\emph{Step 4 (the origin).} For $k\ge3$ every $g_i$ and every entry of $\nabla^2p$ is a product of
at least one coordinate, so $\nabla L(0)=0$, $H(0)=0$ and $DG_\eta(0)=I$ for every $\eta$.
Along $w=(\sigma t,t,\dots,t)$,
\[
L(w)-L(0)=\tfrac12\,t^k\,(t^k-2|y|)<0\qquad(0<t<(2|y|)^{1/k}),
\]
so the origin is not a local minimum; but it is not a strict saddle either. For $k=2$,
$H(0)=\left[\begin{smallmatrix}0&-y\\-y&0\end{smallmatrix}\right]$, eigenvalues $\pm y$.
\end{proof}

\begin{remark}[What the linear argument cannot conclude]
At the origin for $k\ge3$ all multipliers of $DG_\eta(0)=I$ equal $1$: the centre-stable manifold
theorem gives a centre manifold of full dimension $k$, and linear stability says nothing about
the set of initializations converging to $0$. A measure-zero statement about convergence to the
origin (or to the other non-isolated critical points: for $k=3$, \texttt{gdmaps.fixed\_points}
finds the surface $p=y$ and the three lines $w_i=w_j=0$, the origin being the only point with
$H=0$) needs a separate, higher-order argument. The statement proved here concerns the global
minima: for $\eta>\eta^*$ each of them has $\rho(DG_\eta)>1$.
\end{remark}
""")

path = doc.write(OUT)
doc.report(path, time.perf_counter() - t0)
