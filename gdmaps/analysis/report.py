"""The main job: what gradient descent does on one loss, as a readable report."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from gdmaps.core.errors import GdmapsError, InvalidTypeError, check_int, check_positive_finite
from gdmaps.core.gd import GDMap
from gdmaps.basins.iterate import IterationResult, iterate
from gdmaps.core.samplers import sample
from gdmaps.core.results import Result

__all__ = ["Analysis", "analyze", "DEFAULT_ETAS"]

#: Step sizes tried when none are given: both sides of eta* = 1 of the default example.
DEFAULT_ETAS = (0.25, 0.5, 0.9, 1.1, 1.5)


@dataclass(frozen=True, repr=False, eq=False)
class Analysis(Result):
    """The report of :func:`analyze`: the map, its Jacobian and fates per step size."""

    gdmap: GDMap
    runs: tuple[IterationResult, ...]
    init: str
    seed: int
    sections: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict:
        """JSON-ready contents."""
        return {"loss": str(self.gdmap.loss), "params": [str(s) for s in self.gdmap.state],
                "map": [str(e) for e in self.gdmap.exprs],
                "jacobian": [[str(v) for v in row] for row in self.gdmap.jacobian().tolist()],
                "init": self.init, "seed": self.seed,
                "runs": [r.summary() for r in self.runs]}

    def fate_table(self) -> str:
        """The fates per step size as a Markdown table."""
        rows = ["| eta | converged | diverged | moving | stalled at an unstable point"
                " | median asymptotic grad norm |",
                "|---:|---:|---:|---:|---:|---:|"]
        for r in self.runs:
            c, s = r.counts(), r.summary()["asymptotic_grad_norm"]
            med = "n/a" if s is None else f"{s['median']:.3g}"
            rows.append(f"| {r.eta:g} | {c['converged']} | {c['diverged']} | {c['moving']}"
                        f" | {c.get('unstable', 0)} | {med} |")
        return "\n".join(rows)

    def to_markdown(self) -> str:
        """The report as Markdown, with LaTeX formulas."""
        g = self.gdmap
        n, steps = self.runs[0].n, self.runs[0].steps
        parts = [
            "# gdmaps analysis",
            f"Loss: $L({', '.join(map(sp.latex, g.state))}) = {sp.latex(g.loss)}$",
            "## The gradient-descent map",
            "$$G_\\eta(\\theta) = \\theta - \\eta \\nabla L(\\theta):\\quad "
            + sp.latex(sp.Matrix(g.state)) + " \\mapsto " + sp.latex(g.as_matrix()) + "$$",
            "Its Jacobian $DG_\\eta = I - \\eta H$:",
            "$$" + sp.latex(g.jacobian()) + "$$",
            "## Fate of random initializations",
            f"{n} initializations ({self.init}, seed {self.seed}), {steps} steps each.",
            self.fate_table(),
        ]
        for title, body in self.sections:
            parts += [f"## {title}", body]
        return "\n\n".join(parts) + "\n"

    def __str__(self) -> str:
        g = self.gdmap
        lines = [f"loss      L = {g.loss}", "GD map    " + ", ".join(
            f"{s} -> {e}" for s, e in zip(g.state, g.exprs)),
            "Jacobian  I - eta*H = " + str(g.jacobian().tolist()),
            f"fates of {self.runs[0].n} initializations ({self.init}, seed {self.seed}),"
            f" {self.runs[0].steps} steps:"]
        for r in self.runs:
            c = r.counts()
            lines.append(f"  eta = {r.eta:<6g} converged {c['converged']:>6}  diverged "
                         f"{c['diverged']:>6}  moving {c['moving']:>6}  unstable {c.get('unstable', 0):>6}")
        return "\n".join(lines)

    __repr__ = __str__


def analyze(gdmap, etas=DEFAULT_ETAS, *, n=1000, steps=1000, init="normal", scale=1.0,
            seed=0) -> Analysis:
    """Run the main pipeline on a GD map: the map, its Jacobian, and fates per step size.

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> report = analyze(GDMap((a*b - 1)**2 / 2, [a, b]), [0.5, 1.2], n=200)
    >>> [r.counts()["converged"] > 0 for r in report.runs]
    [True, False]
    """
    if not isinstance(gdmap, GDMap):
        raise InvalidTypeError(f"gdmap must be a GDMap, got {type(gdmap).__name__}")
    etas = [check_positive_finite("etas", e) for e in np.atleast_1d(etas)]
    n, steps = check_int("n", n, minimum=1), check_int("steps", steps, minimum=1)
    x0 = sample(init, n, gdmap.dim, scale=scale, seed=seed)
    runs = tuple(iterate(gdmap.at(eta), x0, steps) for eta in etas)
    label = f"N(0, {scale:g}^2)" if init == "normal" else f"uniform on [-{scale:g}, {scale:g}]^d"
    return Analysis(gdmap, runs, label, seed,
                    sections=_fixed_point_section(gdmap) + _certificate_section(gdmap))


def _certificate_section(gdmap):
    """eta* and the measure-zero certificate at 0.9 eta* and 1.1 eta*."""
    from gdmaps.certify.certificate import certify_measure_zero
    from gdmaps.certify.critical import critical_learning_rate

    if gdmap.dim > 12:
        return ()
    try:
        crit = critical_learning_rate(gdmap)
    except GdmapsError:
        return ()
    if not np.isfinite(float(crit.eta_star)):
        return (("Critical learning rate", f"s_min = 0: no finite eta* ({crit.argument})"),)
    lines = [f"$\\eta^* = {sp.latex(crit.eta_star)}$ ({crit.exactness.value}),"
             f" $s_{{\\min}} = {sp.latex(crit.sharpness)}$, attained at {crit.minimizer}.", "",
             crit.argument, ""]
    for factor in (sp.Rational(9, 10), sp.Rational(11, 10)):
        eta = sp.nsimplify(sp.Rational(sp.N(factor * crit.eta_star, 15)))
        cert = certify_measure_zero(gdmap, eta)
        lines.append(f"- at $\\eta = {sp.latex(eta)}$ ({factor} eta*): **{cert.status.value}**:"
                     f" {cert.reason}")
    return (("Critical learning rate and certificates", "\n".join(lines)),)


def _fixed_point_section(gdmap):
    """The exact critical set, when the loss is polynomial and small enough."""
    from gdmaps.orbits.fixed_points import fixed_points

    if gdmap.dim > 6:
        return ()
    try:
        fp = fixed_points(gdmap)
    except GdmapsError:
        return ()
    lines = ["The fixed points of the GD map are the critical points of L, for every eta"
             f" ({fp.notes}):", ""]
    for c in fp.components:
        eqs = ", ".join(f"${sp.latex(e)} = 0$" for e in c.equations)
        lines.append(f"- dimension {c.dimension}: {eqs}")
        for pt in (c.points or ())[:8]:
            H = gdmap.hessian().subs(dict(zip(gdmap.state, pt)))
            lam = [sp.nsimplify(v) for v in H.eigenvals(multiple=True)]
            kind = ("a saddle for every eta" if any(v.is_negative for v in lam) else
                    "degenerate" if all(v == 0 for v in lam) else "a minimum or flat point")
            lines.append(f"  - at ${sp.latex(sp.Tuple(*pt))}$: Hessian eigenvalues "
                         f"${', '.join(sp.latex(v) for v in lam)}$: {kind}")
    for c in fp.degenerate:
        eqs = ", ".join(f"${sp.latex(e)} = 0$" for e in c.equations)
        lines.append(f"- degenerate (H = 0, linear stability decides nothing): {eqs}")
    return (("Fixed points", "\n".join(lines)),)
