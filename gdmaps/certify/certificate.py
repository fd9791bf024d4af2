"""Measure-zero certificates: GD converges into the target set from a null set of starts."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sympy as sp

from gdmaps.exact.algebraic import compare_exact
from gdmaps.certify.critical import Exactness, critical_learning_rate
from gdmaps.core.errors import GdmapsError, InvalidTypeError, check_choice
from gdmaps.core.gd import GDMap, step_of
from gdmaps.exact.interval import NotCertifiableError
from gdmaps.certify.non_singularity import Verdict, _short, non_singularity
from gdmaps.core.results import Result

__all__ = ["Status", "Step", "Certificate", "certify_measure_zero", "REFERENCES"]

TARGETS = ("global-minima", "critical-points")

REFERENCES = (
    "G. Craciun and D. Ghoshdastidar, On the Convergence of Gradient Descent for Large"
    " Learning Rates, arXiv:2402.13108.",
    "J. D. Lee, M. Simchowitz, M. I. Jordan and B. Recht, Gradient Descent Only Converges to"
    " Minimizers, COLT 2016.",
    "I. Panageas and G. Piliouras, Gradient Descent Only Converges to Minimizers: Non-Isolated"
    " Critical Points and Invariant Regions, ITCS 2017.",
    "M. Shub, Global Stability of Dynamical Systems, Springer 1987 (center-stable manifold"
    " theorem, Thm. III.7).",
)


class Status(enum.Enum):
    HOLDS = "holds"                #: every hypothesis was established
    FAILS = "fails"                #: a witness shows the conclusion is false
    INCONCLUSIVE = "inconclusive"  #: a hypothesis could not be established


@dataclass(frozen=True, eq=False)
class Step(Result):
    """One hypothesis of the argument: established (True), refuted (False) or open (None)."""

    name: str
    established: bool | None
    evidence: str


@dataclass(frozen=True, repr=False, eq=False)
class Certificate(Result):
    """The verdict of :func:`certify_measure_zero`, each step with its evidence."""

    status: Status
    eta: object
    target: str
    loss: object
    steps: tuple
    reason: str
    witness: dict | None = None
    #: The critical learning rate and the non-singularity verdict the steps rest on.
    critical: object = None
    non_singularity: object = None

    def __repr__(self) -> str:
        return f"<Certificate {self.status.value.upper()} at eta = {self.eta} ({self.target}): {self.reason}>"

    def latex(self) -> str:
        """The claim, its step size beside eta*, and the verdict."""
        star = "" if self.critical is None else f",\\quad {self.critical.latex()}"
        return (rf"L = {sp.latex(self.loss)},\quad \eta = {sp.latex(self.eta)}{star}"
                rf"\quad\Rightarrow\quad \text{{{self.status.value.upper()}}}")

    def to_markdown(self) -> str:
        what = "global minima" if self.target == "global-minima" else "critical points"
        lines = [f"# Measure-zero certificate: {self.status.value.upper()}", "",
                 f"Loss $L = {sp.latex(self.loss)}$, step size $\\eta = {sp.latex(self.eta)}$.", "",
                 f"**Claim.** The set of initializations from which gradient descent converges to"
                 f" the {what} of $L$ has Lebesgue measure zero.", "",
                 f"**Verdict: {self.status.value}.** {self.reason}", ""]
        for i, st in enumerate(self.steps, 1):
            mark = {True: "established", False: "refuted", None: "not established"}[st.established]
            lines += [f"{i}. **{st.name}** ({mark}). {_plain_markdown(st.evidence)}"]
        if self.status is Status.HOLDS:
            lines += ["", "**Conclusion.** By the center-stable manifold theorem each point of the"
                      " target set has a local center-stable manifold of dimension < d; a countable"
                      " subcover (Lindelöf) and non-singularity make the set of initializations"
                      " converging into the target a countable union of preimages of null sets,"
                      " hence null (Lee et al. 2016; Panageas & Piliouras 2017)."]
        lines += ["", "References:"] + [f"- {r}" for r in REFERENCES]
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        what = "global minima" if self.target == "global-minima" else "critical points"
        items = "\n".join(
            f"  \\item \\textbf{{{_tex(st.name)}}} "
            f"({ {True: 'established', False: 'refuted', None: 'not established'}[st.established]}). "
            f"{_tex(st.evidence)}" for st in self.steps)
        concl = ("By the center-stable manifold theorem \\cite{shub}, a Lindel\\\"of subcover and"
                 " non-singularity, the set of initializations converging into the target set is a"
                 " countable union of preimages of null sets, hence null \\cite{lee2016,panageas2017}."
                 if self.status is Status.HOLDS else _tex(self.reason))
        return (
            "\\begin{proposition}\n"
            f"Let $L = {sp.latex(self.loss)}$ and $\\eta = {sp.latex(self.eta)}$. The set of"
            f" initializations from which gradient descent converges to the {what} of $L$ has"
            " Lebesgue measure zero.\n\\end{proposition}\n"
            f"\\noindent\\textbf{{Verdict: {self.status.value}.}}\n"
            "\\begin{proof}[Certificate]\n\\begin{enumerate}\n" + items + "\n\\end{enumerate}\n"
            + concl + "\n\\end{proof}\n")


def _tex(text: str) -> str:
    return text.replace("_", "\\_").replace("^", "\\^{}").replace("#", "\\#")


def _compare(eta, eta_star):
    """Sign of eta - eta*, certified (exact numbers; see :func:`compare_exact`)."""
    try:
        return compare_exact(eta, eta_star)
    except NotCertifiableError:
        return None


def _side_of_bracket(eta, crit):
    """+1 above a certified upper bound of eta*, -1 below a certified lower bound, else None."""
    if crit.certified_upper is not None and _compare(eta, sp.Rational(crit.certified_upper)) == 1:
        return 1
    if crit.certified_lower is not None and _compare(eta, sp.Rational(crit.certified_lower)) == -1:
        return -1
    return None


_MINIMA = "Every global minimum is unstable"


def _minima_step(crit, eta):
    if crit.minima_proved is False:
        return Step(_MINIMA, True, f"vacuously: L has no global minimum. {crit.argument}"), None
    if crit.exactness is Exactness.EXACT:
        if crit.sharpness == 0:
            return Step(_MINIMA, None,
                        "s_min = 0: the flattest minima have H = 0 in every direction, where"
                        " linear stability decides nothing"), None
        sign, value = _compare(eta, crit.eta_star), f"eta* = {crit.eta_star}"
    else:
        sign = _side_of_bracket(eta, crit)
        value = (f"eta* in [{crit.certified_lower!r}, {crit.certified_upper!r}] (certified)"
                 if crit.certified_lower is not None or crit.certified_upper is not None
                 else f"eta* ~ {float(crit.eta_star):.6g} ({crit.exactness.value})")
    among = ("" if crit.minima_proved else
             " (the global minima, if L has any, are among the critical points considered)")
    if sign == 1:
        s_min = (f"= {crit.sharpness}" if crit.exactness is Exactness.EXACT else
                 f">= 2/{crit.certified_upper!r} (proved; the flattest minimum found has {crit.sharpness})")
        return Step(_MINIMA, True,
                    f"eta = {eta} > {value} = 2/s_min with s_min {s_min}: at every global"
                    f" minimum{among} lambda_max(H) >= s_min > 2/eta, so DG has the multiplier"
                    f" 1 - eta lambda_max < -1. {crit.argument}"), None
    if sign is None:
        return Step(_MINIMA, None,
                    f"eta = {eta} is not separated from {value}: {crit.argument}"), None
    if sign == 0:
        return Step(_MINIMA, None,
                    f"eta = {value}: the flattest minimum has the multiplier -1; linear stability"
                    " decides nothing there"), None
    if not crit.morse_bott:
        return Step(_MINIMA, None,
                    f"eta = {eta} < {value}: the flattest minimum is not unstable, but its Hessian may"
                    " vanish on directions that leave the minima, so that it attracts an open set is"
                    f" not shown. {crit.argument}"), None
    if crit.minima_proved is not True:
        return Step(_MINIMA, None,
                    f"eta = {eta} < {value}: the flattest point at the lowest critical value is"
                    " linearly stable, but L is not proved bounded below, so it is not proved to be a"
                    f" global minimum. {crit.argument}"), None
    mult = 1 - eta * crit.sharpness
    mult = sp.simplify(mult) if crit.exactness is Exactness.EXACT else float(mult)
    witness = {"point": crit.minimizer, "lambda_max": crit.sharpness,
               "normal_multiplier": mult, "eta_star": crit.eta_star}
    return Step(_MINIMA, False,
                f"eta = {eta} < {value}: the flattest minimum {crit.minimizer} has lambda_max(H) ="
                f" {crit.sharpness} < 2/eta; the Hessian is positive on the normal space of the"
                " minima (Morse-Bott), so every normal multiplier 1 - eta lambda_i lies in"
                f" [{mult}, 1) inside (-1, 1) while the tangent ones equal 1: the minima are"
                f" normally attracting and attract an open set. {crit.argument}"), witness


def _other_critical_step(gdmap, eta, crit):
    from gdmaps.certify.critical_poly import polynomial_minima

    if not gdmap.symbolic:
        return Step("Every other critical point is unstable", None,
                    "the critical set of a network evaluated by backpropagation is not computed"
                    " (it has no symbolic critical set; build it with symbolic=True if it is small)")
    m = polynomial_minima(gdmap)
    if m is not None and m.others is not None:
        return _other_isolated(m.others, eta)
    return _other_by_components(gdmap, eta, crit)


def _other_isolated(others, eta):
    """Finitely many critical points, each with certified Hessian spectrum balls."""
    from gdmaps.exact.algebraic import exact_ball

    name = "Every other critical point is unstable"
    sharp = exact_ball(2 / eta)
    evidence = []
    for point, value, lo, hi in others:
        where = _short(point)
        if lo < 0:
            evidence.append(f"{where}: lambda_min(H) in {lo.str(6, radius=True)} < 0 (a saddle"
                            " or a maximum)")
        elif hi > sharp:
            evidence.append(f"{where}: lambda_max(H) in {hi.str(6, radius=True)} > 2/eta")
        else:
            return Step(name, None, f"the critical point {where} (L = {_short(value)}, Hessian"
                        f" spectrum in [{lo.str(6, radius=True)}, {hi.str(6, radius=True)}]) is"
                        " not shown unstable")
    return Step(name, True, "; ".join(evidence) or "there are no other critical points")


def _other_by_components(gdmap, eta, crit):
    from gdmaps.orbits.fixed_points import fixed_points

    try:
        fp = fixed_points(gdmap)
    except GdmapsError as exc:
        return Step("Every other critical point is unstable", None, f"the critical set is unknown: {exc}")
    L_min = None
    if crit.minimizer is not None:
        L_min = sp.simplify(gdmap.loss.subs(dict(zip(gdmap.state, crit.minimizer))))
    if fp.degenerate:
        where = "; ".join(", ".join(f"{e} = 0" for e in c.equations) for c in fp.degenerate)
        return Step("Every other critical point is unstable", None,
                    f"H vanishes at the critical points where {where}: there DG = I, no multiplier"
                    " leaves the unit circle, and linear stability cannot show instability")
    evidence = []
    for c in fp.components:
        sample = c.equations
        if L_min is not None and c.dimension > 0:
            # the loss is constant on an irreducible component of critical points: one point decides
            point = _solve_one(c, gdmap.state)
            if point and sp.simplify(gdmap.loss.subs(point) - L_min) == 0:
                continue
        if c.dimension > 0:
            return Step("Every other critical point is unstable", None,
                        f"the positive-dimensional critical set {', '.join(f'{e} = 0' for e in sample)}"
                        " is not shown unstable at every point")
        for pt in c.points:
            H = gdmap.hessian().subs(dict(zip(gdmap.state, pt)))
            lam = [sp.simplify(v) for v in H.eigenvals(multiple=True)]
            if L_min is not None and sp.simplify(gdmap.loss.subs(dict(zip(gdmap.state, pt))) - L_min) == 0:
                continue
            if any(v.is_negative for v in lam):
                evidence.append(f"{pt}: a saddle, Hessian eigenvalues {lam} include a negative one")
            elif any((_compare(eta, 2 / v) or 0) > 0 for v in lam if v.is_positive):
                evidence.append(f"{pt}: Hessian eigenvalue {max(lam)} > 2/eta")
            else:
                return Step("Every other critical point is unstable", None,
                            f"the critical point {pt} (Hessian eigenvalues {lam}) is not shown unstable")
    return Step("Every other critical point is unstable", True,
                "; ".join(evidence) or "there are no other critical points")


def _solve_one(component, state):
    sol = sp.solve(list(component.equations), list(state), dict=True)
    return sol[0] if sol else None


def certify_measure_zero(gdmap, *, eta=None, target="global-minima") -> Certificate:
    """Decide whether GD converges into the target set from a null set of initializations.

    Parameters
    ----------
    gdmap : GDMap
    eta : positive number, keyword-only
        Read exactly (0.1 is 1/10); the map's own step size when left out.
    target : {"global-minima", "critical-points"}, keyword-only

    Returns
    -------
    Certificate
        HOLDS only when every step is established; FAILS with a witness (a stable
        minimum) when the claim is false; INCONCLUSIVE naming the missing step.

    Examples
    --------
    >>> from gdmaps.models import scalar_chain
    >>> certify_measure_zero(scalar_chain(2, 1), eta=1.2).status
    <Status.HOLDS: 'holds'>
    >>> certify_measure_zero(scalar_chain(2, 1), eta=0.9).status
    <Status.FAILS: 'fails'>
    >>> certify_measure_zero(scalar_chain(3, 1), eta=1.2, target="critical-points").status
    <Status.INCONCLUSIVE: 'inconclusive'>

    Notes
    -----
    The argument of arXiv 2402.13108: (1) det(I - eta H) is not identically zero, so
    G_eta is non-singular; (2) every point of the target set has rho(DG) > 1, so its
    center-stable manifold has dimension < d; (3) a countable subcover makes the
    set of initializations converging into the target a null set.
    """
    if not isinstance(gdmap, GDMap):
        raise InvalidTypeError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    check_choice("target", target, TARGETS)
    eta = step_of(gdmap, eta)
    ns = non_singularity(gdmap, eta=eta)
    proven = ns.verdict is Verdict.PROVEN
    steps = [Step("The GD map is non-singular", True if proven else None,
                  ns.argument if proven else f"{ns.verdict.value}: {ns.argument}")]
    crit = critical_learning_rate(gdmap)
    minima, witness = _minima_step(crit, eta)
    steps.append(minima)
    if target == "critical-points":
        steps.append(_other_critical_step(gdmap, eta, crit))
    if crit.minima_proved is False and target == "global-minima":
        status, reason = Status.HOLDS, "vacuously: L has no global minimum"
    elif minima.established is False:
        status, reason = Status.FAILS, ("a global minimum is linearly stable, so GD converges to"
                                        " the minima from a set of positive measure")
    elif all(s.established for s in steps):
        status, reason = Status.HOLDS, "every hypothesis is established"
    else:
        missing = next(s for s in steps if not s.established)
        status, reason = Status.INCONCLUSIVE, f"not established: {missing.name.lower()}"
    loss = gdmap.loss if gdmap.symbolic else gdmap.describe()  # a network: its description
    return Certificate(status, eta, target, loss, tuple(steps), reason, witness, crit, ns)


def _plain_markdown(text: str) -> str:
    r"""Evidence written in plain text, safe in Markdown: ``*`` and ``_`` (as in ``P**2``, ``w_i``)
    are not emphasis.

    >>> _plain_markdown("q(P) = P**2/2 at w_i")
    'q(P) = P\\*\\*2/2 at w\\_i'
    """
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
