"""A certified bracket of eta* for small analytic losses (exp, log, tanh, cosh, softplus, ...).

eta* = 2 / s_min with s_min the least lambda_max(H) over the global minima. For a loss
that is proved real-analytic on R^d (d <= 3) this module proves, in ball arithmetic,

1. where the global minima are: a numeric minimum p gives U >= L(p) >= min L (a ball
   evaluation at the exact float point p), and L > U is proved on {|x|_inf >= R} by
   interval arithmetic with infinite endpoints over a finite cover of that unbounded set;
   so every global minimum lies in the open cube B = (-R, R)^d;
2. which critical points they can be: interval branch and bound over B discards boxes
   where L > U or where the gradient enclosure misses 0; the Krawczyk test (on the
   gradient) proves each remaining critical point unique in a small box;
3. lambda_max(H) and positive definiteness at the lowest of them, in balls: a Rayleigh
   quotient below, Sylvester's criterion for t I - H above.

A loss periodic in every variable (``1 - cos(x)``) has no cube that holds all its global
minima; there step 1 is replaced by a period T_i of each x_i, read off the arguments of
sin, cos, ... and proved by SymPy (L(x + T_i e_i) - L(x) simplifies to exactly 0), and the
branch and bound runs over one cell prod [c_i, c_i + T_i]: by translation every global
minimum is a translate of one in the cell, with the same Hessian.

Everything that is not proved makes :func:`certified_analytic` answer None; it never
guesses.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp
from flint import arb, arb_mat

from gdmaps.certify._analytic_search import (_Counter, _GiveUp, _LowerPoint, _Loss, _branch_and_bound,
                                             _exclude_outside, _inside, _numeric_minimum, _tight_zero)
from gdmaps.certify._extended_intervals import _down, _up
from gdmaps.certify.analyticity import analyticity
from gdmaps.certify.rate import CriticalLearningRate, Exactness
from gdmaps.core.errors import InvalidTypeError, check_int
from gdmaps.core.gd import GDMap
from gdmaps.exact.interval import PREC, NotCertifiableError, compile_interval, working_precision

__all__ = ["certified_analytic"]

#: The largest dimension handled: the cover of {|x|_inf >= R} has 2 d cones over (d-1)-cubes,
#: and the branch and bound in B grows like (R / box size)^d.
MAX_DIM = 3
#: Attempts at the outer radius (each four times the previous).
_RADIUS_ROUNDS = 4


# -- 3. spectra in balls -----------------------------------------------------------
def _positive_definite(A, d) -> bool:
    """Sylvester: every leading principal minor of the ball matrix is > 0."""
    return all(arb_mat([[A[i, j] for j in range(k)] for i in range(k)]).det() > 0
               for k in range(1, d + 1))


def _spectrum(H, d):
    """Proved bounds of lambda_max and lambda_min of the symmetric matrices in H.

    Returns ``(max_lo, max_hi, min_lo, min_hi)``; an end that was not proved is None.
    max_lo and min_hi are Rayleigh quotients v^T H v / v^T v with fixed float vectors;
    max_hi = t when t I - H is positive definite, min_lo = t when H - t I is.
    """
    M = np.array([[float(H[i, j].mid()) for j in range(d)] for i in range(d)])
    mu, V = np.linalg.eigh((M + M.T) / 2)

    def rayleigh(v):
        v = [arb(float(c)) for c in v]
        num = sum((v[i] * H[i, j] * v[j] for i in range(d) for j in range(d)), arb(0))
        return num / sum((c * c for c in v), arb(0))

    def shifted(t, sign):
        return arb_mat([[sign * ((arb(t) if i == j else arb(0)) - H[i, j]) for j in range(d)]
                        for i in range(d)])

    def bound(mu_k, sign):
        for eps in (1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9):
            t = float(mu_k + sign * eps * (1 + abs(mu_k)))
            if _positive_definite(shifted(t, sign), d):
                return t
        return None

    return (_down(rayleigh(V[:, -1])), bound(mu[-1], 1), bound(mu[0], -1), _up(rayleigh(V[:, 0])))


# -- 4. ties: signed permutations that leave L unchanged prove equal values ---------
def _symmetries(loss, state):
    """Signed permutations sigma with L(sigma x) identical to L(x) (SymPy expand gives 0)."""
    d = len(state)
    out = []
    for perm in itertools.permutations(range(d)):
        for signs in itertools.product((1, -1), repeat=d):
            if perm == tuple(range(d)) and all(s == 1 for s in signs):
                continue
            image = {state[k]: signs[k] * state[perm[k]] for k in range(d)}
            if sp.expand(loss.xreplace(image) - loss) == 0:
                out.append((perm, signs))
    return out


def _image(sigma, lo, hi):
    """The box sigma([lo, hi]), (sigma x)_k = s_k x_perm(k)."""
    perm, signs = sigma
    a = np.array([lo[perm[k]] if signs[k] > 0 else -hi[perm[k]] for k in range(len(perm))])
    b = np.array([hi[perm[k]] if signs[k] > 0 else -lo[perm[k]] for k in range(len(perm))])
    return a, b


def _residuals(expr):
    """``[r_j]`` with ``expr == sum_j c_j r_j**2`` syntactically (numbers c_j > 0), or None."""
    out = []
    for term in sp.Add.make_args(expr):
        c, rest = term.as_coeff_Mul()
        if not (c.is_Rational and c > 0):
            return None
        if rest.is_Add:
            inner = _residuals(rest)
            if inner is None:
                return None
            out += inner
            continue
        r = sp.S.One
        for f in sp.Mul.make_args(rest):
            if not (f.is_Pow and f.exp.is_Integer and f.exp > 0 and f.exp % 2 == 0):
                return None
            r *= f.base ** (f.exp // 2)
        out.append(r)
    return out


def _zero_residual(loss, state, points):
    """Indices of the points where L = sum c_j r_j^2 >= 0 is proved to vanish (L = 0 = min L).

    With as many residuals as parameters, a Krawczyk test on r = (r_1, ..., r_d) proves a
    zero w of r in a tiny box inside the uniqueness box of the critical point q: then
    L(w) = 0 <= L everywhere, so w is a critical point, w = q, and L(q) = 0 exactly.
    """
    res = _residuals(loss)
    d = len(state)
    if res is None or len(res) != d or not all(r.free_symbols for r in res):
        return []
    try:
        F = compile_interval(res, state)
        jac = compile_interval([sp.diff(r, v) for r in res for v in state], state)
    except NotCertifiableError:
        return []

    def DF(balls):
        e = jac(balls)
        return arb_mat([e[i * d:(i + 1) * d] for i in range(d)])
    return [k for k, q in enumerate(points) if _tight_zero(F, DF, d, q.mid, q.region) is not None]


def _translations(periods, lo, hi):
    """The boxes [lo, hi] + sum_i k_i T_i e_i, k in {-1, 0, 1}^d, k != 0 (T_i balls), rounded out."""
    for k in itertools.product((-1, 0, 1), repeat=len(periods)):
        if any(k):
            shift = [kk * T for kk, T in zip(k, periods)]
            yield (np.array([_down(arb(float(v)) + t) for v, t in zip(lo, shift)]),
                   np.array([_up(arb(float(v)) + t) for v, t in zip(hi, shift)]))


def _equal_classes(points, sigmas, equal, periods=()):
    """Union-find of the points whose values are proved equal.

    i ~ j when a symmetry maps point i into the uniqueness box of point j (then
    L(q_i) = L(sigma q_i) = L(q_j)), or a translation by sum_i k_i T_i e_i
    (k in {-1, 0, 1}^d, T_i proved periods as balls) does; and all indices in ``equal``
    (proved values 0) are one class. Returns the root of each point.
    """
    parent = list(range(len(points)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i
    for i, p in enumerate(points):
        images = [_image(sigma, p.lo, p.hi) for sigma in sigmas]
        if len(periods):
            images += list(_translations(periods, p.lo, p.hi))
        for a, b in images:
            for j, q in enumerate(points):
                if j != i and _inside(a, b, q.region):
                    parent[root(i)] = root(j)
    for i in equal[1:]:
        parent[root(i)] = root(equal[0])
    return [root(i) for i in range(len(points))]


# -- 5. periodic losses: a proved period in every variable ----------------------------
_TRIG = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc)


def _candidate_period(loss, v):
    """A period of L in v read off the trigonometric arguments, or None (no proof).

    Every occurrence of v must lie in sin, cos, tan, ... of an argument c_k v + (free of
    v) with a constant c_k, and every c_k / c_0 = p_k / q_k must be rational; then
    T = (2 pi / |c_0|) lcm(q_k) / gcd(p_k) makes every T c_k / (2 pi) an integer.
    """
    coeffs = []

    def walk(e):
        if e == v:
            return False  # v outside a trigonometric function
        if isinstance(e, _TRIG) and v in e.args[0].free_symbols:
            c = sp.diff(e.args[0], v)
            if c.free_symbols or c == 0:
                return False
            coeffs.append(c)
            return True
        return all(walk(arg) for arg in e.args)
    if v not in loss.free_symbols or not walk(loss):
        return None
    c0 = sp.Abs(coeffs[0])
    ratios = [sp.nsimplify(sp.simplify(c / coeffs[0]), rational=False) for c in coeffs]
    if not (c0.is_positive and all(r.is_Rational and r != 0 for r in ratios)):
        return None
    num = math.gcd(*(abs(int(r.p)) for r in ratios))
    den = math.lcm(*(int(r.q) for r in ratios))
    return sp.simplify(2 * sp.pi / c0 * sp.Rational(den, num))


def _proved_period(loss, v, T) -> bool:
    """True when L(x + T e_v) - L(x) simplifies to exactly 0 (SymPy), with T > 0."""
    if not (T.is_positive and T.is_real and not T.free_symbols):
        return False
    diff = loss.xreplace({v: v + T}) - loss
    if sp.expand(diff) == 0:
        return True
    for form in (sp.simplify, lambda e: sp.simplify(sp.expand_trig(e))):
        try:
            if form(diff) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError, RecursionError):
            continue
    return False


def _periods(loss, state):
    """``[T_i]`` with L periodic of period T_i in x_i, each proved; None if one is not."""
    out = []
    for v in state:
        T = _candidate_period(loss, v)
        if T is None or not _proved_period(loss, v, T):
            return None
        out.append(T)
    return out


def _period_balls(periods, state):
    return compile_interval(list(periods), state)([arb(0)] * len(state))


# -- the whole proof -----------------------------------------------------------------
def _radius_for(p) -> float:
    return float(2.0 ** math.ceil(math.log2(1 + 1.5 * float(np.max(np.abs(p))))))


def _where_cube(L, p, U, counter, max_boxes, d):
    """Step 1 (L > U outside a cube B), then the branch and bound in B.

    Returns the sentence of step 1 and the result of :func:`_branch_and_bound`.
    """
    R = _radius_for(p)
    for _ in range(_RADIUS_ROUNDS):
        share = _Counter(min(max_boxes // 4, counter.budget - counter.used))
        try:
            pieces = _exclude_outside(L, U, R, share)
            counter.used += share.used
            break
        except _LowerPoint as low:
            p, U = low.point, low.value
            R = max(4 * R, _radius_for(p))
        except _GiveUp:
            R *= 4
        counter.used += share.used
    else:
        raise _GiveUp(f"L > U outside a cube is not proved (last radius {R / 4:g}): L may have"
                      " no global minimum, or grow too slowly")
    where = (f"Global minima in B = (-{R:g}, {R:g})^{d}: L <= U = {U!r} at a numeric minimum (a"
             f" ball at the exact float point), and L > U on |x|_inf >= {R:g}, proved on {pieces}"
             " cone pieces x_i = +-r, x_j = r y_j (r >= R, |y_j| <= 1) by interval arithmetic"
             " with infinite ends (polynomial parts bounded at infinity as r^m Ptilde(1/r, y),"
             " affine growth models a r + b). Branch and bound over B")
    return where, _branch_and_bound(L, R, U, counter)


def _where_periodic(state, periods, lo, hi, U):
    """The sentence of step 1 for a loss with a proved period in every variable."""
    names = ", ".join(f"T_{v} = {T}" for v, T in zip(state, periods))
    cell = " x ".join(f"[{float(a)!r}, {float(b)!r}]" for a, b in zip(lo, hi))
    return ("L is periodic in every parameter: L(x + T_i e_i) - L(x) simplifies to exactly 0"
            f" (SymPy) with {names}. So L takes every value in a cell C = prod [c_i, c_i + T_i]"
            " and attains its minimum there (continuous on a compact set), and by translation"
            " the global minima are the points q + sum_i k_i T_i e_i (k in Z^d) with q a global"
            " minimum in C, with the same Hessian: s_min is the least lambda_max(H) over the"
            f" global minima in C. Here C lies in the float box {cell}, and L <= U = {U!r} at a"
            " numeric minimum (a ball at the exact float point). Branch and bound over that box")


def _run(gdmap, *, max_boxes, prec, starts, seed):
    """The bracket, or raise :class:`_GiveUp` saying which step failed."""
    state = tuple(gdmap.state)
    d, loss = len(state), gdmap.loss
    if d > MAX_DIM:
        raise _GiveUp(f"{d} parameters; at most {MAX_DIM} are handled")
    if loss.free_symbols - set(state):
        raise _GiveUp(f"free symbols {sorted(map(str, loss.free_symbols - set(state)))}")
    why = analyticity(loss, state)
    if not why:
        raise _GiveUp(why.reason)
    L = _Loss(loss, state, prec)
    p = _numeric_minimum(L, starts, seed)
    if p is None or not np.max(np.abs(p)) < 1e6:
        raise _GiveUp("the numeric search found no minimum in a bounded region")
    U = L.value_upper(p)
    if not math.isfinite(U):
        raise _GiveUp("L is not evaluable at the numeric minimum")
    counter = _Counter(max_boxes)
    periods = _periods(loss, state)
    if periods is not None:
        Tb = _period_balls(periods, state)
        lo = np.array([_down(arb(float(v)) - T / 2) for v, T in zip(p, Tb)])
        hi = np.array([_up(arb(float(v)) + T) for v, T in zip(lo, Tb)])  # [lo, hi] holds a cell
        where = _where_periodic(state, periods, lo, hi, U)
        R = float(np.max(hi - lo)) / 2
        points, U, leaves, outcome = _branch_and_bound(L, R, U, counter, cell=(lo, hi))
    else:
        Tb = ()
        where, (points, U, leaves, outcome) = _where_cube(L, p, U, counter, max_boxes, d)
    for q in points:
        q.spectrum = _spectrum(q.H, d)
    top = min([U] + [_up(q.value) for q in points])
    minima = []
    for q in points:
        if not _down(q.value) <= top:
            continue
        mx_lo, mx_hi, mn_lo, mn_hi = q.spectrum
        if mn_hi < 0:
            continue  # a negative eigenvalue: a saddle or a maximum, not a minimum
        if mn_lo is None or mn_lo <= 0 or mx_hi is None:
            raise _GiveUp(f"the Hessian at the critical point {q.mid} is not proved definite")
        minima.append(q)
    if not minima:
        raise _GiveUp("no proved minimum at the lowest value")
    classes, zeros = [0] * len(minima), []
    if len(minima) > 1:
        zeros = _zero_residual(loss, state, minima)
        classes = _equal_classes(minima, _symmetries(loss, state), zeros, Tb)
    proved = len(set(classes)) == 1
    flattest = min(minima, key=lambda q: q.spectrum[1])
    s_lo = min(q.spectrum[0] for q in minima)
    s_hi = flattest.spectrum[1] if proved else max(q.spectrum[1] for q in minima)
    if not s_lo > 0:
        raise _GiveUp("lambda_max(H) is not proved positive")
    eta_lo = _down(arb(2) / arb(s_hi))
    eta_hi = _up(arb(2) / arb(s_lo))
    how = (f"L is a sum of squares whose residuals vanish at {len(zeros)} of them (Krawczyk on"
           " the residuals, so L = 0 = min L there)" if zeros else "")
    if len(zeros) < len(minima):
        how += (("; " if how else "") + ("translations by the periods and " if len(Tb) else "")
                + "signed permutations sigma with L o sigma = L map them onto each other")
    argument = _argument(where, leaves, outcome, points, minima, proved, how, s_lo, s_hi,
                         eta_lo, eta_hi, prec)
    sharp = (flattest.spectrum[0] + flattest.spectrum[1]) / 2
    return CriticalLearningRate((eta_lo + eta_hi) / 2, sharp, Exactness.CERTIFIED, flattest.mid,
                                argument, morse_bott=True, certified_lower=eta_lo,
                                certified_upper=eta_hi, minima_proved=True if proved else None)


def _fmt(q):
    mx_lo, mx_hi, mn_lo, _ = q.spectrum
    where = ", ".join(f"{v:.12g}" for v in q.mid)
    return (f"({where}): L in [{_down(q.value):.15g}, {_up(q.value):.15g}], lambda_max(H) in"
            f" [{mx_lo:.15g}, {mx_hi:.15g}], lambda_min(H) >= {mn_lo:.6g}")


def _argument(where, leaves, outcome, points, minima, proved, how, s_lo, s_hi, eta_lo, eta_hi,
              prec):
    shown = "; ".join(_fmt(q) for q in minima[:6]) + ("; ..." if len(minima) > 6 else "")
    ties = ("" if len(minima) == 1 else
            (f" {len(minima)} minima have values that balls do not separate; their values are"
             f" proved equal ({how}), so all are global minima." if proved else
             f" {len(minima)} minima have values that balls do not separate and are not"
             " proved equal: the global minima are among them, s_min is bracketed over all of"
             " them, and none is proved a global minimum (no witness for instability failing)."))
    return (
        f"certified in {prec}-bit ball arithmetic. {where}: {leaves} boxes,"
        f" {outcome['value']} dropped as L > U,"
        f" {outcome['gradient']} as the gradient misses 0, {outcome['Hessian']} as a diagonal"
        f" entry of H is < 0, {outcome['Krawczyk']} as the Krawczyk operator misses them;"
        f" {outcome['contracted']} contracted and {outcome['split']} split. Krawczyk proved"
        f" {len(points)} critical point(s) at values <= U, each unique in its box. Minima at"
        f" the lowest value: {shown}.{ties} So s_min in [{s_lo!r}, {s_hi!r}] (Rayleigh"
        " quotients below, Sylvester's criterion for t I - H above) and eta* = 2/s_min in"
        f" [{eta_lo!r}, {eta_hi!r}]; H is positive definite there (Sylvester), so below eta*"
        " every multiplier 1 - eta lambda_i lies in (-1, 1)."
    )


def certified_analytic(gdmap, *, max_boxes=20000, prec=PREC, starts=12,
                       seed=0) -> CriticalLearningRate | None:
    """A proved bracket of eta* = 2 / s_min for a small analytic loss, or None.

    Parameters
    ----------
    gdmap : GDMap
        A loss of at most ``MAX_DIM`` = 3 parameters, proved real-analytic on R^d by
        :func:`gdmaps.certify.analyticity.analyticity` (polynomials, exp, tanh, cosh, sinh, atan,
        erf, log of what is proved positive, ...), with no free symbol.
    max_boxes : int, keyword-only
        The most boxes examined (cone pieces outside the cube and boxes inside it).
    prec : int, keyword-only
        Bits of the ball arithmetic.
    starts, seed : keyword-only
        The numeric search for a low point (it only supplies the upper bound U).

    Returns
    -------
    CriticalLearningRate or None
        ``exactness=CERTIFIED`` with ``eta* in [certified_lower, certified_upper]`` proved,
        ``minimizer`` the flattest global minimum (floats), ``morse_bott=True`` (H is
        positive definite there) and ``minima_proved=True``; ``minima_proved=None`` when
        several minima at unseparated values are not proved equal (then ``certified_lower``
        uses the sharpest of them, and no point is claimed to be a global minimum). None
        when any step is not proved: a loss not proved analytic, d > 3, free symbols, no
        global minimum (L > U is not proved outside a cube), a degenerate or non-isolated
        critical point at a low value, or ``max_boxes`` exhausted. A loss periodic in every
        variable (with periods proved by SymPy) is handled on one cell of periods instead
        of a cube; periodic in some variables only, it gets None.

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x = sp.Symbol("x")
    >>> crit = certified_analytic(GDMap(sp.tanh(x)**2 + x**2, [x]))  # L''(0) = 4, eta* = 1/2
    >>> lo, hi = crit.certified_lower, crit.certified_upper
    >>> lo < 0.5 < hi, hi - lo < 1e-12, crit.minima_proved
    (True, True, True)
    >>> certified_analytic(GDMap(sp.log(1 + sp.exp(x)), [x])) is None  # no global minimum
    True
    >>> crit = certified_analytic(GDMap(1 - sp.cos(x), [x]))  # period 2 pi, L''(2 pi k) = 1
    >>> crit.certified_lower < 2 < crit.certified_upper, crit.minima_proved
    (True, True)

    Notes
    -----
    1. Where the global minima are. U = an upper ball end of L(p) at a numeric minimum p
       (BFGS from ``starts`` points), so min L <= U. With R = 2^ceil(log2(1 + 1.5 |p|_inf)),
       L > U is proved on {|x|_inf >= R}, covered by the 2d cones x_i = s r, x_j = r y_j
       (r >= R, y in [-1, 1]^(d-1)). On a cone, interval arithmetic with infinite ends
       (exp(-inf) = 0, tanh(+-inf) = +-1, 0 * inf = 0, ...) bounds L below, helped by two
       views of growth: a maximal polynomial P of degree m is r^m Ptilde(1/r, y) with
       Ptilde(tau, y) = tau^m P(yhat / tau) a polynomial on a compact box, and every node
       carries affine models a r + b <= T (x_k = r yhat_k, log cosh(u) >= |u| - log 2,
       log(1 + e^u) >= u, tangents of exp and cosh, ...), so L >= a R + b when a >= 0.
       Pieces that fail are split (y, then r into [rho, 2 rho] and [2 rho, inf)); a point
       outside with L < U restarts farther out with it, and R grows fourfold up to 4 times.
       So every global minimum lies in B = (-R, R)^d. This needs L to grow: a coercive
       polynomial part (weight decay) or coercive analytic parts, with bounded terms.
       Periodic losses instead: when every occurrence of x_i is in sin, cos, tan, ... of
       c_k x_i + (free of x_i) with all c_k / c_0 = p_k / q_k rational, the candidate
       T_i = (2 pi / |c_0|) lcm(q_k) / gcd(p_k) is kept only if SymPy simplifies
       L(x + T_i e_i) - L(x) to exactly 0 (expand, simplify, or simplify after
       expand_trig). With a proved period in every variable, L takes all its values in
       the cell C = prod [c_i, c_i + T_i] (c = p - T / 2, held in a float box rounded
       out), attains its minimum on C (continuous on a compact set), and the global
       minima are the translates by sum_i k_i T_i e_i (k in Z^d) of those in C, with
       the same Hessian; so step 2 runs over C and U comes from p alone.
    2. Which critical points. Branch and bound over B: natural, mean-value and second-order
       forms of L against U (each box midpoint lowers U), the gradient enclosure, the sign
       of the Hessian diagonal, and the Krawczyk operator
       K(X) = m - Y g(m) + (I - Y H(X))(X - m) of the gradient g: K inside X proves one
       critical point in X, K missing X proves none, X meet K keeps them all. Every global
       minimum is a critical point with L <= U, so it is one of the proved points.
    3. Which are global. A proved point is a candidate when its value ball is not above the
       least upper end of all values; one with a negative Rayleigh quotient is no minimum.
       A single candidate is the global minimum. Several are all global when their values
       are proved equal: a signed permutation sigma with L o sigma = L (SymPy), or for a
       periodic loss a translation by sum_i k_i T_i e_i (k in {-1, 0, 1}^d), maps one
       into the uniqueness box of another, or L = sum c_j r_j^2 syntactically (d residuals)
       and a Krawczyk test proves r = 0 at each (then L = 0 = min L there).
    4. The bracket. lambda_max in [v^T H v / v^T v, t] over the tight Krawczyk box (a
       Rayleigh quotient; Sylvester's criterion for t I - H), and H positive definite
       (Sylvester on H - t' I); eta*_lo = 2 / s_hi rounded down, eta*_hi = 2 / s_lo rounded
       up. Unproved ties give s_min in [min of lower ends, max of upper ends].

    Cost: about 0.3 ms per box for d <= 2 and 0.5 ms for d = 3; the examples of the tests
    use 30 to 2000 boxes (0.05 to 1 s). Ill-conditioned 3-parameter networks (weight decay
    1/100) may need 15000 boxes or exhaust ``max_boxes``.
    """
    if not isinstance(gdmap, GDMap):
        raise InvalidTypeError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    max_boxes = check_int("max_boxes", max_boxes, minimum=1)
    starts = check_int("starts", starts)
    prec = check_int("prec", prec, minimum=30)
    try:
        with working_precision(prec):
            return _run(gdmap, max_boxes=max_boxes, prec=prec, starts=starts, seed=seed)
    except (_GiveUp, NotCertifiableError, ArithmeticError, ValueError):
        return None  # a step not proved (or not evaluable): no bracket rather than a guess
