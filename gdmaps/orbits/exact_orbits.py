"""Periodic orbits of polynomial maps solved exactly (small periods)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from gdmaps.core.errors import InvalidArgumentError, check_int
from gdmaps.core.stability import Stability, stability
from gdmaps.exact.varieties import decompose
from gdmaps.core.results import Result

__all__ = ["ExactOrbit", "exact_periodic_orbits"]


@dataclass(frozen=True, repr=False, eq=False)
class ExactOrbit(Result):
    """A periodic orbit with exact coordinates (SymPy numbers) and its stability."""

    points: tuple
    stability: Stability

    @property
    def period(self) -> int:
        return len(self.points)

    def numeric(self) -> np.ndarray:
        return np.array([[float(v) for v in pt] for pt in self.points])

    def __repr__(self) -> str:
        return f"<ExactOrbit: {self.stability.kind.value} period-{self.period} orbit {self.points}>"

    def latex(self) -> str:
        """The orbit's points, exact."""
        pts = r" \mapsto ".join(r"\left(" + ", ".join(sp.latex(v) for v in pt) + r"\right)"
                                for pt in self.points)
        return pts if self.period == 1 else pts + r" \mapsto \cdots"


def _same(u, v) -> bool:
    return all(sp.N(a - b, 50) == 0 or abs(sp.N(a - b, 50)) < 1e-40 for a, b in zip(u, v))


def exact_periodic_orbits(map, period) -> tuple[ExactOrbit, ...]:
    """Every real orbit of prime period ``period`` of a polynomial map, exactly.

    The multiple-shooting system f(x_k) = x_{k+1 mod p} is decomposed into
    components (Groebner bases); the isolated real solutions whose least period
    is p are grouped into orbits. Positive-dimensional components (continua of
    periodic points) raise an error: they are not isolated orbits.

    Examples
    --------
    >>> from gdmaps.maps import logistic
    >>> (orbit,) = exact_periodic_orbits(logistic(sp.Rational(7, 2)), 2)
    >>> orbit
    <ExactOrbit: repelling period-2 orbit ((3/7,), (6/7,))>
    """
    p = check_int("period", period, minimum=1)
    if map.free_parameters:
        raise InvalidArgumentError("exact orbits need every parameter bound; free: "
                                   + ", ".join(str(s) for s in map.free_parameters))
    d = map.dim
    X = [[sp.Symbol(f"_x{k}_{i}") for i in range(d)] for k in range(p)]
    eqs = []
    for k in range(p):
        img = [e.xreplace(dict(zip(map.state, X[k]))) for e in map.exprs]
        nxt = X[(k + 1) % p]
        eqs += [sp.fraction(sp.together(img[i] - nxt[i]))[0] for i in range(d)]
    gens = [v for row in X for v in row]
    comps = decompose(eqs, gens)
    if any(c.dimension > 0 for c in comps):
        raise InvalidArgumentError(
            f"the period-{p} points of this map form a set of dimension"
            f" {max(c.dimension for c in comps)}: they are not isolated orbits")
    seqs = [tuple(tuple(pt[k * d:(k + 1) * d]) for k in range(p)) for c in comps for pt in c.points]
    out, seen = [], []
    for seq in seqs:
        if any(_same(seq[0], seq[q]) for q in range(1, p) if p % q == 0):
            continue  # a shorter period
        if any(any(_same(seq[0], other[k]) for k in range(p)) for other in seen):
            continue  # a cyclic shift of an orbit already kept
        seen.append(seq)
        num = np.array([[float(v) for v in pt] for pt in seq])
        out.append(ExactOrbit(tuple(tuple(sp.expand(sp.radsimp(v)) for v in pt) for pt in seq),
                              stability(map, num)))
    return tuple(out)
