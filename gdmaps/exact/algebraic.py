"""Exact real numbers (rationals, radicals, RootOf, pi): certified balls and comparison."""

from __future__ import annotations

import flint
import sympy as sp
from flint import arb

from gdmaps.exact.interval import NotCertifiableError, compile_interval, working_precision
from gdmaps.core.symbols import exact

__all__ = ["exact_ball", "compare_exact"]


def exact_ball(value, prec: int = 256) -> arb:
    """A ball at ``prec`` bits certified to contain the exact real number ``value``.

    Examples
    --------
    >>> b = exact_ball(sp.sqrt(2) + sp.CRootOf(sp.Symbol("x")**3 - 2, 0))
    >>> b.overlaps(arb(2) ** 0.5 + arb(2) ** (arb(1) / 3)), b.rad() < 1e-70
    (True, True)
    """
    value = exact(value, name="value")
    with working_precision(prec):
        if value.is_Rational:
            return arb(flint.fmpq(int(value.p), int(value.q)))
        roots = sorted(value.atoms(sp.CRootOf), key=str)
        names = [sp.Dummy(f"r{i}") for i in range(len(roots))]
        balls = []
        for r in roots:
            if not r.is_real:
                raise NotCertifiableError(f"{r} is not a real root")
            dx = sp.Rational(1, 2 ** (prec + 4))
            mid = r.eval_rational(dx=dx, dy=dx, n=prec // 3 + 10)  # |mid - r| < dx
            balls.append(arb(flint.fmpq(int(mid.p), int(mid.q))) + arb(0, 2.0 ** -(prec + 3)))
        fn = compile_interval([value.xreplace(dict(zip(roots, names)))], names)
        return fn(balls)[0]


def compare_exact(a, b) -> int:
    """The sign of ``a - b`` for exact real numbers, certified: -1, 0 or 1.

    Balls at rising precision separate unequal numbers; equality is decided exactly
    (``a - b`` simplifies to 0, or its minimal polynomial is ``x``). ``oo`` is allowed.

    Examples
    --------
    >>> compare_exact(sp.sqrt(2) + sp.sqrt(3), sp.sqrt(5 + 2*sp.sqrt(6)))
    0
    >>> compare_exact(sp.sqrt(2), sp.Rational(7, 5))
    1
    """
    a, b = exact(a, name="a"), exact(b, name="b")
    if a == b:
        return 0
    if a is sp.oo or b is sp.oo:
        return -1 if b is sp.oo else 1
    if (a - b).is_Rational:
        return int(sp.sign(a - b))
    for prec in (128, 512, 2048):
        da, db = exact_ball(a, prec), exact_ball(b, prec)
        if da < db:
            return -1
        if da > db:
            return 1
        if prec == 512 and _equal(a, b):
            return 0
    if _equal(a, b):
        return 0
    raise NotCertifiableError(f"could not separate {a} and {b} at 2048 bits nor prove them equal")


def _equal(a, b) -> bool:
    if sp.simplify(a - b) == 0:
        return True
    x = sp.Dummy("x")
    try:
        return sp.minimal_polynomial(a - b, x) == x
    except (NotImplementedError, ValueError):
        return False
