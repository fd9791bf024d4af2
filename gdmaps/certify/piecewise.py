"""A kinked loss as finitely many smooth pieces on open sign regions.

``Max``, ``Min`` and ``Abs`` are kinks: analyticity fails on the zero set of their
argument. Choosing the sign of every kink argument (inner kinks first, so nested ReLUs
resolve) writes the loss on each open region ``{s_j z_j > 0}`` as one kink-free
expression. Where every argument is a non-zero polynomial, the regions cover R^d up to
the null set ``{z_j = 0}``, which is what the measure-zero argument needs: the GD map is
analytic on each region, and the boundaries are null.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from gdmaps.core.errors import InvalidArgumentError

__all__ = ["Piece", "polynomial_pieces"]

#: The most pieces enumerated before giving up (2 per kink argument, pruned by consistency).
MAX_PIECES = 256


@dataclass(frozen=True, eq=False)
class Piece:
    """The loss on one open sign region.

    Attributes
    ----------
    signs : tuple of (SymPy expression z, +1 or -1)
        The region is ``{theta : sign * z(theta) > 0 for every pair}``.
    loss : SymPy expression
        The loss there, free of kinks.
    """

    signs: tuple
    loss: object

    def contains(self, point) -> bool | None:
        """Whether an exact point (a dict state -> number) lies in the open region.

        None when a sign could not be certified.
        """
        from gdmaps.exact.algebraic import compare_exact
        from gdmaps.exact.interval import NotCertifiableError

        inside = True
        for z, s in self.signs:
            try:
                sign = compare_exact(z.xreplace(point), 0)
            except (NotCertifiableError, ArithmeticError):
                return None
            if sign != s:
                inside = False
        return inside

    def __repr__(self) -> str:
        region = ", ".join(f"{z} {'>' if s > 0 else '<'} 0" for z, s in self.signs) or "R^d"
        return f"<Piece on {{{region}}}: L = {self.loss}>"


def _kink(e):
    """``(z, value if z > 0, value if z < 0)`` for a kink, else None."""
    if isinstance(e, (sp.Max, sp.Min)) and len(e.args) == 2:
        a, b = e.args
        big, small = (a, b) if isinstance(e, sp.Max) else (b, a)
        return a - b, big, small
    if isinstance(e, sp.Abs):
        (a,) = e.args
        return a, a, -a
    return None


def _innermost(expr):
    """A kink whose argument contains no kink, or None."""
    for e in sp.preorder_traversal(expr):
        found = _kink(e)
        if found is not None and not any(_kink(s) for s in sp.preorder_traversal(found[0])
                                         if s is not e) and not _has_kink(found[1]) \
                and not _has_kink(found[2]):
            return e, found
    return None


def _has_kink(expr) -> bool:
    return any(_kink(e) is not None for e in sp.preorder_traversal(expr))


def polynomial_pieces(loss, state, *, limit=MAX_PIECES):
    """The pieces of a loss built from polynomials with Max, Min and Abs.

    Parameters
    ----------
    loss : SymPy expression
    state : sequence of Symbols
    limit : int, keyword-only
        The most pieces to enumerate.

    Returns
    -------
    tuple of Piece, or None
        None when the loss has no kink, a kink argument is not a polynomial in the state,
        or more than ``limit`` pieces arise. Every returned argument ``z`` is a non-zero
        polynomial, so the regions cover R^d up to a null set. Regions may be empty.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> polynomial_pieces(sp.Max(0, x - 1)**2 + x**2, [x])
    (<Piece on {x - 1 > 0}: L = x**2 + (x - 1)**2>, <Piece on {x - 1 < 0}: L = x**2>)
    """
    if limit < 1:
        raise InvalidArgumentError(f"limit must be a positive integer, got {limit!r}")
    state = tuple(state)
    if not _has_kink(loss):
        return None
    done, todo = [], [((), loss)]
    while todo:
        signs, expr = todo.pop()
        found = _innermost(expr)
        if found is None:
            if _has_kink(expr):
                return None  # a kink with more than two arguments
            done.append(Piece(signs, expr))
            continue
        e, (z, pos, neg) = found
        z = sp.expand(z)
        if not z.is_polynomial(*state) or z.free_symbols - set(state):
            return None
        if z == 0:
            todo.append((signs, expr.xreplace({e: pos})))
            continue
        lead = sp.Poly(z, *state).LC()
        z = sp.expand(z / lead)  # monic, so equal arguments compare equal
        if lead < 0:
            pos, neg = neg, pos
        chosen = dict(signs)
        for s, value in ((1, pos), (-1, neg)):
            if chosen.get(z, s) != s:
                continue  # contradicts a sign already chosen
            todo.append((signs if z in chosen else signs + ((z, s),), expr.xreplace({e: value})))
        if len(done) + len(todo) > limit:
            return None
    return tuple(done[::-1])
