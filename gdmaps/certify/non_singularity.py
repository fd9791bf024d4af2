"""Non-singularity of the GD map: det(I - eta H) is not identically zero."""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from gdmaps.certify.analyticity import analyticity
from gdmaps.core.errors import InvalidTypeError
from gdmaps.core.gd import GDMap, step_of
from gdmaps.core.results import Result

__all__ = ["Verdict", "NonSingularity", "non_singularity"]


class Verdict(enum.Enum):
    PROVEN = "proven"                #: det(I - eta H) != 0 somewhere: its zero set is null
    SINGULAR = "singular"            #: det(I - eta H) == 0 identically: an exceptional eta
    INCONCLUSIVE = "inconclusive"    #: neither could be shown


@dataclass(frozen=True, repr=False, eq=False)
class NonSingularity(Result):
    """The verdict on det(I - eta H(theta)), with its witness.

    ``witness`` is a rational point where the exact determinant ``value`` is non-zero
    (PROVEN). ``exceptional`` lists the step sizes where the determinant vanishes
    identically, when they could be determined.
    """

    verdict: Verdict
    eta: object
    witness: tuple | None
    value: object
    exceptional: tuple | None
    argument: str

    def __repr__(self) -> str:
        return f"<NonSingularity ({self.verdict.value}) at eta = {self.eta}: {self.argument}>"

    def latex(self) -> str | None:
        """The witness: det(I - eta H(q)) at the rational point q, exactly."""
        if self.witness is None or self.value is None:
            return None
        q = ", ".join(sp.latex(v) for v in self.witness)
        return (rf"\det\left(I - {sp.latex(self.eta)}\, H(q)\right) = {sp.latex(self.value)}"
                rf" \neq 0 \quad\text{{at}}\quad q = ({q})")


def _rational_points(d, count):
    """Deterministic rational points with distinct, non-special coordinates."""
    base = [sp.Rational(p, q) for q in (3, 7, 11, 13) for p in (1, 2, -5, 4, -3)]
    for k in range(count):
        yield tuple(base[(i * 7 + k * 3) % len(base)] + sp.Rational(k, 17) for i in range(d))


def _exact_det(M):
    return DomainMatrix.from_Matrix(M).convert_to(sp.QQ).det()


def _flint_dets(gdmap, eta, points):
    """det(I - eta H(q)) at rational points, for a polynomial loss, in flint's exact arithmetic."""
    import flint
    from sympy.polys.rings import ring

    names = [f"x{i}" for i in range(gdmap.dim)]  # flint wants ASCII names; the state may be θ
    R, *_ = ring(names, sp.QQ)
    L = R.from_expr(gdmap.loss.xreplace({s: sp.Symbol(n) for s, n in zip(gdmap.state, names)}))
    ctx = flint.fmpq_mpoly_ctx.get(tuple(names), "lex")
    F = ctx.from_dict({m: flint.fmpq(int(c.numerator), int(c.denominator)) for m, c in L.terms()})
    d = gdmap.dim
    grad = [F.derivative(i) for i in range(d)]
    hess = [[grad[i].derivative(j) for j in range(d)] for i in range(d)]
    e = flint.fmpq(int(sp.numer(eta)), int(sp.denom(eta)))
    for q in points:
        vals = [flint.fmpq(int(sp.numer(v)), int(sp.denom(v))) for v in q]
        M = flint.fmpq_mat([[(1 if i == j else 0) - e * hess[i][j](*vals) for j in range(d)]
                            for i in range(d)])
        yield q, sp.Rational(int(M.det().p), int(M.det().q))


def non_singularity(gdmap, *, eta=None, tries=4) -> NonSingularity:
    """Prove that det(I - eta H) is not identically zero, or find that it is.

    Parameters
    ----------
    gdmap : GDMap
        A polynomial or rational loss (the exact path); its own eta if ``eta`` is None.
    eta : positive number, keyword-only
        Read exactly (0.1 is 1/10); the map's own step size when left out.
    tries : int, keyword-only
        Rational points to try before looking at eta symbolically.

    Examples
    --------
    >>> from gdmaps.models import scalar_chain
    >>> non_singularity(scalar_chain(3, 1), eta=0.5).verdict
    <Verdict.PROVEN: 'proven'>
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> ns = non_singularity(GDMap((x**2 + 3*y**2) / 2, [x, y]), eta=sp.Rational(1, 3))
    >>> ns.verdict, ns.exceptional
    (<Verdict.SINGULAR: 'singular'>, (1/3, 1))

    Notes
    -----
    A polynomial (or rational) function on R^d that is non-zero at one point
    vanishes only on a null set. So one exact evaluation det(I - eta H(q)) != 0 at
    a rational q proves that G_eta is a local diffeomorphism off a null set, whose
    preimages of null sets are null (arXiv 2402.13108, sec. 3).
    """
    if not isinstance(gdmap, GDMap):
        raise InvalidTypeError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    eta = step_of(gdmap, eta)
    if not gdmap.symbolic:
        return _backprop_estimate(gdmap, eta)
    free = gdmap.loss.free_symbols - set(gdmap.state)
    if free:
        return NonSingularity(Verdict.INCONCLUSIVE, eta, None, None, None,
                              f"the loss has free parameters {sorted(str(f) for f in free)}")
    points = list(_rational_points(gdmap.dim, tries))
    rational_coeffs = _rational_polynomial(gdmap.loss, gdmap.state)
    if rational_coeffs and eta.is_rational:
        for point, value in _flint_dets(gdmap, eta, points):
            if value != 0:
                return NonSingularity(
                    Verdict.PROVEN, eta, point, value, None,
                    f"det(I - eta H) = {_short(value)} != 0 at the rational point {_short(point)}")
        return _exceptional(gdmap, eta, gdmap.hessian())
    if rational_coeffs:
        return _irrational_step(gdmap, eta, points)
    H = gdmap.hessian()
    if not (eta.is_rational and all(_rational_function(h, gdmap.state) for h in H)):
        return _balls(gdmap, eta, points)
    I = sp.eye(gdmap.dim)
    for point in points:
        Hq = H.subs(dict(zip(gdmap.state, point)))
        if any(not v.is_rational for v in Hq):
            continue  # a pole: try another point
        value = _exact_det(I - eta * Hq)
        if value != 0:
            return NonSingularity(
                Verdict.PROVEN, eta, point, value, None,
                f"det(I - eta H) = {_short(value)} != 0 at the rational point {_short(point)}")
    return _exceptional(gdmap, eta, H)


def _backprop_estimate(gdmap, eta):
    """A network evaluated in floats: the sign of det(I - eta H) at one point, not a proof."""
    import numpy as np

    point = np.array([float(v) for v in next(_rational_points(gdmap.dim, 1))])
    sign, logdet = np.linalg.slogdet(gdmap.at(eta).numeric.jacobian(point))
    value = "0" if sign == 0 else f"{'-' if sign < 0 else ''}exp({logdet:.6g})"
    return NonSingularity(
        Verdict.INCONCLUSIVE, eta, None, None, None,
        f"a network evaluated by backpropagation has no exact determinant; in floats"
        f" det(I - eta H) = {value} at a deterministic point, evidence but no proof (build it with"
        " mlp(..., symbolic=True) for the ball-arithmetic proof if it is small)")


def _rational_polynomial(expr, state) -> bool:
    """A polynomial in the state with rational coefficients (the flint path)."""
    expr = sp.expand(expr)
    return expr.is_polynomial(*state) and all(c.is_Rational for c in sp.Poly(expr, *state).coeffs())


def _rational_function(expr, state) -> bool:
    num, den = sp.fraction(sp.together(expr))
    return _rational_polynomial(num, state) and _rational_polynomial(den, state)


def _irrational_step(gdmap, eta, points):
    """A rational polynomial loss and an irrational eta: det(I - t H(q)) in Q[t], at t = eta."""
    from gdmaps.exact.algebraic import compare_exact
    from gdmaps.exact.interval import NotCertifiableError

    t = sp.Dummy("t")
    H = gdmap.hessian()
    for point in points:
        Hq = H.subs(dict(zip(gdmap.state, point)))
        p = sp.Poly((sp.eye(gdmap.dim) - t * Hq).det(method="berkowitz"), t)
        value = p.as_expr().subs(t, eta)
        try:
            sign = compare_exact(value, 0)
        except NotCertifiableError:
            continue
        if sign != 0:
            return NonSingularity(
                Verdict.PROVEN, eta, point, value, None,
                f"det(I - t H) = {_short(p.as_expr())} at the rational point {_short(point)} is a"
                f" polynomial in t, non-zero at t = eta = {eta} (certified sign {sign})")
    return _exceptional(gdmap, eta, H)


def _balls(gdmap, eta, points):
    """Analytic losses: det(I - eta H) at a rational point in ball arithmetic, excluding 0."""
    import flint

    from gdmaps.exact.interval import NotCertifiableError, interval_function, working_precision

    proof = analyticity(gdmap.loss, gdmap.state)
    kinked = not proof.analytic
    if kinked:
        by_pieces = _pieces(gdmap, eta)
        if by_pieces is not None:
            return by_pieces
    F = interval_function(gdmap.at(eta), prec=212)
    reasons = []
    for q in points:
        try:
            with working_precision(212):
                balls = [flint.arb(flint.fmpq(int(sp.numer(v)), int(sp.denom(v)))) for v in q]
                det = F.jacobian(balls).det()
                if not det.contains(0) and kinked:
                    return NonSingularity(
                        Verdict.INCONCLUSIVE, eta, q, det.str(10, radius=True), None,
                        f"det(I - eta H) = {det.str(10, radius=True)} excludes 0 at {_short(q)}, which"
                        " proves non-singularity near that point only: the loss is not proved"
                        f" analytic on R^d ({proof.reason}), so other pieces were not examined")
                if not det.contains(0):
                    return NonSingularity(
                        Verdict.PROVEN, eta, q, det.str(10, radius=True), None,
                        f"det(I - eta H) = {det.str(10, radius=True)} (a ball that excludes 0, arb"
                        f" arithmetic at 212 bits) at the rational point {_short(q)}; the loss is"
                        f" analytic on all of R^d ({proof.reason}), so the zero set of the"
                        " determinant is null")
        except NotCertifiableError as exc:
            reasons.append(str(exc))
    why = reasons[0] if reasons else "the determinant ball contained 0 at every test point"
    return NonSingularity(Verdict.INCONCLUSIVE, eta, None, None, None,
                          f"the loss is not polynomial; ball arithmetic did not decide: {why}")


def _pieces(gdmap, eta):
    """A kinked loss: non-singular on every open sign region, whose complement is null."""
    from gdmaps.certify.piecewise import polynomial_pieces

    pieces = polynomial_pieces(gdmap.loss, gdmap.state)
    if pieces is None:
        return None
    parts = []
    for piece in pieces:
        loss = sp.expand(piece.loss)
        present = [s for s in gdmap.state if s in loss.free_symbols]
        if not present:
            parts.append("constant: G = identity, det = 1")
            continue
        # H is zero in the rows and columns of absent parameters: det is the present block's
        ns = non_singularity(GDMap(loss, present), eta=eta)
        if ns.verdict is not Verdict.PROVEN:
            return NonSingularity(
                Verdict.INCONCLUSIVE, eta, None, None, None,
                f"on the piece {piece!r} of the kinked loss: {ns.verdict.value}: {ns.argument}")
        parts.append(ns.argument)
    kinks = sorted({str(z) for p in pieces for z, _ in p.signs})
    return NonSingularity(
        Verdict.PROVEN, eta, None, None, None,
        f"the loss has kinks only on the zero sets of the non-zero polynomials {_short(kinks)}, a"
        f" null set; off them it is one of {len(pieces)} pieces, each analytic on R^d with"
        f" det(I - eta H) not identically zero ({_short('; '.join(parts), 400)}), so G_eta is a"
        " local diffeomorphism off a null set on every piece")


def _short(x, limit=120):
    text = str(x)
    return text if len(text) <= limit else text[:limit] + "..."


def _exceptional(gdmap, eta, H):
    """det vanished at every test point: decide whether it vanishes identically."""
    t = sp.Symbol("t")
    D = sp.expand((sp.eye(gdmap.dim) - t * H).det(method="berkowitz"))
    coeffs = sp.Poly(sp.numer(sp.together(D)), *gdmap.state).coeffs() if D.has(*gdmap.state) \
        else [sp.numer(sp.together(D))]
    # eta is exceptional iff every coefficient (a polynomial in t) vanishes at t = eta
    g = sp.Poly(coeffs[0], t)
    for c in itertools.islice(coeffs, 1, None):
        g = sp.gcd(g, sp.Poly(c, t))
    roots = tuple(sorted(set(sp.Poly(g, t).real_roots()) - {0}, key=float)) if g.degree() > 0 else ()
    if sp.simplify(D.subs(t, eta)) == 0:
        return NonSingularity(Verdict.SINGULAR, eta, None, 0, roots,
                              "det(I - eta H) vanishes identically at this eta; the exceptional"
                              f" step sizes are {roots}")
    return NonSingularity(Verdict.INCONCLUSIVE, eta, None, None, roots,
                          "det(I - eta H) vanished at every test point but not identically;"
                          " try more points (tries=...)")
