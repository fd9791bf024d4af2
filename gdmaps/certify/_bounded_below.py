"""Proofs that a polynomial loss is bounded below and attains its minimum."""

from __future__ import annotations

import sympy as sp

from gdmaps.certify.sos import sos_residuals

__all__ = ["bounded_below", "dominant_pure_powers"]


def bounded_below(poly, state, value, loss):
    """(True, why) when the lowest critical value is proved to be the global minimum."""
    if len(state) == 1:
        return True, "an even-degree univariate polynomial with positive leading coefficient is coercive"
    deg = poly.total_degree()
    top = sum(c * sp.Mul(*(v ** e for v, e in zip(state, m)))
              for m, c in poly.terms() if sum(m) == deg)
    if len(state) == 2 and deg % 2 == 0 and _positive_binary_form(top, state):
        return True, "its leading form is positive definite, so L is coercive and attains its minimum"
    if dominant_pure_powers(poly, state):
        return True, ("each variable has a pure even power with a positive coefficient and every other"
                      " monomial lies strictly inside their Newton simplex, so L is coercive (weighted"
                      " AM-GM) and attains its minimum")
    if value == 0 and _sum_of_squares(loss, state):
        return True, "L is a sum of squares with positive weights, so L >= 0 = the lowest critical value"
    if _coercive_squares(loss, state):
        return True, ("L is a sum of squares with positive weights, and its affine residuals alone"
                      " have linear parts spanning R^d, so L >= c |theta|^2 - C: coercive, and it"
                      " attains its minimum")
    return None, "L is not proved bounded below, so these points are not proved to be global minima"


def dominant_pure_powers(poly, state):
    """x_k^(2 m_k) with positive coefficients for every k, other monomials with sum i_k/(2 m_k) < 1.

    Then |c x^i| <= eps sum_k x_k^(2 m_k) + C_eps (weighted AM-GM), so L is coercive.
    """
    terms = dict(poly.terms())
    pure = []
    for k in range(len(state)):
        powers = [m[k] for m in terms if m[k] > 0 and sum(m) == m[k]]
        if not powers:
            return False
        top = max(powers)
        if top % 2 or not terms[tuple(top if j == k else 0 for j in range(len(state)))] > 0:
            return False
        pure.append(top)
    return all(sum(sp.Rational(m[k], pure[k]) for k in range(len(state))) < 1
               for m in terms if not any(m == tuple(p if j == k else 0 for j in range(len(state)))
                                         for k, p in enumerate(pure)))


def _positive_binary_form(form, state):
    x, y = state
    s = sp.Dummy("s")
    f = sp.Poly(form.subs({x: s, y: 1}), s)
    return bool(form.subs({x: 1, y: 0}) > 0 and f.degree() == sp.Poly(form, x, y).total_degree()
                and not f.real_roots() and f.eval(0) > 0)


def _coercive_squares(loss, state):
    """L = sum c_j r_j^2 (c_j > 0) where the affine r_j have gradients spanning R^d."""
    terms = sos_residuals(loss, tuple(state))
    if terms is None:
        return False
    rows = [[sp.diff(r, v) for v in state] for _, r in terms
            if sp.Poly(r, *state).total_degree() <= 1]
    return bool(rows) and sp.Matrix(rows).rank() == len(state)


def _sum_of_squares(loss, state):
    return sos_residuals(loss, tuple(state)) is not None
