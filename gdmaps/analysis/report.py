"""The report of an :class:`~gdmaps.analysis.pipeline.Analysis`: Markdown with LaTeX, and text.

Rendering only: every number comes from the analysis' result objects. Numbers are written
as LaTeX (exact ones) or short decimals, never as Python reprs.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import sympy as sp

from gdmaps.analysis.parts import CERTIFY_AT, DIAGRAM_GRID, SWEEP_GRID, Skipped
from gdmaps.core.symbols import exact  # text goes through the whitelist parser, never eval

__all__ = ["to_markdown", "to_text", "latex_number", "short", "FIGURES"]

#: The figures of a report: file stem -> (the part it draws, its caption).
FIGURES = {
    "phase_transition": "sweep",
    "fate_maps": "fate_maps",
    "convergent_set": "dimension",
    "bifurcation": "orbit_diagram",
}

#: Exact rationals with more digits than this are written as decimals.
_MAX_DIGITS = 8


def short(x, digits: int = 4) -> str:
    """A number as a short decimal in plain text: ``0.3333``, ``2.4e-11``, ``inf``.

    Examples
    --------
    >>> short(np.float64(1) / 3), short(sp.Rational(4053282656188571, 9007199254740992))
    ('0.3333', '0.45')
    """
    if x is None:
        return "n/a"
    if isinstance(x, sp.Basic):
        if x in (sp.oo, -sp.oo, sp.zoo):
            return "inf" if x == sp.oo else "-inf"
        x = complex(sp.N(x, 17))
        x = x.real if abs(x.imag) <= 1e-12 * max(1.0, abs(x.real)) else x
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, complex):
        return f"{short(x.real, digits)}{'+' if x.imag >= 0 else '-'}{short(abs(x.imag), digits)}i"
    x = float(x)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def latex_number(x, digits: int = 4) -> str:
    """A number as LaTeX (no dollars): exact small numbers exactly, others as short decimals.

    Examples
    --------
    >>> latex_number(sp.Rational(2, 3)), latex_number(2**sp.Rational(2, 3) / 6)
    ('\\\\frac{2}{3}', '\\\\frac{2^{\\\\frac{2}{3}}}{6} \\\\approx 0.2646')
    >>> latex_number(np.float64(2.5e-11)), latex_number(sp.Rational(4053282656188571, 9007199254740992))
    ('2.5 \\\\times 10^{-11}', '0.45')
    """
    if isinstance(x, sp.Basic) and x.is_number:
        if x in (sp.oo, -sp.oo):
            return r"\infty" if x == sp.oo else r"-\infty"
        if x.is_Integer and len(str(abs(x))) <= _MAX_DIGITS:
            return sp.latex(x)
        if x.is_Rational and len(str(abs(x.p))) + len(str(x.q)) <= _MAX_DIGITS:
            return sp.latex(x)
        if not x.is_Rational and not x.is_Float and len(str(x)) <= 30:
            return f"{sp.latex(x)} \\approx {_latex_decimal(short(x, digits))}"
    return _latex_decimal(short(x, digits))


def _latex_decimal(text: str) -> str:
    if text in ("inf", "-inf"):
        return r"\infty" if text == "inf" else r"-\infty"
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}" if e else text


def _m(x, digits: int = 4) -> str:
    return f"${latex_number(x, digits)}$"


def _point(p) -> str:
    return "$(" + ", ".join(latex_number(exact(v) if isinstance(v, (int, str)) else v) for v in p) + ")$"


def _skipped(part) -> str:
    return f"*Not computed: {part.reason}.*"


def _eta_of(value, star) -> str:
    """A step size as a multiple of eta*: ``0.9\\,\\eta^*``."""
    return f"{short(value / star, 3)}\\,\\eta^*" if star else short(value)


def to_markdown(analysis, *, figures=None) -> str:
    """The whole report; ``figures`` maps a figure stem (see :data:`FIGURES`) to its file name."""
    figures = dict(figures or {})
    a, g = analysis, analysis.gdmap
    if g.symbolic:
        head = [
            f"Loss: $L({', '.join(map(sp.latex, g.state))}) = {sp.latex(g.loss)}$",
            "## The gradient-descent map",
            "$$G_\\eta(\\theta) = \\theta - \\eta \\nabla L(\\theta):\\quad "
            + sp.latex(sp.Matrix(g.state)) + " \\mapsto " + sp.latex(g.as_matrix()) + "$$",
            "Its Jacobian $DG_\\eta = I - \\eta H$:",
            "$$" + sp.latex(a.jacobian) + "$$"]
    else:  # a network by backprop: its formula is not built
        head = [f"Loss: {g.describe()}.", "## The gradient-descent map",
                "$G_\\eta(\\theta) = \\theta - \\eta \\nabla L(\\theta)$ with Jacobian"
                " $DG_\\eta = I - \\eta H$, evaluated by backpropagation (gradients and exact"
                " Hessian-vector products)."]
    parts = [
        "# gdmaps analysis",
        *head,
        "## Critical points",
        _critical_set(a),
        "## Critical learning rate",
        _critical_rate(a),
        "## Certificates",
        _certificates(a),
        "## Fate of random initializations",
        _fates(a),
        "## Phase transition",
        _sweep(a, figures.get("phase_transition")),
        "## Fate maps",
        _fate_maps(a, figures.get("fate_maps")),
        "## How thin the convergent set is",
        _dimension(a, figures.get("convergent_set")),
        "## Past the edge of stability",
        _edge(a, figures.get("bifurcation")),
    ]
    return "\n\n".join(parts) + "\n"


def _critical_set(a) -> str:
    fp = a.critical_set
    if isinstance(fp, Skipped):
        return _skipped(fp)
    lines = ["The fixed points of the GD map are the critical points of L, for every eta"
             f" ({fp.notes}):", ""]
    H = a.gdmap.hessian()
    for c in fp.components:
        eqs = ", ".join(f"${sp.latex(e)} = 0$" for e in c.equations)
        lines.append(f"- dimension {c.dimension}: {eqs}")
        for pt in (c.points or ())[:8]:
            lam = [sp.nsimplify(v) for v in H.subs(dict(zip(a.gdmap.state, pt))).eigenvals(multiple=True)]
            kind = ("a saddle for every eta" if any(v.is_negative for v in lam) else
                    "degenerate (H = 0)" if all(v == 0 for v in lam) else "a minimum or a flat point")
            lines.append(f"  - at {_point(pt)}: Hessian eigenvalues "
                         f"${', '.join(latex_number(v) for v in lam)}$: {kind}")
    for c in fp.degenerate:
        eqs = ", ".join(f"${sp.latex(e)} = 0$" for e in c.equations)
        lines.append(f"- degenerate (H = 0, linear stability decides nothing): {eqs}")
    if fp.points:
        box = np.asarray(fp.region, dtype=float)
        lines[0] = (f"The loss is not polynomial: a numeric search ({fp.notes}) on"
                    f" $[{short(box[0, 0])}, {short(box[0, 1])}]^{{{len(box)}}}$ found {len(fp.points)}"
                    " critical points (the fixed points of the GD map, for every eta); the first 8:")
        X = np.array([np.asarray(o.points, dtype=float)[0] for o in fp.points[:8]])
        lam = np.linalg.eigvalsh(a.gdmap.numeric.hessian(X))
        scale = np.maximum(1.0, np.abs(lam).max(axis=1, keepdims=True))
        lam = np.where(np.abs(lam) <= 1e-12 * scale, 0.0, lam)  # rounding noise of a zero eigenvalue
        for o, x, ev in zip(fp.points, X, lam):
            on = "" if o.tangent is None else f", on a set of dimension {np.shape(o.tangent)[1]}"
            kind = ("a saddle" if ev.min() < -1e-9 * max(1.0, abs(ev).max()) else
                    "degenerate (H = 0)" if np.abs(ev).max() <= 1e-9 else "a minimum or a flat point")
            lines.append(f"- at $({', '.join(short(v) for v in x)})${on}: Hessian eigenvalues"
                         f" ${', '.join(latex_number(v) for v in ev)}$: {kind}")
    return "\n".join(lines)


def _critical_rate(a) -> str:
    rate = a.critical_rate
    if isinstance(rate, Skipped):
        text = _skipped(rate)
    elif rate.minima_proved is False:
        text = f"L has no global minimum, so eta* = 0 and a claim about minima is vacuous. {rate.argument}"
    else:
        bracket = ""
        if rate.certified_lower is not None:
            upper = "?" if rate.certified_upper is None else short(rate.certified_upper, 12)
            bracket = f", certified in $[{short(rate.certified_lower, 12)}, {upper}]$"
        where = "" if rate.minimizer is None else f", attained at {_point(rate.minimizer)}"
        text = (f"$\\eta^* = 2 / s_{{\\min}} = {latex_number(rate.eta_star, 6)}$ ({rate.exactness.value}"
                f"{bracket}), $s_{{\\min}} = {latex_number(rate.sharpness, 6)}${where}.\n\n{rate.argument}")
    if a.eta_reference is not None and not a.reference.startswith("eta*"):
        text += (f"\n\nThe step sizes below are fractions of the reference step size"
                 f" {_m(a.eta_reference)}: {a.reference}.")
    return text


def _certificates(a) -> str:
    certs = a.certificates
    if isinstance(certs, Skipped):
        return _skipped(certs)
    star = a.eta_reference
    lines = ["Does GD converge to the global minima from a set of initializations of measure zero?", ""]
    for factor, c in zip(CERTIFY_AT, certs):
        if isinstance(c, Skipped):
            lines.append(f"- at {short(factor, 2)} eta*: {_skipped(c)}")
            continue
        lines.append(f"- at $\\eta = {latex_number(c.eta, 6)} \\approx {_eta_of(float(c.eta), star)}$:"
                     f" **{c.status.value}**: {c.reason}")
    return "\n".join(lines)


def _fates(a) -> str:
    runs = a.fates
    if isinstance(runs, Skipped):
        return _skipped(runs)
    s = a.settings
    init = s["init"]
    box = np.asarray(s["region"], dtype=float)
    centre, half = box.mean(axis=1), (box[:, 1] - box[:, 0]) / 2
    if init == "normal":
        where = (f"$N({short(centre[0])}, {short(half[0])}^2)$ per coordinate"
                 if np.ptp(centre) == 0 and np.ptp(half) == 0 else "normal around the region's centre")
    else:
        where = (f"uniform on $[{short(box[0, 0])}, {short(box[0, 1])}]^{{{len(box)}}}$"
                 if np.ptp(box[:, 0]) == 0 and np.ptp(box[:, 1]) == 0 else "uniform in the region")
    star = a.eta_reference
    ref = "eta*" if a.reference.startswith("eta*") else "eta_ref"
    rows = [f"{runs[0].starts} initializations ({where}, seed {s['seed']}), {runs[0].steps} steps each;"
            f" {runs[0].rule}.", "",
            f"| eta | eta / {ref} | converged | diverged | moving | stalled at an unstable point"
            " | median asymptotic grad norm |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        c, med = r.counts, r.summary()["asymptotic_grad_norm"]
        ratio = short(r.eta / star, 3) if star else "n/a"
        rows.append(f"| {short(r.eta)} | {ratio} | {c['converged']} | {c['diverged']} | {c['moving']}"
                    f" | {c.get('unstable', 0)} | {'n/a' if med is None else short(med['median'], 3)} |")
    return "\n".join(rows)


def _image(name, file, alt) -> str:
    return f"\n\n![{alt}]({file})" if file else ""


def _sweep(a, file) -> str:
    s = a.sweep
    if isinstance(s, Skipped):
        return _skipped(s)
    lo, hi, count = SWEEP_GRID
    of = "eta*" if a.reference.startswith("eta*") else "the reference step size"
    text = (f"Convergent fraction (95% Clopper-Pearson interval) and the asymptotic gradient norm at"
            f" {count} step sizes from {lo:g} to {hi:g} times {of}"
            f" ({short(s.etas.min())} to {short(s.etas.max())}), {s.rows[0].starts} starts each")
    text += ("; eta* is the dashed line." if s.eta_star is not None else
             "; no eta* is drawn (none was found).")
    if s.eta_star is not None:
        past = [r.fraction for r in s.rows if r.eta > s.eta_star]
        below = [r.fraction for r in s.rows if r.eta < s.eta_star]
        if past:
            most = max(past)
            text += (" Past eta*, " + ("none of the starts converge" if most == 0 else
                                        f"at most a share {short(most, 3)} of the starts converge"))
            text += f" (below it, up to {short(max(below), 3)})." if below else "."
    return text + _image("phase_transition", file, "phase transition")


def _fate_maps(a, file) -> str:
    maps = a.fate_maps
    if isinstance(maps, Skipped):
        return _skipped(maps)
    m = maps[0]
    box = m.box
    where = (f"$({m.names[0]}, {m.names[1]}) \\in [{short(box[0, 0])}, {short(box[0, 1])}] \\times"
             f" [{short(box[1, 0])}, {short(box[1, 1])}]$")
    if a.gdmap.dim > 2:
        others = [f"{n} = {short(v)}" for i, (n, v) in enumerate(zip(a.gdmap.state, m.at)) if i not in m.dims]
        where += f" (a slice: {', '.join(others)}; the orbits move in all {a.gdmap.dim} coordinates)"
    star = a.eta_reference
    lines = [f"The fate of GD from every point of a {m.resolution} x {m.resolution} grid on {where},"
             f" {m.steps} steps, below and above eta*:", ""]
    for fm in maps:
        sh = fm.shares
        lines.append(f"- at $\\eta = {_eta_of(fm.eta, star)} = {short(fm.eta)}$: converged"
                     f" {100 * sh['converged']:.1f}%, diverged {100 * sh['diverged']:.1f}%,"
                     f" moving {100 * sh['moving']:.1f}%, stalled at an unstable point"
                     f" {100 * sh['unstable']:.1f}%")
    return "\n".join(lines) + _image("fate_maps", file, "fate maps")


def _dimension(a, file) -> str:
    res = a.dimension
    if isinstance(res, Skipped):
        return _skipped(res)
    width, upper = res.finest
    box = np.asarray(a.settings["box"], dtype=float)
    return (f"At $\\eta = {_eta_of(res.eta, a.eta_reference)}$, the starts that converge form a set of"
            f" dimension {short(res.dimension, 3)} +- {short(res.dimension_stderr, 2)} in {res.dim}-D"
            f" (sprinkler estimate from {res.starts} uniform starts on"
            f" $[{short(box[0, 0])}, {short(box[0, 1])}]^{{{res.dim}}}$); the starts within about"
            f" {short(width, 2)} of it are at most {short(upper, 2)} of the box (one-sided 95% on the"
            f" sampling; the width is known up to a constant factor)."
            + _image("convergent_set", file, "convergent set"))


def _edge(a, file) -> str:
    d = a.orbit_diagram
    if isinstance(d, Skipped):
        return _skipped(d)
    lo, hi, count = DIAGRAM_GRID
    box = np.asarray(a.settings["box"], dtype=float)
    of = "eta*" if a.reference.startswith("eta*") else "the reference step size"
    text = (f"The last {d.keep} of {d.transient + d.keep} iterates of {d.diverged.shape[1]} uniform starts"
            f" on $[{short(box[0, 0])}, {short(box[0, 1])}]^{{{a.gdmap.dim}}}$ at {count} step sizes from"
            f" {lo:g} to {hi:g} times {of}")
    lam = a.lyapunov
    if isinstance(lam, Skipped):
        text += f". Lyapunov exponents: {_skipped(lam)}"
    else:
        onset = a.chaos_onset
        where = ("the largest Lyapunov exponent stays <= 0 up to"
                 f" {hi:g} times {of}" if onset is None else
                 f"the largest Lyapunov exponent is first positive at eta = {short(onset)}"
                 f" = {short(onset / a.eta_reference, 3)} times {of}")
        text += (f", and the largest Lyapunov exponent (QR method, {lam.steps} steps) of one bounded orbit"
                 f" per step size; {where}.")
    return text + _image("bifurcation", file, "bifurcation")


def to_text(analysis) -> str:
    """A short plain-text summary, as the command line prints it."""
    a, g = analysis, analysis.gdmap
    if g.symbolic:
        lines = [f"loss      L = {g.loss}",
                 "GD map    " + ", ".join(f"{s} -> {e}" for s, e in zip(g.state, g.exprs)),
                 "Jacobian  I - eta*H = " + str(a.jacobian.tolist())]
    else:
        lines = [f"loss      {g.describe()}"]
    rate = a.critical_rate
    if isinstance(rate, Skipped):
        lines.append(f"eta*      not computed: {rate.reason}")
    else:
        lines.append(f"eta*      {rate.eta_star} ({rate.exactness.value}), ~ {short(rate.eta_star, 6)}")
    if not isinstance(a.certificates, Skipped):
        for c in a.certificates:
            if not isinstance(c, Skipped):
                lines.append(f"certify   eta = {c.eta} ({short(c.eta)}): {c.status.value}")
    if not isinstance(a.fates, Skipped):
        r0 = a.fates[0]
        lines.append(f"fates of {r0.starts} initializations ({a.settings['init']}, seed"
                     f" {a.settings['seed']}), {r0.steps} steps:")
        for r in a.fates:
            c = r.counts
            lines.append(f"  eta = {short(r.eta):<8} converged {c['converged']:>6}  diverged"
                         f" {c['diverged']:>6}  moving {c['moving']:>6}  unstable {c.get('unstable', 0):>6}")
    if not isinstance(a.dimension, Skipped):
        lines.append(f"dimension of the convergent set at {short(a.dimension.eta)}:"
                     f" {short(a.dimension.dimension, 3)} +- {short(a.dimension.dimension_stderr, 2)}")
    if a.chaos_onset is not None:
        lines.append(f"chaos     first positive Lyapunov exponent at eta = {short(a.chaos_onset)}")
    for part, reason in a.skipped.items():
        lines.append(f"skipped   {part}: {reason}")
    return "\n".join(lines)
