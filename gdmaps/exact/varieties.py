"""Exact fixed-point sets of polynomial and rational maps: components and dimensions.

A factoring Groebner decomposition: compute a Groebner basis; when one of its
elements factors, split the variety along the factors and recurse. Each
component that comes out has a basis with no reducible element; its dimension
is read from the leading monomials (a maximal independent set of variables).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp
from sympy.polys.orderings import grevlex

from gdmaps.core.errors import NotPolynomialError
from gdmaps.core.results import Result

__all__ = ["Component", "decompose", "NotPolynomialError"]




@dataclass(frozen=True, repr=False, eq=False)
class Component(Result):
    """An irreducible-looking piece of a variety: its equations and its dimension.

    Attributes
    ----------
    equations : tuple of SymPy expressions
        A Groebner basis; the component is where all of them vanish.
    dimension : int
        Its dimension over the complex numbers.
    points : tuple of tuples or None
        For a 0-dimensional component, its real points, exact. A point written
        with complex radicals (casus irreducibilis) counts as real when its
        imaginary part vanishes to 60 digits; its real part is kept.
    """

    equations: tuple
    gens: tuple
    dimension: int
    points: tuple | None = None

    def __repr__(self) -> str:
        eqs = ", ".join(f"{e} = 0" for e in self.equations)
        return f"<Component of dimension {self.dimension}: {eqs}>"

    def latex(self) -> str:
        """The component as the zero set of its equations, with its dimension."""
        eqs = ", ".join(f"{sp.latex(e)} = 0" for e in self.equations)
        return rf"\left\{{ {eqs} \right\}}, \quad \dim = {self.dimension}"

    def contains(self, point) -> bool:
        """Whether an exact point satisfies every equation."""
        sub = dict(zip(self.gens, point))
        return all(sp.simplify(e.subs(sub)) == 0 for e in self.equations)


def _is_real(v) -> bool:
    """Real by SymPy's assumptions, or (radicals of casus irreducibilis) to 60 digits."""
    if v.is_real is not None:
        return bool(v.is_real)
    return abs(sp.im(sp.N(v, 60))) < sp.Float("1e-45")


def _real_part(v):
    return v if v.is_real else sp.re(sp.expand_complex(v))


def _dimension(basis, gens) -> int:
    lead = [sp.Poly(g, *gens).monoms(order=grevlex)[0] for g in basis]
    n = len(gens)
    for size in range(n, -1, -1):
        for subset in itertools.combinations(range(n), size):
            others = [i for i in range(n) if i not in subset]
            if all(any(m[i] for i in others) for m in lead):
                return size
    return 0


def _groebner(polys, gens, domain):
    return sp.groebner(polys, *gens, order="grevlex", domain=domain)


def _split(polys, gens, domain, depth=0):
    G = _groebner(polys, gens, domain)
    if G.exprs == [1] or (len(G.exprs) == 1 and G.exprs[0].is_number):
        return []
    for g in G.exprs:
        _, factors = sp.factor_list(g, *gens, domain=domain)
        if len(factors) > 1 or factors[0][1] > 1:
            out = []
            for f, _ in factors:
                out += _split(list(G.exprs) + [f], gens, domain, depth + 1)
            return out
    return [G]


def decompose(equations, gens, *, parameters=()) -> tuple[Component, ...]:
    """The components of ``{x : equations(x) = 0}``, each with its dimension.

    Parameters
    ----------
    equations : sequence of polynomials in ``gens``
    gens : sequence of symbols
    parameters : symbols, keyword-only
        Symbols treated as generic constants (the answer holds for generic values).

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> decompose([b*(a*b - 1), a*(a*b - 1)], [a, b])
    (<Component of dimension 1: a*b - 1 = 0>, <Component of dimension 0: a = 0, b = 0>)

    Notes
    -----
    Factoring Groebner bases (Czapor 1989; Davenport, Siret & Tournier, ch. 3):
    V(I) = V(I + f_1) u V(I + f_2) when some g = f_1 f_2 in the basis. Components
    contained in others are dropped. A component whose basis has no reducible
    element is reported as one piece; it is prime in every example here, but
    that is not checked (no primary decomposition in SymPy).
    """
    gens = tuple(gens)
    domain = sp.QQ.frac_field(*parameters) if parameters else sp.QQ
    polys = []
    for e in equations:
        e = sp.expand(e)
        if e == 0:
            continue
        if not e.is_polynomial(*gens):
            raise NotPolynomialError(f"the equation {e} = 0 is not polynomial in {gens}")
        polys.append(e)
    if not polys:
        return (Component((), gens, len(gens)),)
    pieces = _split(polys, gens, domain)
    # drop duplicates and pieces contained in others (V(I1) in V(I2) iff I2 in I1)
    keep = []
    for i, G in enumerate(pieces):
        bigger = any(j != i and all(G.contains(h) for h in H.exprs)
                     and not (all(H.contains(h) for h in G.exprs) and j > i)
                     for j, H in enumerate(pieces))
        if not bigger:
            keep.append(G)
    comps = []
    for G in keep:
        dim = _dimension(G.exprs, gens)
        pts = None
        if dim == 0 and not parameters:
            sols = sp.solve(list(G.exprs), list(gens), dict=True)
            pts = tuple(tuple(_real_part(s[g]) for g in gens) for s in sols
                        if all(_is_real(s[g]) for g in gens))
        comps.append(Component(tuple(G.exprs), gens, dim, pts))
    comps.sort(key=lambda c: (-c.dimension, str(c.equations)))
    return tuple(comps)
