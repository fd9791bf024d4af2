"""(a) L(a, b) = (ab - y)^2 / 2: Hessian on the minima, s_min = 2|y|, eta* = 1/|y|, the origin.

Statement (Craciun & Ghoshdastidar, arXiv 2402.13108, the two-parameter example):
for y != 0 the critical points of L are the curve ab = y (the global minima) and the
origin. On the minima the Hessian has eigenvalues 0 and a^2 + b^2 >= 2|y|, with
equality exactly at |a| = |b| = sqrt|y|, so s_min = 2|y| and eta* = 2 / s_min = 1/|y|:
for eta > 1/|y| every minimum is linearly unstable, for eta < 1/|y| the balanced ones
are not. The origin is a strict saddle, H = [[0, -y], [-y, 0]] with eigenvalues +-y,
and DG(0) has eigenvalues 1 +- eta*y: unstable for every eta > 0.

Both signs of y are checked (y = s and y = -s with s > 0 a symbol).
Run: python proofs/a_ab_minus_y.py [--out DIR]
"""

import time

import sympy as sp
from _proof import Document, output_dir, tex

from gdmaps import GDMap
from gdmaps.orbits.fixed_points import fixed_points
from gdmaps.core.gd import ETA

t0 = time.perf_counter()
OUT = output_dir()
doc = Document("a_ab_minus_y", r"The loss $L(a,b)=\tfrac12(ab-y)^2$: critical learning rate $1/|y|$",
               "L(a, b) = (ab - y)^2 / 2 has s_min = 2|y|, eta* = 1/|y|, and a strict saddle at 0")

a, b, t = sp.symbols("a b t", real=True)
s = sp.Symbol("s", positive=True)  # |y|
eta = ETA

doc.text(r"""
\begin{proposition}[\cite{CG24}]
Let $y\neq 0$ and $L(a,b)=\tfrac12(ab-y)^2$, with gradient-descent map
$G_\eta(\theta)=\theta-\eta\nabla L(\theta)$ and $DG_\eta=I-\eta H$.
\begin{enumerate}
\item The critical points of $L$ are the curve $\mathcal M=\{ab=y\}$ (the global minima, $L=0$)
  and the origin.
\item On $\mathcal M$ the Hessian is $H=vv^{\top}$ with $v=(b,a)$; its eigenvalues are $0$
  (along $T\mathcal M$) and $a^2+b^2$.
\item $a^2+b^2\ge 2|y|$ on $\mathcal M$, with equality iff $|a|=|b|=\sqrt{|y|}$. Hence
  $s_{\min}=\inf_{\mathcal M}\lambda_{\max}(H)=2|y|$ and $\eta^*=2/s_{\min}=1/|y|$: for $\eta>\eta^*$
  every global minimum has $\rho(DG_\eta)>1$; for $\eta<\eta^*$ the balanced minima have
  $\rho(DG_\eta)=1$ with normal multiplier of modulus $<1$.
\item The origin is a strict saddle: $H(0)=\begin{bmatrix}0&-y\\-y&0\end{bmatrix}$ has eigenvalues
  $\pm y$, and $DG_\eta(0)$ has eigenvalues $1\pm\eta y$, so $\rho(DG_\eta(0))=1+\eta|y|>1$ for
  every $\eta>0$.
\end{enumerate}
\end{proposition}
\begin{proof}
We write $y=\sigma s$ with $s=|y|>0$ and $\sigma\in\{+1,-1\}$; every step below was checked for
both signs.
""")

for sign in (1, -1):
    y = sign * s
    g = GDMap((a * b - y) ** 2 / 2, [a, b])
    L = (a * b - y) ** 2 / 2
    assert sp.expand(g.loss - L) == 0, "gdmaps builds a different loss"

    # 1. gradient and critical points
    grad = (a * b - y) * sp.Matrix([b, a])
    assert (g.gradient() - grad).expand() == sp.zeros(2, 1), "gradient is not (ab - y)(b, a)"
    # (ab - y) b = 0 and (ab - y) a = 0: either ab = y, or a = b = 0 (then ab = 0 != y).
    assert sp.solve(list(grad.subs(a * b - y, 1)), [a, b], dict=True) == [{a: 0, b: 0}], \
        "off the curve ab = y the only critical point should be the origin"
    comps = fixed_points(g).components
    eqs = sorted(tuple(sorted(map(str, c.equations))) for c in comps)
    assert len(comps) == 2 and sorted(c.dimension for c in comps) == [0, 1], \
        f"gdmaps.orbits.fixed_points disagrees with the hand derivation: {comps}"
    assert sp.expand(comps[[c.dimension for c in comps].index(1)].equations[0] ** 2
                     - (a * b - y) ** 2) == 0, "the 1-dimensional component is not ab = y"

    # 2. Hessian, and its form on the minima b = y/a (a != 0 since ab = y != 0)
    H = g.hessian()
    assert (H - sp.Matrix([[b**2, 2 * a * b - y], [2 * a * b - y, a**2]])).expand() == sp.zeros(2, 2), \
        "Hessian is not [[b^2, 2ab - y], [2ab - y, a^2]]"
    on_M = {b: y / a}
    v = sp.Matrix([b, a]).subs(on_M)
    HM = H.subs(on_M)
    assert (HM - v * v.T).applyfunc(sp.cancel) == sp.zeros(2, 2), "H != v v^T on ab = y"
    lam = sp.Symbol("lambda")
    cp = HM.charpoly(lam).as_expr()
    assert sp.cancel(cp - lam * (lam - (a**2 + y**2 / a**2))) == 0, \
        "on ab = y the characteristic polynomial is not lambda (lambda - (a^2 + b^2))"
    tangent = sp.Matrix([a, -y / a])  # d/da (a, y/a) up to scale: (1, -y/a^2) ~ (a^2, -y)/a
    assert (HM * tangent).applyfunc(sp.cancel) == sp.zeros(2, 1), "the tangent of M is not in ker H"

    # 3. AM-GM: a^2 + b^2 - 2|ab| = (|a| - |b|)^2, and |ab| = |y| on M
    assert sp.expand(a**2 + b**2 - 2 * sp.Abs(a) * sp.Abs(b) - (sp.Abs(a) - sp.Abs(b)) ** 2) == 0, \
        "AM-GM identity failed"
    lam_M = a**2 + y**2 / a**2
    crit = sp.solve(sp.diff(lam_M, a), a)
    assert set(crit) == {sp.sqrt(s), -sp.sqrt(s)}, f"critical points of a^2 + y^2/a^2: {crit}"
    assert all(sp.simplify(lam_M.subs(a, c) - 2 * s) == 0 for c in crit), "minimum value is not 2|y|"
    assert sp.cancel(lam_M - 2 * s - (a**2 - s) ** 2 / a**2) == 0, "a^2 + y^2/a^2 - 2|y| != (a^2 - |y|)^2/a^2"
    balanced = [(sp.sqrt(s), sign * sp.sqrt(s)), (-sp.sqrt(s), -sign * sp.sqrt(s))]
    for pt in balanced:
        sub = dict(zip((a, b), pt))
        assert sp.simplify(pt[0] * pt[1] - y) == 0, "balanced point is not on ab = y"
        ev = H.subs(sub).eigenvals()
        assert ev == {0: 1, 2 * s: 1}, f"spectrum at the balanced point {pt}: {ev}"
        evG = g.jacobian().subs(sub).eigenvals()
        assert evG == {1: 1, 1 - 2 * s * eta: 1}, f"DG spectrum at {pt}: {evG}"

    # eta* = 1/|y|: eta * lambda > 2 on all of M iff eta > 1/|y|
    eta_star = 2 / (2 * s)
    assert eta_star == 1 / s
    # normal multiplier 1 - eta*lam; |.| > 1 iff eta*lam > 2 (eta, lam > 0). On M, lam >= 2s:
    # for eta = (1 + t^2)/s, eta * lam - 2 >= 2 t^2 > 0 (t != 0)
    assert sp.expand((1 + t**2) / s * 2 * s - 2) == 2 * t**2, "eta > eta* does not give eta*lam > 2"
    # and for eta = eta* (1 - u), u in (0, 1): at the balanced point |1 - eta*2s| = |1 - 2(1 - u)| < 1
    u = sp.Symbol("u", positive=True)
    mult = 1 - (1 - u) / s * 2 * s
    assert sp.expand(mult) == 2 * u - 1, "normal multiplier below eta* is not 2u - 1"

    # 4. the origin
    origin = {a: 0, b: 0}
    assert g.gradient().subs(origin) == sp.zeros(2, 1), "origin is not critical"
    H0 = H.subs(origin)
    assert H0 == sp.Matrix([[0, -y], [-y, 0]]), f"H(0) = {H0}"
    assert H0.eigenvals() == {s: 1, -s: 1}, "H(0) eigenvalues are not +-y"
    assert (H0 * sp.Matrix([1, -sign]) - s * sp.Matrix([1, -sign])) == sp.zeros(2, 1)
    DG0 = g.jacobian().subs(origin)
    ev0 = DG0.eigenvals()
    assert ev0 == {1 + eta * s: 1, 1 - eta * s: 1}, f"DG(0) eigenvalues: {ev0}"
    # rho = 1 + eta|y|: (1 + eta s)^2 - (1 - eta s)^2 = 4 eta s > 0, and 1 + eta s - 1 > 0
    assert sp.expand((1 + eta * s) ** 2 - (1 - eta * s) ** 2) == 4 * eta * s
    assert (eta * s).is_positive, "rho(DG(0)) should be 1 + eta|y| > 1 for every eta > 0"


# the displayed objects, with y a plain nonzero real symbol
y = sp.Symbol("y", real=True, nonzero=True)
g = GDMap((a * b - y) ** 2 / 2, [a, b])
H_display = g.hessian()
HM_display = H_display.subs({b: y / a})
lam_display = HM_display.trace()
assert (HM_display - sp.Matrix([y / a, a]) * sp.Matrix([[y / a, a]])).applyfunc(sp.cancel) == sp.zeros(2, 2)

doc.verified("gdmaps.GDMap builds L; grad L = (ab - y)(b, a); critical set = {ab = y} u {0},"
             " as gdmaps.fixed_points also finds")
doc.verified("H = v v^T on ab = y, v = (b, a); charpoly lambda (lambda - a^2 - b^2); (a, -b) spans ker H")
doc.verified("a^2 + b^2 - 2|ab| = (|a| - |b|)^2; a^2 + y^2/a^2 - 2|y| = (a^2 - |y|)^2 / a^2;"
             " spectrum {0, 2|y|} at the four balanced points")
doc.verified("eta* = 1/|y|: above it eta lambda > 2 on every minimum; below it the balanced"
             " multiplier 2u - 1 lies in (-1, 1)")
doc.verified("origin: spec H(0) = {y, -y}, spec DG(0) = {1 - eta y, 1 + eta y}, rho = 1 + eta|y| > 1")
doc.verified("every step above for y > 0 and for y < 0")

doc.text(r"""
\emph{Step 1 (critical points).}
$\nabla L=(ab-y)\,(b,a)^{\top}$. If $ab\neq y$ then $a=b=0$; conversely $ab=y$ gives $L=0=\min L$.
So the critical set is $\mathcal M\cup\{0\}$ (also returned by \texttt{gdmaps.fixed\_points}).

\emph{Step 2 (Hessian on the minima).}
""")
doc.display(r"H=" + tex(H_display) + r",\qquad H\big|_{b=y/a}=" + tex(HM_display)
            + r"=vv^{\top},\quad v=\Big(\frac{y}{a},\,a\Big).")
doc.text(r"""
On $\mathcal M$ we have $a\neq 0$, $b=y/a$. The characteristic polynomial is
$\lambda\,(\lambda-(a^2+b^2))$, and the tangent vector $(a,-b)$ of $\mathcal M$ spans $\ker H$:
$DG_\eta$ has the eigenvalue $1$ along $\mathcal M$ and $1-\eta(a^2+b^2)$ across it.

\emph{Step 3 (the flattest minima).}
For real $a,b$, $a^2+b^2-2|ab|=(|a|-|b|)^2\ge0$, and $|ab|=|y|$ on $\mathcal M$. Along the
parametrization $b=y/a$,
""")
doc.display(r"\lambda_{\max}(H)-2|y|=" + tex(lam_display) + r"-2|y|=\frac{(a^2-|y|)^2}{a^2}\ \ge 0,")
doc.text(r"""
with equality iff $a^2=|y|$, i.e.\ at the four balanced points $|a|=|b|=\sqrt{|y|}$, where the
spectrum of $H$ is $\{0,2|y|\}$. Hence $s_{\min}=2|y|$ and $\eta^*=2/s_{\min}=1/|y|$. Since
$\eta>0$ and $\lambda=a^2+b^2>0$, $|1-\eta\lambda|>1\iff\eta\lambda>2$; for $\eta>1/|y|$ every minimum
has $\eta\lambda\ge 2\eta|y|>2$, so $\rho(DG_\eta)>1$ on all of $\mathcal M$. For
$\eta=\eta^*(1-u)$, $0<u<1$, the balanced minima have normal multiplier $2u-1\in(-1,1)$:
the threshold is sharp.

\emph{Step 4 (the origin).}
$\nabla L(0)=0$ and
""")
doc.display(r"H(0)=\begin{bmatrix}0&-y\\-y&0\end{bmatrix},\qquad \operatorname{spec}H(0)=\{y,-y\},"
            r"\qquad \operatorname{spec}DG_\eta(0)=\{1-\eta y,\,1+\eta y\}.")
doc.text(r"""
As $y\neq0$, $H(0)$ has a negative eigenvalue (a strict saddle) and
$\rho(DG_\eta(0))=1+\eta|y|>1$ for every $\eta>0$.
\end{proof}

\begin{remark}
With the centre-stable manifold theorem and the non-singularity of $G_\eta$
(see \texttt{c\_non\_singularity}), this is the input of the measure-zero argument of \cite{CG24}:
for $\eta>1/|y|$ the set of initializations from which gradient descent converges to a
critical point of $L$ is Lebesgue-null.
\end{remark}
""")

path = doc.write(OUT)
doc.report(path, time.perf_counter() - t0)
