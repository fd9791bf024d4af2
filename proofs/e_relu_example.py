"""(e) The two-parameter ReLU example of arXiv 2510.24466: minima, eta*, and where G_eta is singular.

f(x) = relu(theta2 relu(theta1 x)) on the data (x, y) = (9/10, 9/10), (5/2, 5/2);
L = (c/2) sum_i (f(x_i) - y_i)^2 with c = 1 ("sum") or c = 1/2 ("mean"); S = sum x_i^2 = 353/50.

Statement, derived and checked here for both normalizations:
  * three analytic pieces: A = {theta1 > 0, theta2 > 0} where L = (cS/2)(theta1 theta2 - 1)^2,
    and the dead regions B = {theta1 > 0, theta2 < 0}, C = {theta1 < 0} where f = 0 on the data,
    L = cS/2, grad L = 0, H = 0 and G_eta = identity; L is not differentiable on the boundary of A;
  * global minima: {theta1 theta2 = 1, theta1 > 0} (the branch theta1 theta2 = 1, theta1 < 0 is not);
  * on them H = cS v v^T, v = (theta2, theta1): eigenvalues 0 and cS(theta1^2 + theta2^2) >= 2cS,
    equality only at (1, 1): s_min = 2cS, eta* = 1/(cS) = 50/353 (sum), 100/353 (mean);
  * det(I - eta H) on A equals phi(p) - a (theta1 - theta2)^2 with a = eta/eta*, p = theta1 theta2,
    phi(p) = 1 - a^2 + 2a(2a - 1)p - 3a^2 p^2: never identically zero, its zero set in A is a
    nonempty curve for every eta > 0 except eta = 2 eta*, where it is the single point
    (1/sqrt 2, 1/sqrt 2); it meets the minima iff eta <= eta*/2. On B and C, det DG = 1.
  So for EVERY eta > 0 the GD map is a local diffeomorphism off a null set (the curve and the
  boundary of A), and preimages of null sets are null.
Run: python proofs/e_relu_example.py [--out DIR]
"""

import time

import sympy as sp
from _proof import Document, output_dir, tex

from gdmaps.core.gd import ETA
from gdmaps.models import relu_example

t0 = time.perf_counter()
OUT = output_dir()
doc = Document("e_relu_example",
               r"The two-parameter ReLU network of \cite{CG25}: minima, $\eta^*$ and the singular set",
               "relu(theta2 relu(theta1 x)) on (0.9, 0.9), (2.5, 2.5): eta* = 50/353 (sum), 100/353 (mean);"
               " G_eta non-singular for every eta > 0")
R = sp.Rational
eta = ETA
DATA = ((R(9, 10), R(9, 10)), (R(5, 2), R(5, 2)))
S = sum(x**2 for x, _ in DATA)
assert S == R(353, 50) and sum(y**2 for _, y in DATA) == S, "S = sum x_i^2 = sum y_i^2 = 353/50"
p, q = sp.symbols("p q", positive=True)   # |theta1|, |theta2| on a region
th2 = sp.Symbol("theta2", real=True)
a = sp.Symbol("a", positive=True)         # a = eta / eta* = eta c S
P = sp.Symbol("P", positive=True)         # P = theta1 theta2 on A
relu = lambda z: sp.Max(0, z)  # noqa: E731

results = {}
for reduction, c in (("sum", 1), ("mean", R(1, 2))):
    c = sp.S(c)
    g = relu_example(reduction=reduction)
    t1, t2 = g.state
    mine = c / 2 * sum((relu(t2 * relu(t1 * x)) - y) ** 2 for x, y in DATA)
    assert sp.simplify(g.loss - mine) == 0, f"{reduction}: gdmaps loss differs from the definition"

    def at(expr, a1, a2, g=g):
        return expr.xreplace({g.state[0]: a1, g.state[1]: a2})

    # 1. the analytic pieces
    LA = c * S / 2 * (p * q - 1) ** 2
    assert sp.simplify(at(g.loss, p, q) - LA) == 0, "L on A"
    HA = c * S * sp.Matrix([[q**2, 2 * p * q - 1], [2 * p * q - 1, p**2]])
    assert (at(g.hessian(), p, q).applyfunc(sp.simplify) - HA).expand() == sp.zeros(2, 2), "H on A"
    assert (at(g.gradient(), p, q).applyfunc(sp.simplify)
            - c * S * (p * q - 1) * sp.Matrix([q, p])).expand() == sp.zeros(2, 1), "grad L on A"
    dead = {"B": (p, -q), "C+": (-p, q), "C-": (-p, -q), "C0": (-p, th2)}
    for name, (a1, a2) in dead.items():
        assert sp.simplify(at(g.loss, a1, a2) - c * S / 2) == 0, f"L on {name}"
        assert at(g.gradient(), a1, a2).applyfunc(sp.simplify) == sp.zeros(2, 1), f"grad on {name}"
        assert at(g.hessian(), a1, a2).applyfunc(sp.simplify) == sp.zeros(2, 2), f"H on {name}"
        assert list(at(sp.Matrix(g.exprs), a1, a2).applyfunc(sp.simplify)) == [a1, a2], \
            f"G_eta is not the identity on {name}"
    # the kinks: f = 0 on theta1 = 0 and on theta2 = 0; one-sided derivatives differ there
    for a1, a2 in ((0, th2), (p, 0)):
        assert sp.simplify(at(g.loss, a1, a2) - c * S / 2) == 0, "L on the boundary of A"
    assert sp.diff(LA, q).subs(q, 0) == -c * S * p, "d/dtheta2 from A at theta2 = 0+"
    assert sp.diff(LA, p).subs(p, 0) == -c * S * q, "d/dtheta1 from A at theta1 = 0+"
    # (from B and C the derivatives are 0): L is not differentiable on {theta1 = 0, theta2 > 0}
    # and {theta1 > 0, theta2 = 0}; near {theta1 = 0, theta2 < 0} both sides are dead, L is constant

    # 2. global minima: L >= 0, L = cS/2 > 0 off A, and on A L = 0 iff theta1 theta2 = 1
    assert sp.solve(LA, q) == [1 / p], "zeros of L on A"
    assert at(g.loss, -1, -1) == c * S / 2 and at(g.loss, -2, -R(1, 2)) == c * S / 2, \
        "the branch theta1 theta2 = 1, theta1 < 0 should not be minima"
    # critical points in A: grad = cS (pq - 1)(q, p) = 0 iff pq = 1 (p, q > 0): only the minima

    # 3. Hessian on the minima q = 1/p and its spectrum
    HM = HA.subs(q, 1 / p)
    v = sp.Matrix([1 / p, p])
    assert (HM - c * S * v * v.T).applyfunc(sp.cancel) == sp.zeros(2, 2), "H != cS v v^T on the minima"
    lamM = c * S * (p**2 + 1 / p**2)
    lam = sp.Symbol("lambda")
    assert sp.cancel(HM.charpoly(lam).as_expr() - lam * (lam - lamM)) == 0, "spectrum on the minima"
    assert sp.cancel(lamM - 2 * c * S - c * S * (p**2 - 1) ** 2 / p**2) == 0, "AM-GM step"
    smin = 2 * c * S
    eta_star = 2 / smin
    H11 = at(g.hessian(), 1, 1)
    assert H11.eigenvals() == {0: 1, smin: 1}, f"{reduction}: spectrum at (1, 1): {H11.eigenvals()}"
    assert eta_star == {"sum": R(50, 353), "mean": R(100, 353)}[reduction], f"eta* = {eta_star}"

    # 4. det(I - eta H) on A, with a = eta c S = eta / eta*
    assert sp.simplify(eta_star * c * S) == 1
    D = sp.expand((sp.eye(2) - eta * HA).det())
    Da = sp.expand(D.subs(eta, a / (c * S)))
    P_, Q_ = p * q, p**2 + q**2
    assert sp.expand(Da - (1 - a * Q_ - a**2 * (3 * P_ - 1) * (P_ - 1))) == 0, "D = 1 - aQ - a^2(3P-1)(P-1)"
    phi = 1 - a**2 + 2 * a * (2 * a - 1) * P - 3 * a**2 * P**2
    assert sp.expand(Da - (phi.subs(P, P_) - a * (p - q) ** 2)) == 0, "D = phi(P) - a (theta1 - theta2)^2"
    assert sp.Poly(Da, p, q).coeff_monomial(p**2 * q**2) == -3 * a**2, "coefficient of theta1^2 theta2^2"
    results[reduction] = (g, c, smin, eta_star, HA, D, Da)

# -- 5. the singular set in A, as a function of a = eta/eta* (the same for both normalizations) --
Pstar = (2 * a - 1) / (3 * a)
assert sp.simplify(sp.diff(phi, P).subs(P, Pstar)) == 0, "phi'(P*) != 0"
assert sp.simplify(phi.subs(P, Pstar) - (a - 2) ** 2 / 3) == 0, "max phi != (a - 2)^2 / 3"
assert sp.diff(phi, P, 2) == -6 * a**2, "phi is not concave"
assert phi.subs(P, 0) == 1 - a**2 and sp.diff(phi, P).subs(P, 0) == 2 * a * (2 * a - 1)
# a <= 1/2: phi(0+) = 1 - a^2 > 0; a > 1/2: max phi = phi(P*) = (a - 2)^2 / 3 > 0 unless a = 2.
# Where phi(P) > 0, theta1 theta2 = P, theta1 - theta2 = +-sqrt(phi(P)/a) has a solution in A:
dd = sp.Symbol("delta", positive=True)
sol1 = (dd + sp.sqrt(dd**2 + 4 * P)) / 2
assert sp.simplify(sol1 * (sol1 - dd) - P) == 0 and sol1.is_positive, "no point of A with given P, delta"
# theta1 = sol1 > 0 and theta2 = theta1 - delta = P / theta1 > 0; the sign -delta is the mirror image
# a = 2 (eta = 2 eta*): D = -3 (1 - 2P)^2 - 2 (theta1 - theta2)^2, zero only at (1/sqrt 2, 1/sqrt 2)
Da_sum = results["sum"][6]
assert sp.expand(Da_sum.subs(a, 2) - (-3 * (1 - 2 * p * q) ** 2 - 2 * (p - q) ** 2)) == 0, "a = 2 form"
# exact singular points, checked on the gdmaps Jacobian
for g, _c, _smin, eta_star, *_ in results.values():
    J = g.jacobian()
    at = lambda e, a1, a2, g=g: e.xreplace({g.state[0]: a1, g.state[1]: a2})  # noqa: E731
    r23 = sp.sqrt(R(2, 3))
    assert sp.simplify(at(J, r23, r23).subs(eta, eta_star).det()) == 0, "(sqrt(2/3), sqrt(2/3)) at eta*"
    r12 = 1 / sp.sqrt(2)
    assert sp.simplify(at(J, r12, r12).subs(eta, 2 * eta_star).det()) == 0, "a = 2 point"
    assert at(J, 1, 1).subs(eta, eta_star / 2).eigenvals() == {1: 1, 0: 1}, "(1, 1) at eta*/2"
    assert at(J, 1, 1).subs(eta, eta_star).eigenvals() == {1: 1, -1: 1}, "(1, 1) at eta*"
# on the minima P = 1: D = 1 - a (theta1^2 + theta2^2), and theta1^2 + theta2^2 >= 2 there, so the
# singular curve meets the minima iff a <= 1/2 (eta <= eta*/2), where 1 - eta lambda = 0
assert sp.expand(Da_sum.subs(q, 1 / p) - (1 - a * (p**2 + 1 / p**2))) == 0

# -- 6. a GD step from A into the dead region B, where the orbit stops (sum, eta = 1/10) --------
g, *_ = results["sum"]
G = g.at(R(1, 10))
step = lambda pt: [e.xreplace(dict(zip(G.state, pt))) for e in G.exprs]  # noqa: E731
x1 = step([2, 1])
assert x1 == [R(647, 500), -R(103, 250)], f"G(2, 1) = {x1}"
assert step(x1) == x1 and x1[0] > 0 and x1[1] < 0, "the orbit should stop in B"

doc.verified("both normalizations: the gdmaps loss equals c/2 sum (relu(theta2 relu(theta1 x_i)) - y_i)^2,"
             " S = 353/50")
doc.verified("on A: L = (cS/2)(theta1 theta2 - 1)^2, grad = cS(p - 1)(theta2, theta1),"
             " H = cS [[theta2^2, 2p - 1], [2p - 1, theta1^2]] (gdmaps Hessian)")
doc.verified("on B = {theta1 > 0, theta2 < 0} and C = {theta1 < 0}: L = cS/2, grad = 0, H = 0, G_eta = id;"
             " on the boundary of A, f = 0 and one-sided derivatives -cS theta2, -cS theta1 vs 0")
doc.verified("global minima = {theta1 theta2 = 1, theta1 > 0}; (-1, -1), (-2, -1/2) have L = cS/2")
doc.verified("on the minima H = cS v v^T, spectrum {0, cS(theta1^2 + theta2^2)},"
             " lambda - 2cS = cS(theta1^2 - 1)^2/theta1^2; spec H(1, 1) = {0, 2cS}")
doc.verified("eta* = 2/(2cS): 50/353 (sum), 100/353 (mean); a = eta cS = eta/eta*")
doc.verified("on A: det(I - eta H) = 1 - a(theta1^2 + theta2^2) - a^2(3p - 1)(p - 1) = phi(p) - a(theta1 -"
             " theta2)^2; coefficient of theta1^2 theta2^2 = -3a^2 != 0")
doc.verified("phi concave, phi(0) = 1 - a^2, max phi = phi((2a - 1)/(3a)) = (a - 2)^2/3: singular curve"
             " nonempty for all a != 2; a = 2: D = -3(1 - 2p)^2 - 2(theta1 - theta2)^2")
doc.verified("gdmaps Jacobian: det DG = 0 at (sqrt(2/3), sqrt(2/3)) for eta = eta*, at (1/sqrt2, 1/sqrt2)"
             " for eta = 2 eta*; spec DG(1, 1) = {1, 0} at eta*/2 and {1, -1} at eta*")
doc.verified("sum, eta = 1/10: G(2, 1) = (647/500, -103/250) lies in B and is a fixed point")

# -- LaTeX ------------------------------------------------------------------------------------
g, c, smin, eta_star, HA, D, Da = results["sum"]
doc.text(r"""
\paragraph{Setting.} $f_\theta(x)=\mathrm{relu}(\theta_2\,\mathrm{relu}(\theta_1x))$ on the data
$(x_i,y_i)=(\tfrac9{10},\tfrac9{10}),(\tfrac52,\tfrac52)$ \cite{CG25}, with
$L(\theta)=\tfrac c2\sum_i(f_\theta(x_i)-y_i)^2$, $c=1$ (\texttt{reduction="sum"}) or $c=\tfrac12$
(\texttt{"mean"}), built by \texttt{gdmaps.models.relu\_example}. Put
$S=\sum_ix_i^2=\sum_iy_i^2=\tfrac{353}{50}$,
$P=\theta_1\theta_2$, $A=\{\theta_1>0,\theta_2>0\}$, $B=\{\theta_1>0,\theta_2<0\}$, $C=\{\theta_1<0\}$.

\begin{proposition}\label{prop:relu}
For both normalizations:
\begin{enumerate}
\item On $A$, $L=\tfrac{cS}2(P-1)^2$. On $B\cup C$, $f_\theta=0$ on the data, $L\equiv\tfrac{cS}2$,
  $\nabla L=0$, $H=0$ and $G_\eta=\mathrm{id}$. $L$ is analytic off $\partial A$ and not differentiable
  on $\partial A\setminus\{0\}$.
\item The global minima are $\mathcal M=\{\theta_1\theta_2=1,\ \theta_1>0\}$; the branch
  $\theta_1\theta_2=1$, $\theta_1<0$ lies in $C$ and has $L=\tfrac{cS}2$.
\item On $\mathcal M$, $H=cS\,vv^{\top}$ with $v=(\theta_2,\theta_1)$, eigenvalues $0$ and
  $cS(\theta_1^2+\theta_2^2)\ge2cS$, with equality only at $(1,1)$. Hence $s_{\min}=2cS$ and
  $\eta^*=1/(cS)$: $\eta^*=\tfrac{50}{353}$ (sum) and $\eta^*=\tfrac{100}{353}$ (mean).
\item With $a=\eta/\eta^*=\eta cS$ and $\varphi(P)=1-a^2+2a(2a-1)P-3a^2P^2$, on $A$
  \[\det(I-\eta H)=\varphi(\theta_1\theta_2)-a(\theta_1-\theta_2)^2 .\]
  It is not identically zero for any $\eta>0$. Its zero set $Z_\eta\cap A$ is a nonempty curve for
  every $\eta\ne2\eta^*$ and the single point $(1/\sqrt2,1/\sqrt2)$ for $\eta=2\eta^*$; it meets
  $\mathcal M$ iff $\eta\le\eta^*/2$. On $B\cup C$, $\det DG_\eta=1$.
\item Consequently, for every $\eta>0$, $G_\eta$ is a local diffeomorphism off the null set
  $Z_\eta\cup\partial A$, and $G_\eta^{-1}(N)$ is null for every null set $N$.
\end{enumerate}
\end{proposition}

\begin{proof}
\emph{(1) Pieces.} For $\theta_1>0$, $\mathrm{relu}(\theta_1x_i)=\theta_1x_i$ ($x_i>0$); then
$f=\theta_1\theta_2x_i$ if $\theta_2>0$ and $f=0$ if $\theta_2\le0$; for $\theta_1\le0$, $f=0$. With
$y_i=x_i$ this gives $L=\tfrac c2S(P-1)^2$ on $A$ and $L=\tfrac c2\sum y_i^2=\tfrac{cS}2$ elsewhere.
The \texttt{gdmaps} loss, gradient and Hessian, evaluated with sign-constrained symbols, agree: on $A$
""")
pp, qq = sp.symbols("theta1 theta2", positive=True)
doc.display(r"\nabla L=" + tex(sp.Matrix([qq, pp]).T) + r"^{\top}\,cS(P-1),\qquad H=cS"
            + tex(sp.Matrix([[qq**2, 2 * pp * qq - 1], [2 * pp * qq - 1, pp**2]])) + r",")
doc.text(r"""
and on $B$ and $C$ the gradient and the Hessian vanish and $G_\eta(\theta)=\theta$. On
$\{\theta_2=0<\theta_1\}$ the derivative in $\theta_2$ is $-cS\theta_1$ from $A$ and $0$ from $B$; on
$\{\theta_1=0<\theta_2\}$ the derivative in $\theta_1$ is $-cS\theta_2$ from $A$ and $0$ from $C$.

\emph{(2) Minima.} $L\ge0$, $L=\tfrac{cS}2>0$ off $A$, and on $A$, $L=0$ iff $P=1$. In $A$,
$\nabla L=cS(P-1)(\theta_2,\theta_1)$ vanishes only on $\mathcal M$.

\emph{(3) Sharpness.} On $\mathcal M$ ($\theta_2=1/\theta_1$), $H=cS\,vv^{\top}$ with characteristic
polynomial $\lambda(\lambda-cS(\theta_1^2+\theta_1^{-2}))$ and
$cS(\theta_1^2+\theta_1^{-2})-2cS=cS(\theta_1^2-1)^2/\theta_1^2\ge0$. At $(1,1)$ the \texttt{gdmaps}
Hessian has spectrum $\{0,\tfrac{353}{25}\}$ (sum), $\{0,\tfrac{353}{50}\}$ (mean). So
$s_{\min}=2cS$, $\eta^*=2/s_{\min}=1/(cS)$; at $\eta=\eta^*$ the Jacobian at $(1,1)$ has spectrum
$\{1,-1\}$.

\emph{(4) The singular set.} For the sum loss,
""")
doc.display(r"\det(I-\eta H)\big|_A=" + tex(sp.collect(D.xreplace({p: pp, q: qq}), eta)) + r",")
doc.text(r"""
and with $a=\eta cS$ (both normalizations) this is
$1-a(\theta_1^2+\theta_2^2)-a^2(3P-1)(P-1)=\varphi(P)-a(\theta_1-\theta_2)^2$, using
$\theta_1^2+\theta_2^2=2P+(\theta_1-\theta_2)^2$. The coefficient of $\theta_1^2\theta_2^2$ is
$-3a^2\neq0$, so the determinant is a nonzero polynomial for every $\eta>0$. The function $\varphi$ is
concave ($\varphi''=-6a^2$) with $\varphi(0)=1-a^2$ and $\varphi'(0)=2a(2a-1)$. If $a\le\tfrac12$,
$\varphi>0$ near $P=0^+$; if $a>\tfrac12$, $\varphi$ is maximal at $P^*=\tfrac{2a-1}{3a}>0$ with
$\varphi(P^*)=\tfrac{(a-2)^2}{3}$. So for $a\neq2$ there are $P>0$ with $\varphi(P)>0$, and then
$\theta_1\theta_2=P$, $\theta_1-\theta_2=\delta:=\sqrt{\varphi(P)/a}$ has the solution
$\theta_1=\tfrac12(\delta+\sqrt{\delta^2+4P})>0$, $\theta_2=\theta_1-\delta=P/\theta_1>0$ in $A$
(and $-\delta$ gives its mirror image): $Z_\eta\cap A$ is a
nonempty real algebraic curve, symmetric under $\theta_1\leftrightarrow\theta_2$. For $a=2$,
$\det(I-\eta H)=-3(1-2P)^2-2(\theta_1-\theta_2)^2$, which vanishes only at $(1/\sqrt2,1/\sqrt2)$.
Examples checked on the \texttt{gdmaps} Jacobian: $(\sqrt{2/3},\sqrt{2/3})\in Z_{\eta^*}$ and
$(1/\sqrt2,1/\sqrt2)\in Z_{2\eta^*}$. On $\mathcal M$ ($P=1$) the determinant is
$1-a(\theta_1^2+\theta_2^2)$ with $\theta_1^2+\theta_2^2\ge2$: it vanishes somewhere on $\mathcal M$ iff
$a\le\tfrac12$, i.e.\ $\eta\le\eta^*/2$ (at $\eta=\eta^*/2$, $(1,1)$ has multipliers $\{1,0\}$).

\emph{(5) Non-singularity.} $U=(A\setminus Z_\eta)\cup B\cup C$ is open, $G_\eta$ is analytic on it with
$\det DG_\eta\ne0$, and its complement $Z_\eta\cup\partial A$ is null (a proper algebraic subset of
$A$ and two half-lines). The argument of Proposition~2 of \texttt{c\_non\_singularity} (countably many
inverse-function-theorem neighbourhoods) applies on $U$.
\end{proof}

\begin{remark}[What holds on each analytic piece]
On $A$: an analytic (polynomial) loss; fixed points are exactly $\mathcal M$; $G_\eta$ is a local
diffeomorphism off the curve $Z_\eta$; every minimum is linearly unstable iff $\eta>\eta^*$ (its
normal multiplier is $1-\eta cS(\theta_1^2+\theta_2^2)\le1-2\eta/\eta^*<-1$). On $B\cup C$: the loss is
constant, $G_\eta=\mathrm{id}$, so $G_\eta$ is a diffeomorphism there, and \emph{every} point is a
fixed point with $DG_\eta=I$ ($\rho=1$): neither the instability argument nor the measure-zero
conclusion applies to these non-minimal critical points, which attract a set of positive measure
(the dead regions themselves, and the points of $A$ that one step sends there: for the sum loss and
$\eta=\tfrac1{10}$, $G_\eta(2,1)=(\tfrac{647}{500},-\tfrac{103}{250})\in B$, after which the orbit
stays put). The statement of \cite{CG24} that survives is the one about global minima: for
$\eta>\eta^*$ the set of initializations from which GD converges to a point of $\mathcal M$ is null.
\end{remark}

\begin{remark}[Normalization]
The critical step size depends on the normalization only through $c$: $\eta^*=1/(cS)$, i.e.\
$\tfrac{50}{353}\approx0.1416$ for the sum and $\tfrac{100}{353}\approx0.2833$ for the mean. In the
variable $a=\eta/\eta^*$ everything in (4) is normalization-free.
\end{remark}
""")

path = doc.write(OUT)
doc.report(path, time.perf_counter() - t0)
