"""(f) The edge of stability is a period doubling: eta = 2/lambda, the quartic, (ab - 1)^2/2.

Statement: at a critical point x* of L with Hessian eigenvalue lambda > 0 (eigenvector v),
DG_eta(x*) = I - eta H has the multiplier 1 - eta*lambda along v; it equals -1 exactly at
eta = 2/lambda and crosses -1 transversally (d/d eta = -lambda != 0). So a minimum loses
linear stability at eta = 2/lambda_max, through a multiplier -1 (a flip), and the critical
learning rate eta* = 2/s_min of Craciun & Ghoshdastidar (arXiv 2402.13108) is the smallest
such eta over the minima. Checked for a generic 2x2 symmetric positive definite Hessian.

Worked examples. (i) The quartic L(x) = (x^2 - 1)^2/4, g(x) = x - eta (x^3 - x): the minima
+-1 flip at eta = 1, nondegenerately (Kuznetsov's coefficient, Theorem 4.3) and
supercritically; the 2-cycle born there has x1 x2 = 1/eta, (x1 + x2)^2 = (3 + eta)/eta and
multiplier 9 - 2(1 + eta)^2: stable exactly for 1 < eta < sqrt(5) - 1, where it flips in
turn. The symmetric 2-cycles {x, -x} have multiplier (5 + 2 eta)^2 > 1. gdmaps'
exact_bifurcations and continuation find the same values. (ii) L(a, b) = (ab - 1)^2/2: the
minima ab = 1 flip across the curve at eta = 2/(a^2 + b^2) <= 1, the balanced ones last.

Run: python proofs/f_period_doubling.py [--out DIR]
"""

import time

import sympy as sp
from _proof import Document, output_dir, tex

from gdmaps import GDMap, continuation, exact_bifurcations, gd_period_doubling
from gdmaps.core.gd import ETA

t0 = time.perf_counter()
OUT = output_dir()
doc = Document("f_period_doubling", r"The edge of stability is a period doubling",
               "eta = 2/lambda is a flip of GD; the quartic flips supercritically at eta = 1, again at"
               " sqrt(5) - 1")

eta = ETA
mu = sp.Symbol("mu")

# ---------------------------------------------------------------------------------------------
# 1. General: DG = I - eta H at a critical point; generic 2x2 SPD Hessian H = R diag(l1, l2) R^T
# ---------------------------------------------------------------------------------------------
u, w = sp.symbols("u w", real=True)
l1, l2 = sp.symbols("lambda_1 lambda_2", positive=True)  # lambda_1 = lambda_max >= lambda_2 > 0
c, s = sp.symbols("c s", real=True)  # cos and sin of the eigenbasis angle, c^2 + s^2 = 1
k = sp.symbols("k0:4", real=True)  # cubic coefficients: L is not quadratic
R = sp.Matrix([[c, -s], [s, c]])


def on_circle(e):
    """Reduce an expression in c, s modulo c^2 + s^2 = 1."""
    return sp.expand(sp.expand(e).subs(s**2, 1 - c**2).subs(s**3, s * (1 - c**2)).subs(s**4, (1 - c**2)**2))


H = (R * sp.diag(l1, l2) * R.T).applyfunc(sp.expand)
assert (R.T * R).applyfunc(on_circle) == sp.eye(2), "R is not orthogonal on c^2 + s^2 = 1"
assert H.T == H, "H is not symmetric"
assert on_circle(H.det()) == l1 * l2 and on_circle(H.trace()) == l1 + l2, "det/trace of H"
# positive definite: the leading minor c^2 l1 + s^2 l2 > 0 (not both c, s zero) and det = l1 l2 > 0
x0, y0 = sp.symbols("x0 y0", real=True)  # the critical point x*
dx = sp.Matrix([u - x0, w - y0])
L1 = (dx.T * H * dx)[0] / 2 + k[0] * dx[0]**3 + k[1] * dx[0]**2 * dx[1] + k[2] * dx[0] * dx[1]**2 \
    + k[3] * dx[1]**3
g1 = GDMap(L1, [u, w])
at_star = {u: x0, w: y0}
assert g1.gradient().subs(at_star).applyfunc(sp.expand) == sp.zeros(2, 1), "x* is not critical"
assert (g1.hessian().subs(at_star) - H).applyfunc(sp.expand) == sp.zeros(2, 2), "Hessian at x* is not H"
DG = g1.jacobian().subs(at_star)
assert (DG - (sp.eye(2) - eta * H)).applyfunc(sp.expand) == sp.zeros(2, 2), "DG(x*) != I - eta H"
assert sp.Matrix(g1.exprs).subs(at_star).applyfunc(sp.expand) == sp.Matrix([x0, y0]), "G(x*) != x*"
v1, v2 = R[:, 0], R[:, 1]
for v, lam in ((v1, l1), (v2, l2)):
    assert (DG * v - (1 - eta * lam) * v).applyfunc(on_circle) == sp.zeros(2, 1), \
        f"R e_i is not an eigenvector of DG with multiplier 1 - eta {lam}"
cpDG = on_circle(DG.charpoly(mu).as_expr())
assert sp.expand(cpDG - (mu - 1 + eta * l1) * (mu - 1 + eta * l2)) == 0, \
    "charpoly of DG is not (mu - 1 + eta l1)(mu - 1 + eta l2)"
lam = sp.Symbol("lambda", positive=True)
m = 1 - eta * lam
assert sp.solve(sp.Eq(m, -1), eta) == [2 / lam], "1 - eta lambda = -1 should hold exactly at eta = 2/lambda"
assert sp.diff(m, eta) == -lam and (-lam).is_nonzero, "the multiplier does not cross -1 transversally"
assert m.subs(eta, 2 / lam) == -1
# |1 - eta lam| < 1  <=>  0 < eta lam < 2: (1 - eta lam)^2 - 1 = eta lam (eta lam - 2)
assert sp.expand(m**2 - 1 - eta * lam * (eta * lam - 2)) == 0, "(1 - eta l)^2 - 1 != eta l (eta l - 2)"
# rho(DG) < 1 <=> eta < 2/l1 and eta < 2/l2 <=> eta < 2/lambda_max; the first multiplier to reach -1
# as eta grows is 1 - eta lambda_max (at 2/lambda_max <= 2/lambda_2); eta* = 2/s_min = min over minima
d = sp.Symbol("delta", nonnegative=True)
assert sp.simplify(2 / l2 - 2 / (l2 + d) - 2 * d / (l2 * (l2 + d))) == 0 and \
    (2 * d / (l2 * (l2 + d))).is_nonnegative, "2/lambda_max <= 2/lambda_2 failed"
doc.verified("generic 2x2 SPD H = R diag(l1, l2) R^T (with cubic terms in L, built by gdmaps.GDMap):"
             " DG(x*) = I - eta H, DG R e_i = (1 - eta l_i) R e_i,"
             " charpoly (mu - 1 + eta l1)(mu - 1 + eta l2)")
doc.verified("1 - eta lambda = -1 iff eta = 2/lambda; d/d eta (1 - eta lambda) = -lambda != 0;"
             " (1 - eta l)^2 - 1 = eta l (eta l - 2), so the minimum is stable iff eta < 2/lambda_max")

# ---------------------------------------------------------------------------------------------
# 2. The quartic: flip of the minima +-1 at eta = 1, nondegenerate and supercritical
# ---------------------------------------------------------------------------------------------
x = sp.Symbol("x", real=True)
Lq = (x**2 - 1)**2 / 4
gq = GDMap(Lq, [x])
G = x - eta * (x**3 - x)
assert sp.expand(gq.exprs[0] - G) == 0, "gdmaps builds a different GD map for the quartic"
assert sp.expand(G - ((1 + eta) * x - eta * x**3)) == 0
Gp, Gpp, Gppp = (sp.diff(G, x, n) for n in (1, 2, 3))
assert sp.expand(Gp - (1 + eta - 3 * eta * x**2)) == 0 and Gpp == -6 * eta * x and Gppp == -6 * eta
assert sp.factor(sp.diff(Lq, x)) == x * (x - 1) * (x + 1), "L' != x (x - 1)(x + 1)"
Lpp = sp.diff(Lq, x, 2)
for xs in (1, -1):
    assert Lpp.subs(x, xs) == 2 and Lq.subs(x, xs) == 0, f"L''({xs}) != 2"
    assert sp.expand(Gp.subs(x, xs) - (1 - 2 * eta)) == 0, f"g'({xs}) != 1 - 2 eta"
assert sp.solve(sp.Eq(1 - 2 * eta, -1), eta) == [1], "the flip of +-1 is not at eta = 1"
assert Lpp.subs(x, 0) == -1 and sp.expand(Gp.subs(x, 0)) == 1 + eta, "x = 0 is not the maximum"
# Kuznetsov, Theorem 4.3: for f(x, alpha) with f(x0, 0) = x0, f_x = -1, the flip is nondegenerate iff
# (B.1) f_xx^2/2 + f_xxx/3 != 0 and (B.2) f_{x alpha} != 0 (fixed point held at x0); for the cubic
# truncation f = x0 - t + a t^2 + b t^3 (t = x - x0) his coefficient is
# c(0) = a^2 + b = (f_xx^2/2 + f_xxx/3)/2.
A, B, T = sp.symbols("a b t")
F = -T + A * T**2 + B * T**3
FF = sp.expand(F.subs(T, F))
assert FF.coeff(T, 1) == 1 and FF.coeff(T, 2) == 0 and sp.expand(FF.coeff(T, 3) + 2 * (A**2 + B)) == 0, \
    "f(f(t)) != t - 2(a^2 + b) t^3 + O(t^4)"
fxx, fxxx = sp.diff(F, T, 2).subs(T, 0), sp.diff(F, T, 3).subs(T, 0)
assert sp.expand(A**2 + B - (fxx**2 / 2 + fxxx / 3) / 2) == 0, "a^2 + b != (f''^2/2 + f'''/3)/2"
at_flip = {x: 1, eta: 1}
d1, d2, d3 = (e.subs(at_flip) for e in (Gp, Gpp, Gppp))
assert (d1, d2, d3) == (-1, -6, -6), f"g', g'', g''' at (1, 1): {(d1, d2, d3)}"
flip_c = d2**2 / 2 + sp.Rational(1, 3) * d3
assert flip_c == 16, f"f''^2/2 + f'''/3 = {flip_c}"
a_q, b_q = d2 / 2, d3 / 6
assert (a_q, b_q) == (-3, -1) and a_q**2 + b_q == 8 == flip_c / 2, "Kuznetsov's c(0) is not 8"
# the second iterate at the critical eta: g(g(1 + t)) = 1 + t - 16 t^3 + O(t^4): weakly attracting
GG1 = sp.expand((G.subs(x, G).subs(eta, 1).subs(x, 1 + T)) - 1)
assert [GG1.coeff(T, n) for n in (1, 2, 3)] == [1, 0, -16], f"g^2(1 + t) - 1 = {GG1}"
# (B.2): x* = 1 is fixed for every eta; f_{x eta}(1, 1) = -2; in Guckenheimer-Holmes' form
# f_eta f_xx + 2 f_{x eta} = -4
f_xeta = sp.diff(G, x, eta).subs(at_flip)
assert f_xeta == -2 and sp.diff(G, eta).subs(x, 1) == 0, "transversality f_{x eta} != -2"
assert (sp.diff(G, eta) * Gpp + 2 * sp.diff(G, x, eta)).subs(at_flip) == -4
assert sp.diff(Gp.subs(x, 1), eta) == -2, "d/d eta of the multiplier at x = 1 is not -2"
doc.verified("quartic: gdmaps.GDMap gives g = (1 + eta) x - eta x^3; L''(+-1) = 2, g'(+-1) = 1 - 2 eta = -1"
             " iff eta = 1; d/d eta g'(1) = -2")
doc.verified("flip coefficient: f(f(t)) = t - 2(a^2 + b) t^3 + O(t^4) for f = -t + a t^2 + b t^3, and"
             " a^2 + b = (f''^2/2 + f'''/3)/2")
doc.verified("at x = 1, eta = 1: g' = -1, g'' = -6, g''' = -6, g''^2/2 + g'''/3 = 16 > 0"
             " (c(0) = a^2 + b = 8), g^2(1 + t) = 1 + t - 16 t^3 + O(t^4), f_{x eta} = -2:"
             " nondegenerate and supercritical")

# ---------------------------------------------------------------------------------------------
# 3. The 2-cycles of g
# ---------------------------------------------------------------------------------------------
x1, x2 = sp.symbols("x1 x2", real=True)
S, P = sp.symbols("S P")  # x1 + x2, x1 x2
e1 = G.subs(x, x1) - x2
e2 = G.subs(x, x2) - x1
diff_ = sp.expand(e1 - e2)
summ = sp.expand(e1 + e2)
q_diff = sp.cancel(diff_ / (x1 - x2))
q_sum = sp.cancel(summ / (x1 + x2))
assert sp.expand(q_diff - (2 + eta - eta * (x1**2 + x1 * x2 + x2**2))) == 0, "difference quotient"
assert sp.expand(q_sum - eta * (1 - (x1**2 - x1 * x2 + x2**2))) == 0, "sum quotient"
# x1 != x2 and x1 + x2 != 0: S^2 - P = (2 + eta)/eta and S^2 - 3P = 1
sol = sp.solve([S**2 - P - (2 + eta) / eta, S**2 - 3 * P - 1], [S**2, P], dict=True)
assert len(sol) == 1 and sp.simplify(sol[0][P] - 1 / eta) == 0 \
    and sp.simplify(sol[0][S**2] - (3 + eta) / eta) == 0, f"symmetric functions: {sol}"
P2, S2 = 1 / eta, (3 + eta) / eta
disc = sp.simplify(S2 - 4 * P2)
assert sp.simplify(disc - (eta - 1) / eta) == 0, "(x1 - x2)^2 != (eta - 1)/eta"
# explicit points, and a check that they really form a 2-cycle
X1 = (sp.sqrt(S2) + sp.sqrt(disc)) / 2
X2 = (sp.sqrt(S2) - sp.sqrt(disc)) / 2
assert sp.simplify(X1 * X2 - P2) == 0 and sp.simplify((X1 + X2)**2 - S2) == 0
for (p_, q_) in ((X1, X2), (X2, X1)):
    r = sp.simplify(G.subs(x, p_) - q_)
    assert r == 0, f"g(x1) != x2: {r}"
sumsq = sp.simplify(S2 - 2 * P2)
assert sp.simplify(sumsq - (1 + eta) / eta) == 0, "x1^2 + x2^2 != (1 + eta)/eta"
mult2 = sp.expand((1 + eta)**2 - 3 * eta * (1 + eta) * sumsq + 9 * eta**2 * P2**2)
assert sp.expand(sp.expand(Gp.subs(x, x1) * Gp.subs(x, x2))
                 - ((1 + eta)**2 - 3 * eta * (1 + eta) * (x1**2 + x2**2) + 9 * eta**2 * (x1 * x2)**2)) == 0
assert sp.simplify(mult2 - (9 - 2 * (1 + eta)**2)) == 0, f"2-cycle multiplier: {mult2}"
mult2 = 9 - 2 * (1 + eta)**2
assert mult2.subs(eta, 1) == 1, "the 2-cycle does not emanate from the flip with multiplier +1"
# |mult| < 1  <=>  4 < (1 + eta)^2 < 5  <=>  1 < eta < sqrt(5) - 1 (eta > 0)
assert sp.expand(1 - mult2 - 2 * ((1 + eta)**2 - 4)) == 0, "1 - m != 2((1 + eta)^2 - 4)"
assert sp.expand(mult2 + 1 - 2 * (5 - (1 + eta)**2)) == 0, "m + 1 != 2(5 - (1 + eta)^2)"
positive = sp.Interval.open(0, sp.oo)  # eta > 0
stable = sp.solve_univariate_inequality(sp.Abs(mult2) < 1, eta, relational=False) & positive
assert stable == sp.Interval.open(1, sp.sqrt(5) - 1), f"stability interval of the 2-cycle: {stable}"
exists = sp.solve_univariate_inequality(disc > 0, eta, relational=False) & positive
assert exists == sp.Interval.open(1, sp.oo), f"real distinct 2-cycle exists for: {exists}"
eta2 = sp.sqrt(5) - 1
assert sp.expand(mult2.subs(eta, eta2)) == -1, "the 2-cycle multiplier at sqrt(5) - 1 is not -1"
assert sp.solve(sp.Eq(mult2, -1), eta) == [eta2], "second flip not unique"
dmult2 = sp.expand(sp.diff(mult2, eta).subs(eta, eta2))
assert dmult2 == -4 * sp.sqrt(5), f"transversality of the second flip: {dmult2}"
# the second flip is also nondegenerate and supercritical: f = g o g on the cycle at eta = sqrt(5) - 1
X1s, X2s = sp.sqrt(2) / 2, (sp.sqrt(2) + sp.sqrt(10)) / 4
assert sp.simplify(X1s * X2s - P2.subs(eta, eta2)) == 0, "x1 x2 != 1/eta at sqrt(5) - 1"
assert sp.simplify((X1s + X2s)**2 - S2.subs(eta, eta2)) == 0, "(x1 + x2)^2 != (3 + eta)/eta at sqrt(5) - 1"
for p_, q_ in ((X1s, X2s), (X2s, X1s)):
    assert sp.expand(G.subs({eta: eta2, x: p_}) - q_) == 0, \
        "(sqrt(2)/2, (sqrt(2) + sqrt(10))/4) is not the 2-cycle at eta = sqrt(5) - 1"
GG = sp.expand(G.subs(x, G).subs(eta, eta2))
flip_c2 = {}
for pt in (X1s, X2s):
    hv = [sp.radsimp(sp.expand(sp.diff(GG, x, n).subs(x, pt))) for n in (1, 2, 3)]
    assert hv[0] == -1, f"(g^2)'({pt}) at the second flip: {hv[0]}"
    flip_c2[pt] = sp.radsimp(sp.expand(hv[1]**2 / 2 + hv[2] / 3))
assert sp.expand(flip_c2[X1s] - (960 - 384 * sp.sqrt(5))) == 0, f"second flip coefficient at x1: {flip_c2}"
assert sp.expand(flip_c2[X2s] - (480 + 96 * sp.sqrt(5))) == 0, f"second flip coefficient at x2: {flip_c2}"
assert 960**2 > 384**2 * 5, "960 - 384 sqrt(5) > 0 fails"  # so both coefficients are positive
# symmetric 2-cycles {x, -x}: g(x) = -x, x != 0
sym = sp.solve(sp.cancel((G + x) / x), x)
xs2 = (2 + eta) / eta
assert all(sp.simplify(r**2 - xs2) == 0 for r in sym) and len(sym) == 2, f"symmetric 2-cycles: {sym}"
msym = sp.expand(Gp.subs(x, sym[0]) * Gp.subs(x, -sym[0]))
assert sp.simplify(msym - (5 + 2 * eta)**2) == 0, f"symmetric multiplier: {msym}"
assert sp.expand((5 + 2 * eta)**2 - 1) == 4 * eta**2 + 20 * eta + 24, "(5 + 2 eta)^2 - 1"
doc.verified("2-cycle: (g(x1) - x2) -+ (g(x2) - x1) factor through x1 - x2 and x1 + x2; x1 x2 = 1/eta,"
             " (x1 + x2)^2 = (3 + eta)/eta, (x1 - x2)^2 = (eta - 1)/eta: real and distinct iff eta > 1")
doc.verified("its multiplier g'(x1) g'(x2) = 9 - 2(1 + eta)^2: +1 at eta = 1,"
             " in (-1, 1) iff 1 < eta < sqrt(5) - 1, -1 at sqrt(5) - 1 with derivative -4 sqrt(5)")
doc.verified("second flip, f = g^2 on the 2-cycle {sqrt(2)/2, (sqrt(2) + sqrt(10))/4}: f' = -1,"
             " f''^2/2 + f'''/3 = 960 - 384 sqrt(5) > 0 and 480 + 96 sqrt(5) > 0:"
             " nondegenerate, supercritical")
doc.verified("symmetric 2-cycles {x, -x}: x^2 = (2 + eta)/eta, multiplier (5 + 2 eta)^2 > 1: never stable")

# ---------------------------------------------------------------------------------------------
# 4. gdmaps: exact_bifurcations and continuation
# ---------------------------------------------------------------------------------------------
pd1 = exact_bifurcations(gq, "eta", period=1)
assert pd1 and all(bp.kind == "period-doubling" and sp.simplify(bp.value - 1) == 0 for bp in pd1), \
    f"exact_bifurcations, period 1: {pd1}"
assert {bp.orbit[0][0] for bp in pd1} == {1, -1}, "period-1 flips not at +-1"
pd2 = exact_bifurcations(gq, "eta", period=2)
assert pd2 and all(bp.kind == "period-doubling" and sp.simplify(bp.value - eta2) == 0 for bp in pd2), \
    f"exact_bifurcations, period 2: {pd2}"
for bp in pd2:
    pts = [sp.nsimplify(p[0]) for p in bp.orbit]
    assert sp.simplify(pts[0] * pts[1] - 1 / eta2) == 0, "library 2-cycle: x1 x2 != 1/eta"
    assert sp.simplify((pts[0] + pts[1])**2 - (3 + eta2) / eta2) == 0, "library 2-cycle: (x1 + x2)^2"
cont = continuation(gq, [1.0], "eta", (0.5, 1.3), switch=1)
flips = [bp for bp in cont.bifurcations if bp.kind == "period-doubling"]
assert len(flips) >= 2 and flips[0].period == 1 and flips[1].period == 2, f"continuation: {cont}"
assert abs(flips[0].value - 1) < 1e-12, f"continuation: first flip at {flips[0].value!r}"
assert abs(flips[1].value - float(eta2)) < 1e-12, f"continuation: second flip at {flips[1].value!r}"
cont_err = (abs(flips[0].value - 1), abs(flips[1].value - float(eta2)))
doc.verified("gdmaps.exact_bifurcations: period 1 -> eta = 1 at x = +-1; period 2 -> eta = -1 + sqrt(5),"
             " orbit satisfying x1 x2 = 1/eta, (x1 + x2)^2 = (3 + eta)/eta")
doc.verified(f"gdmaps.continuation from x = 1 over eta in (0.5, 1.3), switch=1: flips at 1 and sqrt(5) - 1"
             f" to within {max(cont_err):.1e} (< 1e-12)")

# ---------------------------------------------------------------------------------------------
# 5. L(a, b) = (ab - 1)^2/2: normal flips on the curve of minima
# ---------------------------------------------------------------------------------------------
a, b = sp.symbols("a b", real=True)
gab = GDMap((a * b - 1)**2 / 2, [a, b])
onM = {b: 1 / a}
HM = gab.hessian().subs(onM).applyfunc(sp.cancel)
vM = sp.Matrix([1 / a, a])
assert (HM - vM * vM.T).applyfunc(sp.cancel) == sp.zeros(2, 2), "H != v v^T on ab = 1"
DGM = gab.jacobian().subs(onM).applyfunc(sp.cancel)
tangent = sp.Matrix([a, -1 / a])
assert (DGM * tangent - tangent).applyfunc(sp.cancel) == sp.zeros(2, 1), "tangent multiplier != 1"
nmult = 1 - eta * (a**2 + 1 / a**2)
assert (DGM * vM - nmult * vM).applyfunc(sp.cancel) == sp.zeros(2, 1), \
    "normal multiplier != 1 - eta(a^2 + b^2)"
assert sp.cancel((vM.T * tangent)[0]) == 0, "v is not normal to the curve of minima"
lamM = a**2 + 1 / a**2
etaM = 2 / lamM
assert sp.cancel(nmult.subs(eta, etaM)) == -1 and sp.diff(nmult, eta) == -lamM, "normal flip at 2/(a^2 + b^2)"
assert sp.cancel(1 - etaM - (a**2 - 1)**2 / (a**4 + 1)) == 0, "1 - 2/(a^2 + b^2) != (a^2 - 1)^2/(a^4 + 1)"
assert set(sp.solve(sp.numer(sp.together(1 - etaM)), a)) == {1, -1}, "eta = 1 not only at a = +-1"
bal = gd_period_doubling(gab, (1, 1)) + gd_period_doubling(gab, (-1, -1))
assert len(bal) == 2 and all(bp.value == 1 and sorted(bp.multipliers) == [-1, 1] for bp in bal), \
    f"gdmaps.gd_period_doubling at +-(1, 1): {bal}"
unb = gd_period_doubling(gab, (2, sp.Rational(1, 2)))
assert len(unb) == 1 and unb[0].value == sp.Rational(8, 17) == etaM.subs(a, 2), f"at (2, 1/2): {unb}"
doc.verified("(ab - 1)^2/2: on ab = 1, H = v v^T, v = (b, a) normal to the curve; DG: 1 on the tangent,"
             " 1 - eta(a^2 + b^2) on v, = -1 at eta = 2/(a^2 + b^2)")
doc.verified("1 - 2/(a^2 + b^2) = (a^2 - 1)^2/(a^4 + 1) >= 0, = 0 iff (a, b) = +-(1, 1);"
             " gdmaps.gd_period_doubling: eta = 1 at +-(1, 1), 8/17 at (2, 1/2)")

# ---------------------------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------------------------
doc.text(r"""
\begin{proposition}\label{prop}
Let $L$ be $C^3$, $G_\eta(\theta)=\theta-\eta\nabla L(\theta)$, and let $x^*$ be a critical point of $L$
whose Hessian $H=\nabla^2L(x^*)$ has an eigenvalue $\lambda>0$ with eigenvector $v$.
\begin{enumerate}
\item $G_\eta(x^*)=x^*$ for every $\eta$, $DG_\eta(x^*)=I-\eta H$, and $DG_\eta(x^*)v=(1-\eta\lambda)v$.
  The multiplier $1-\eta\lambda$ equals $-1$ exactly at $\eta=2/\lambda$, and crosses $-1$
  transversally: $\frac{d}{d\eta}(1-\eta\lambda)=-\lambda\neq0$. If $H\succ0$, $x^*$ is linearly
  stable iff $\eta<2/\lambda_{\max}(H)$ and loses stability at $\eta=2/\lambda_{\max}$ through a
  multiplier $-1$ along the top eigenvector: the edge of stability is a period doubling (flip).
  Over a family of minima, the first such value is $\eta^*=2/s_{\min}$ of \cite{CG24}.
\item For $L(x)=\tfrac14(x^2-1)^2$, $g(x)=x-\eta(x^3-x)$, the minima $x=\pm1$ have $L''=2$ and
  multiplier $1-2\eta$; at $\eta=1$ they undergo a nondegenerate, supercritical flip: a stable
  2-cycle is born for $\eta$ slightly above $1$.
\item For $\eta>1$ that 2-cycle $\{x_1,x_2\}$ satisfies $x_1x_2=1/\eta$ and $(x_1+x_2)^2=(3+\eta)/\eta$;
  its multiplier is $g'(x_1)g'(x_2)=9-2(1+\eta)^2$, which lies in $(-1,1)$ iff $1<\eta<\sqrt5-1$ and
  equals $-1$ at $\eta=\sqrt5-1$ (a second flip). The symmetric 2-cycles $\{x,-x\}$,
  $x^2=(2+\eta)/\eta$, have multiplier $(5+2\eta)^2>1$ and are never stable.
\item For $L(a,b)=\tfrac12(ab-1)^2$ every minimum $ab=1$ flips transversally to the curve of minima at
  $\eta=2/(a^2+b^2)\le1$, with equality iff $(a,b)=\pm(1,1)$: at $\eta^*=1$ the last minima lose
  stability, each through its normal multiplier $-1$.
\end{enumerate}
\end{proposition}

\begin{proof}
\emph{Step 1 (the general statement).}
Since $\nabla L(x^*)=0$, $G_\eta(x^*)=x^*$, and $DG_\eta=I-\eta\nabla^2L$. For the check we take a
generic symmetric positive definite $2\times2$ Hessian, written in its eigenbasis,
and add arbitrary cubic terms $k_0\delta_1^3+k_1\delta_1^2\delta_2+k_2\delta_1\delta_2^2+k_3\delta_2^3$
($\delta=\theta-x^*$) to the loss, which \texttt{gdmaps.GDMap} differentiates:
""")
doc.display(r"H=" + tex(H) + r",\qquad c^2+s^2=1,\ \lambda_1\ge\lambda_2>0,")
doc.display(r"DG_\eta(x^*)=I-\eta H,\qquad"
            r" \det(\mu I-DG_\eta(x^*))=(\mu-1+\eta\lambda_1)(\mu-1+\eta\lambda_2),")
doc.text(r"""
with eigenvectors $(c,s)^{\top}$ and $(-s,c)^{\top}$. For $\eta,\lambda>0$,
$(1-\eta\lambda)^2-1=\eta\lambda(\eta\lambda-2)$, so $|1-\eta\lambda|<1\iff\eta<2/\lambda$, and
$1-\eta\lambda=-1\iff\eta=2/\lambda$, with $\frac{d}{d\eta}(1-\eta\lambda)=-\lambda\neq0$. Since
$2/\lambda_1\le2/\lambda_2$, the spectral radius of $DG_\eta(x^*)$ is $<1$ iff $\eta<2/\lambda_{\max}$,
and the multiplier that leaves the unit disc at $\eta=2/\lambda_{\max}$ does so through $-1$.
Over a set of minima, $\inf 2/\lambda_{\max}=2/s_{\min}=\eta^*$.

\emph{Step 2 (the quartic).}
$L'(x)=x(x-1)(x+1)$, $L''=3x^2-1$, so $L''(\pm1)=2$, and $g(x)=(1+\eta)x-\eta x^3$ with
""")
doc.display(r"g'(x)=" + tex(Gp) + r",\quad g''(x)=" + tex(Gpp) + r",\quad g'''(x)=" + tex(Gppp)
            + r",\qquad g'(\pm1)=1-2\eta.")
doc.text(r"""
Thus $g'(\pm1)=-1$ iff $\eta=1$. We use the flip theorem in the form of
Kuznetsov \cite[Theorem~4.3, Sec.~4.4]{Kuz}: for a one-parameter family $f(x,\alpha)$ with fixed point
$x_0$ at $\alpha=0$ and $f_x=-1$, the flip is nondegenerate if
(B.1) $\tfrac12 f_{xx}^2+\tfrac13 f_{xxx}\neq0$ and (B.2) $f_{x\alpha}\neq0$ (fixed point held at $x_0$);
writing $f(x_0+t)=x_0-t+at^2+bt^3+O(t^4)$ ($a=f_{xx}/2$, $b=f_{xxx}/6$), Kuznetsov's coefficient is
$c(0)=a^2+b=\tfrac12(\tfrac12f_{xx}^2+\tfrac13f_{xxx})$, and its sign decides: $c(0)>0$ is
supercritical (a stable 2-cycle on the side where the fixed point is unstable), $c(0)<0$ subcritical.
The sign is read off the second iterate, which we verified for the general cubic:
""")
doc.display(r"f\circ f(x_0+t)=x_0+t-2(a^2+b)\,t^3+O(t^4).")
doc.text(r"""
At $x=1$, $\eta=1$: $g'=-1$, $g''=-6$, $g'''=-6$, so
""")
doc.display(r"\tfrac12 g''(1)^2+\tfrac13 g'''(1)=18-2=" + tex(flip_c) + r">0,\qquad c(0)=a^2+b=9-1=8,"
            r"\qquad g^2(1+t)=1+t-16t^3+O(t^4).")
doc.text(r"""
The fixed point $1$ is fixed for every $\eta$, and $\partial_x\partial_\eta g(1,1)=-(3x^2-1)|_{x=1}=-2\neq0$
(equivalently the multiplier $1-2\eta$ has derivative $-2$; in the form of Guckenheimer--Holmes,
$g_\eta g_{xx}+2g_{x\eta}=-4\neq0$). The multiplier decreases through $-1$ as $\eta$ increases, so the
fixed point is stable for $\eta<1$ and unstable for $\eta>1$, and $c(0)>0$ gives a stable 2-cycle for
$\eta$ slightly above $1$ (supercritical). By the symmetry $g(-x)=-g(x)$ the same holds at $x=-1$.

\emph{Step 3 (the 2-cycles).}
Let $g(x_1)=x_2$, $g(x_2)=x_1$, $x_1\neq x_2$. Subtracting and adding the two equations,
""")
doc.display(r"(x_1-x_2)\big[2+\eta-\eta(x_1^2+x_1x_2+x_2^2)\big]=0,\qquad"
            r" \eta(x_1+x_2)\big[1-(x_1^2-x_1x_2+x_2^2)\big]=0.")
doc.text(r"""
If $x_1+x_2=0$ we get the symmetric cycles (below). Otherwise, with $S=x_1+x_2$, $P=x_1x_2$:
$S^2-P=(2+\eta)/\eta$ and $S^2-3P=1$, whence
""")
doc.display(r"x_1x_2=P=\frac1\eta,\qquad (x_1+x_2)^2=S^2=\frac{3+\eta}{\eta},\qquad"
            r" (x_1-x_2)^2=S^2-4P=\frac{\eta-1}{\eta},")
doc.text(r"""
so the cycle is real with $x_1\neq x_2$ exactly for $\eta>1$: it is the cycle born at $\eta=1$
(where $x_1=x_2=\pm1$). With $x_1^2+x_2^2=S^2-2P=(1+\eta)/\eta$,
""")
doc.display(r"g'(x_1)g'(x_2)=(1+\eta)^2-3\eta(1+\eta)(x_1^2+x_2^2)+9\eta^2x_1^2x_2^2=" + tex(mult2) + r".")
doc.text(r"""
This is $+1$ at $\eta=1$, and $1-(9-2(1+\eta)^2)=2((1+\eta)^2-4)$,
$(9-2(1+\eta)^2)+1=2(5-(1+\eta)^2)$: for $\eta>0$ the multiplier lies in $(-1,1)$ iff
$1<\eta<\sqrt5-1$, and equals $-1$ exactly at $\eta=\sqrt5-1$, with derivative
$-4(1+\eta)=""" + tex(dmult2) + r"""\neq0$ there: a second, transversal period doubling. It is again
nondegenerate and supercritical: at $\eta=\sqrt5-1$ the cycle is $x_1=\tfrac{\sqrt2}{2}$,
$x_2=\tfrac{\sqrt2+\sqrt{10}}{4}$, and $f=g\circ g$ has $f'(x_i)=-1$ and
$\tfrac12f''^2+\tfrac13f'''=""" + tex(flip_c2[X1s]) + r"""$ at $x_1$ and
$""" + tex(flip_c2[X2s]) + r"""$ at $x_2$,
both $>0$ (as $960^2>384^2\cdot5$).
The symmetric cycles solve $g(x)=-x$, $x\neq0$: $x^2=(2+\eta)/\eta$, and
$g'(x)g'(-x)=g'(x)^2=(1+\eta-3(2+\eta))^2=(5+2\eta)^2>1$ for every $\eta>0$.

\emph{Step 4 (the library agrees).}
\texttt{gdmaps.exact\_bifurcations(GDMap(L, [x]), "eta", period=1)} returns period doublings at
$\eta=1$ (orbits $\{1\}$, $\{-1\}$), and with \texttt{period=2} at $\eta=-1+\sqrt5$, both equal as
SymPy expressions to the values above; the returned 2-cycle satisfies $x_1x_2=1/\eta$ and
$(x_1+x_2)^2=(3+\eta)/\eta$. The numerical pseudo-arclength continuation
\texttt{gdmaps.continuation(map, [1.0], "eta", (0.5, 1.3), switch=1)} locates the two flips to
within $10^{-12}$.

\emph{Step 5 (the loss $\tfrac12(ab-1)^2$).}
On $\mathcal M=\{ab=1\}$ ($a\neq0$, $b=1/a$), $H=vv^{\top}$ with $v=(b,a)$, and
""")
doc.display(r"DG_\eta\Big|_{\mathcal M}=" + tex(DGM) + r",\qquad DG_\eta\,(a,-b)^{\top}=(a,-b)^{\top},"
            r"\qquad DG_\eta\,v=\big(1-\eta(a^2+b^2)\big)v.")
doc.text(r"""
The tangent $(a,-b)$ of $\mathcal M$ has multiplier $1$ and the normal $v$ (indeed $v\cdot(a,-b)=0$) has
$1-\eta(a^2+b^2)$, which is $-1$ at $\eta=2/(a^2+b^2)$ with derivative $-(a^2+b^2)\neq0$: a flip
transverse to $\mathcal M$. Finally
""")
doc.display(r"1-\frac{2}{a^2+b^2}=1-\frac{2}{a^2+a^{-2}}=\frac{(a^2-1)^2}{a^4+1}\ \ge0,")
doc.text(r"""
with equality iff $a=\pm1$, i.e.\ $(a,b)=\pm(1,1)$. So every minimum flips at some
$\eta\le1$, the balanced ones exactly at $\eta^*=1$: for $\eta>1$ no minimum is stable.
\texttt{gdmaps.core.gd\_period\_doubling} returns $\eta=1$ at $\pm(1,1)$ (multipliers $\{-1,1\}$) and
$8/17=2/(4+\tfrac14)$ at $(2,\tfrac12)$.
\end{proof}

\begin{remark}
The same continuation with \texttt{switch=4}, switched further onto the doubled branches, locates
the next period doublings of the quartic numerically near $\eta\approx1.28803175448$
(period $4\to8$) and $1.29922793965$
(period $8\to16$); these values are numerical, not asserted as exact. For $\tfrac12(ab-1)^2$ the centre
direction along $\mathcal M$ (multiplier $1$) makes the flip non-generic in two dimensions; the
statement there is only about the normal multiplier.
\end{remark}

""")

doc.cite(r"""\bibitem{Kuz} Yu.~A.~Kuznetsov. \emph{Elements of Applied Bifurcation Theory}, 3rd ed.
  Springer, 2004. Section~4.4, Theorem~4.3 (flip bifurcation).""")
path = doc.write(OUT)
doc.report(path, time.perf_counter() - t0)
