"""Losses that are visibly sums of squares: L = sum_j c_j r_j^2 with c_j > 0, read off the syntax."""

from __future__ import annotations

import sympy as sp

__all__ = ["sos_residuals"]


def sos_residuals(expr, state, *, analytic=False):
    """``[(c_j, r_j)]`` with ``expr == sum_j c_j r_j**2`` syntactically, or None.

    Accepted: sums of terms ``c * f_1**(2 k_1) * ... * f_n**(2 k_n)`` with ``c`` a positive
    Rational or Float, and ``c * (sum of such terms)``; each ``r_j = prod f_i**k_i`` must be a
    polynomial in the state with real coefficients, or with ``analytic=True`` proved real-analytic
    on R^d (tanh, exp, ...: :mod:`gdmaps.certify.analyticity`), so L >= 0 for every real theta. Nothing
    is expanded: losses that are sums of squares only after algebra are refused (None).
    """
    if expr.is_Add:
        out = []
        for arg in expr.args:
            part = sos_residuals(arg, state, analytic=analytic)
            if part is None:
                return None
            out += part
        return out
    c, rest = expr.as_coeff_Mul()
    if not (c.is_Rational or c.is_Float) or not c > 0:
        return None
    if rest.is_Add:
        part = sos_residuals(rest, state, analytic=analytic)
        return None if part is None else [(c * cj, rj) for cj, rj in part]
    r = sp.S.One
    for f in sp.Mul.make_args(rest):
        if not (f.is_Pow and f.exp.is_Integer and f.exp > 0 and f.exp % 2 == 0):
            return None
        r *= f.base ** (f.exp // 2)
    if not r.free_symbols <= set(state) or r.has(sp.I):
        return None
    if not r.is_polynomial(*state):
        from gdmaps.certify.analyticity import analyticity

        return [(c, r)] if analytic and analyticity(r, state).analytic else None
    if not all(co.is_real for co in sp.Poly(r, *state).coeffs()):
        return None
    return [(c, r)]
