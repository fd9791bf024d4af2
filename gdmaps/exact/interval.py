"""Rigorous enclosures of a map and its Jacobian over boxes, in arb ball arithmetic.

SymPy expressions are compiled into functions of lists of ``flint.arb`` balls
(python-flint, the Arb library of Johansson). Every operation rounds outward,
so the result contains the value of the expression at every point of the box.
Exact numbers stay exact: ``Rational(7, 5)`` becomes ``arb(7) / 5`` at the
working precision, never the float 1.4; ``pi`` becomes ``arb.pi()``.

Kinks and jumps (``Abs``, ``Max``, ``Min``, ``sign``, ``Heaviside``,
``Piecewise``) are evaluated only where the box decides them: when it lies on
one side of every kink, the expression is smooth there and equals one branch.
A box that straddles a kink, an unknown function, or a value that is not
finite on the box (log of a ball reaching 0, division by a ball holding 0)
raises :class:`NotCertifiableError`.
"""

from __future__ import annotations

import contextlib
import functools
import math
import operator

import flint
import numpy as np
import sympy as sp
from flint import arb, arb_mat

from gdmaps.core.errors import FreeParameterError, InvalidArgumentError, NotCertifiableError
from gdmaps.core.symbols import as_expr

__all__ = [
    "NotCertifiableError",
    "IntervalFunction",
    "interval_function",
    "compile_interval",
    "working_precision",
    "box",
    "bounds",
    "float_lower",
    "float_upper",
    "PREC",
]

#: Default working precision in bits (double-double).
PREC = 106




@contextlib.contextmanager
def working_precision(prec: int = PREC):
    """Set ``flint.ctx.prec`` to ``prec`` bits inside the block, then restore it.

    Examples
    --------
    >>> import flint
    >>> before = flint.ctx.prec
    >>> with working_precision(200):
    ...     print(flint.ctx.prec)
    200
    >>> flint.ctx.prec == before
    True
    """
    if isinstance(prec, bool) or not isinstance(prec, int) or prec < 30:
        raise InvalidArgumentError(f"prec must be an integer >= 30 (bits), got {prec!r}")
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        yield
    finally:
        flint.ctx.prec = old


# -- floats <-> balls --------------------------------------------------------
def float_lower(x: arb) -> float:
    """The largest float <= every point of the ball ``x`` (-inf if unbounded)."""
    if not x.is_finite():
        return -math.inf
    lo = x.lower()
    f = float(lo)
    while not arb(f) <= lo:
        f = math.nextafter(f, -math.inf)
    return f


def float_upper(x: arb) -> float:
    """The smallest float >= every point of the ball ``x`` (+inf if unbounded)."""
    if not x.is_finite():
        return math.inf
    hi = x.upper()
    f = float(hi)
    while not arb(f) >= hi:
        f = math.nextafter(f, math.inf)
    return f


def bounds(balls) -> tuple[np.ndarray, np.ndarray]:
    """Outward-rounded float endpoints ``(lower, upper)`` of a sequence of balls.

    Examples
    --------
    >>> from fractions import Fraction
    >>> lo, hi = bounds([arb(1) / 3])
    >>> Fraction(lo[0]) < Fraction(1, 3) < Fraction(hi[0])
    True
    """
    balls = list(balls)
    return (np.array([float_lower(b) for b in balls]), np.array([float_upper(b) for b in balls]))


def box(lower, upper) -> list[arb]:
    """Balls that contain the float intervals ``[lower_i, upper_i]``.

    The midpoint of two floats is exact in arb (at the working precision,
    unless their scales differ hugely); the radius is rounded up, so each ball
    contains its interval (it may be wider by a relative 2^-30 or so).

    Examples
    --------
    >>> b = box([0.0, 1.0], [1.0, 1.0])
    >>> b[0].contains(arb(0)) and b[0].contains(arb(1)), b[1].is_exact()
    (True, True)
    """
    lower = np.atleast_1d(np.asarray(lower, dtype=float)).ravel()
    upper = np.atleast_1d(np.asarray(upper, dtype=float)).ravel()
    if lower.shape != upper.shape or np.any(~(lower <= upper)):
        raise InvalidArgumentError(
            f"box needs lower <= upper of the same shape, got {lower!r} and {upper!r}")
    out = []
    for lo, hi in zip(lower, upper):
        if lo == hi:
            out.append(arb(lo))
            continue
        a, b = arb(lo), arb(hi)
        # a ball around the midpoint (exact unless lo, hi differ hugely in scale)
        # with a radius rounded up: it contains [lo, hi]
        out.append((a + b) / 2 + arb(0, float_upper((b - a) / 2)))
    return out


# -- the compiler ------------------------------------------------------------
def _const(make):
    """A constant closure; its ball is made once per working precision."""
    cache = {}

    def value(env):
        prec = flint.ctx.prec
        v = cache.get(prec)
        if v is None:
            v = cache[prec] = make()
        return v
    return value


def _float_ball(value: sp.Float) -> arb:
    sign, man, exp, _ = value._mpf_
    man = -man if sign else man
    return arb(man << exp) if exp >= 0 else arb(man) / arb(1 << -exp)


def _ipow(x: arb, n: int) -> arb:
    """x**n for an integer n >= 0, tight on wide balls.

    On a ball of width > 0, x**n is monotone unless n is even and the ball
    holds 0, where the range is [0, max |x|**n]; so the powers of the two
    (exact) ends give the range, with no dependency blow-up of x*x*...*x.
    """
    if x.is_exact():
        return _exact_pow(x, n)
    if n % 2 == 0 and x.contains(0):
        return arb(0).union(_exact_pow(x.abs_upper(), n))
    return _exact_pow(x.lower(), n).union(_exact_pow(x.upper(), n))


def _exact_pow(x: arb, n: int) -> arb:
    result, base = arb(1), x
    while n:
        if n & 1:
            result = result * base
        n >>= 1
        if n:
            base = base * base
    return result


def _cosh(v: arb) -> arb:
    """cosh is even, increasing in |x|: its range from the ends of |x| (arb's is loose)."""
    if v.is_exact():
        return v.cosh()
    low = arb(1) if v.contains(0) else v.abs_lower().cosh()
    return low.union(v.abs_upper().cosh())


def _sign_of(x: arb):
    """+1 or -1 if the ball is certainly positive or negative, else None."""
    if x > 0:
        return 1
    if x < 0:
        return -1
    return None


_UNARY = {
    sp.exp: arb.exp, sp.log: arb.log, sp.sin: arb.sin, sp.cos: arb.cos, sp.tan: arb.tan,
    sp.cot: arb.cot, sp.sec: arb.sec, sp.csc: arb.csc, sp.sinh: arb.sinh, sp.cosh: _cosh,
    sp.tanh: arb.tanh, sp.coth: arb.coth, sp.sech: arb.sech, sp.csch: arb.csch,
    sp.asin: arb.asin, sp.acos: arb.acos, sp.atan: arb.atan, sp.asinh: arb.asinh,
    sp.acosh: arb.acosh, sp.atanh: arb.atanh, sp.erf: arb.erf, sp.erfc: arb.erfc,
    sp.gamma: arb.gamma, sp.loggamma: arb.lgamma,
}


def _monotone(fn):
    """A monotone function evaluated at the two ends of a ball: tight on wide balls."""
    def at_ends(v):
        return fn(v) if v.is_exact() else fn(v.lower()).union(fn(v.upper()))
    return at_ends


for _f in (sp.exp, sp.log, sp.atan, sp.tanh, sp.sinh, sp.asin, sp.acos, sp.asinh, sp.atanh,
           sp.erf, sp.erfc):
    _UNARY[_f] = _monotone(_UNARY[_f])

#: Relations on d = lhs - rhs: True, False, or None when the ball does not decide.
_REL = {
    sp.StrictLessThan: lambda d: True if d < 0 else (False if d >= 0 else None),
    sp.LessThan: lambda d: True if d <= 0 else (False if d > 0 else None),
    sp.StrictGreaterThan: lambda d: True if d > 0 else (False if d <= 0 else None),
    sp.GreaterThan: lambda d: True if d >= 0 else (False if d < 0 else None),
    sp.Equality: lambda d: True if d.is_exact() and d.is_zero() else (False if not d.contains(0) else None),
    sp.Unequality: lambda d: False if d.is_exact() and d.is_zero() else (True if not d.contains(0) else None),
}

_SUPPORTED = ("+, *, powers, " + ", ".join(sorted(str(f) for f in _UNARY))
              + ", Abs, sign, Max, Min, Heaviside, DiracDelta, Piecewise, atan2, re, im")


def _refuse(what, shown):
    raise NotCertifiableError(f"the box meets the {what} of {shown}")


class _Compiler:
    """Turns a SymPy tree into nested closures ``fn(env) -> arb``.

    ``env`` maps the input symbols to balls; common subexpressions (``defs``)
    are evaluated lazily on first use, so a subexpression used only inside
    one branch of a ``Piecewise`` is never evaluated outside it.
    """

    def __init__(self, inputs, defs=()):
        self.inputs = set(inputs)
        self.defs, self.expanded = {}, {}
        for s, e in defs:
            self.expanded[s] = e.xreplace(self.expanded)
            self.defs[s] = self.cond(e) if isinstance(e, sp.logic.boolalg.Boolean) else self.expr(e)

    def show(self, e):
        """``e`` with the common subexpressions written out, for messages."""
        return e.xreplace(self.expanded)

    def expr(self, e):
        method = getattr(self, "_" + type(e).__name__, None)
        if method is not None:
            return method(e)
        if e.is_Integer:
            v = arb(int(e))
            return lambda env: v
        if e.is_Rational:
            p, q = int(e.p), int(e.q)
            return _const(lambda: arb(p) / q)
        if e.is_Float:
            return _const(lambda: _float_ball(e))
        if e.is_Symbol:
            return self.symbol(e)
        if e.is_Add or e.is_Mul:
            parts = [self.expr(a) for a in e.args]
            op = operator.add if e.is_Add else operator.mul
            return lambda env: functools.reduce(op, (f(env) for f in parts))
        if e.is_Pow:
            return self.power(e)
        fn = _UNARY.get(e.func)
        if fn is not None and len(e.args) == 1:
            arg = self.expr(e.args[0])
            return lambda env: fn(arg(env))
        if e.is_Function:
            raise NotCertifiableError(
                f"{e.func} is not supported in ball arithmetic (in {self.show(e)});"
                f" supported are {_SUPPORTED}")
        raise NotCertifiableError(f"cannot evaluate {self.show(e)} ({type(e).__name__}) in ball arithmetic")

    def symbol(self, s):
        if s in self.defs:
            fn = self.defs[s]

            def lazy(env):
                if s not in env:
                    env[s] = fn(env)
                return env[s]
            return lazy
        if s in self.inputs:
            return lambda env: env[s]
        raise FreeParameterError(
            f"interval evaluation needs a value for the free parameter {s}; bind it first,"
            f" e.g. .subs({s}=...)")

    def power(self, e):
        base, ex = e.args
        b = self.expr(base)
        if ex.is_Integer:
            n = int(ex)
            return (lambda env: _ipow(b(env), n)) if n >= 0 else (lambda env: 1 / _ipow(b(env), -n))
        if ex == sp.S.Half:
            return lambda env: b(env).sqrt()
        x, shown = self.expr(ex), self.show(e)

        def real_power(env):
            v = b(env)
            if not v > 0:
                raise NotCertifiableError(
                    f"{shown} is real and smooth only where {self.show(base)} > 0,"
                    " which the box does not ensure")
            return (x(env) * v.log()).exp()
        return real_power

    # -- constants ----------------------------------------------------------
    def _Pi(self, e):
        return _const(arb.pi)

    def _Exp1(self, e):
        return _const(arb.const_e)

    def _EulerGamma(self, e):
        return _const(arb.const_euler)

    def _Catalan(self, e):
        return _const(arb.const_catalan)

    def _ImaginaryUnit(self, e):
        raise NotCertifiableError(f"the map is not real: it contains {e}")

    _NaN = _ComplexInfinity = _Infinity = _NegativeInfinity = _ImaginaryUnit

    # -- kinks and jumps: decided on the box, or refused ---------------------
    def _decided(self, e, what, value):
        """Closure for f(u) that is smooth where sign(u) is fixed: value(v, sign)."""
        arg, shown = self.expr(e.args[0]), self.show(e)

        def kink(env):
            v = arg(env)
            s = _sign_of(v)
            if s is None:
                _refuse(what, shown)
            return value(v, s)
        return kink

    def _Abs(self, e):
        return self._decided(e, "kink at 0", lambda v, s: v if s > 0 else -v)

    def _sign(self, e):
        return self._decided(e, "jump at 0", lambda v, s: arb(s))

    def _Heaviside(self, e):
        return self._decided(e, "jump at 0", lambda v, s: arb(int(s > 0)))

    def _DiracDelta(self, e):
        return self._decided(e, "singularity at 0", lambda v, s: arb(0))

    def _extremum(self, e, wins):
        args, shown = [self.expr(a) for a in e.args], self.show(e)

        def extremum(env):
            vals = [a(env) for a in args]
            for i, v in enumerate(vals):
                if all(wins(v, w) for j, w in enumerate(vals) if j != i):
                    return v
            _refuse("kink", shown)
        return extremum

    def _Max(self, e):
        return self._extremum(e, operator.gt)

    def _Min(self, e):
        return self._extremum(e, operator.lt)

    def _atan2(self, e):
        (y, x), shown = (self.expr(a) for a in e.args), self.show(e)

        def atan2(env):
            yv, xv = y(env), x(env)
            if not (xv > 0 or yv > 0 or yv < 0):
                _refuse("branch cut (x <= 0, y = 0)", shown)
            return arb.atan2(yv, xv)
        return atan2

    def _re(self, e):
        return self.expr(e.args[0])

    def _im(self, e):
        return lambda env: arb(0)

    def _Piecewise(self, e):
        pieces, shown = [(self.expr(v), self.cond(c)) for v, c in e.args], self.show(e)

        def piecewise(env):
            for value, cond in pieces:
                truth = cond(env)
                if truth is None:
                    _refuse("boundary between the pieces", shown)
                if truth:
                    return value(env)
            raise NotCertifiableError(f"no piece of {shown} applies on the box")
        return piecewise

    def cond(self, c):
        """A condition as ``fn(env) -> True, False or None`` (undecided on the box)."""
        if c is sp.true or c is sp.false:
            truth = bool(c)
            return lambda env: truth
        if c in self.defs:
            return self.symbol(c)
        rel = _REL.get(type(c))
        if rel is not None:
            diff = self.expr(c.lhs - c.rhs)
            return lambda env: rel(diff(env))
        parts = [self.cond(a) for a in c.args]
        if isinstance(c, (sp.And, sp.Or)):
            absorbing = isinstance(c, sp.Or)  # True decides an Or, False an And

            def junction(env):
                vals = [p(env) for p in parts]
                return absorbing if absorbing in vals else (None if None in vals else not absorbing)
            return junction
        if isinstance(c, sp.Not):
            return lambda env: (lambda v: None if v is None else not v)(parts[0](env))
        raise NotCertifiableError(f"cannot decide the condition {self.show(c)} in ball arithmetic")


def _first_nonfinite(expr, compiler, env):
    """The innermost subexpression of ``expr`` that is not finite on the box."""
    for arg in expr.args:
        if isinstance(arg, sp.Expr) and not arg.is_number and not isinstance(expr, sp.Piecewise):
            try:
                v = compiler.expr(arg)(dict(env))
            except NotCertifiableError:
                continue
            if not v.is_finite():
                return _first_nonfinite(arg, compiler, env)
    return expr


def compile_interval(exprs, inputs):
    """Compile SymPy ``exprs`` into ``fn(balls) -> list of arb`` over the ``inputs``.

    Parameters
    ----------
    exprs : sequence of SymPy expressions
        Expressions in the ``inputs`` only (every parameter already bound).
    inputs : sequence of SymPy symbols
        The variables, in the order of the balls passed to the function.

    Returns
    -------
    callable
        ``fn(balls)`` with ``balls`` a sequence of ``flint.arb`` (or floats,
        read exactly), returning one ball per expression, evaluated at the
        current ``flint.ctx.prec``. Raises :class:`NotCertifiableError` when a
        value is not finite or a kink is not decided on the box.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> fn = compile_interval([sp.Rational(7, 5) * x, sp.sqrt(x) + sp.pi], [x])
    >>> with working_precision(106):
    ...     seven_fifths, root_pi = fn([arb(1)])
    >>> print(seven_fifths.str(25, radius=False), root_pi.str(25, radius=False))
    1.400000000000000000000000 4.141592653589793238462643
    >>> seven_fifths.rad() < 1e-30, seven_fifths.contains(arb(1.4))  # the float 1.4 is not 7/5
    (True, False)
    """
    names = tuple(inputs)
    inputs, exprs = _real_state([as_expr(e, name=f"exprs[{i}]") for i, e in enumerate(exprs)], names)
    defs, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_cse", cls=sp.Dummy), optimizations=None)
    compiler = _Compiler(inputs, defs)
    outputs = [compiler.expr(e) for e in reduced]
    plain = _Compiler(inputs)
    n = len(inputs)

    def evaluate(balls):
        if len(balls) != n:
            raise InvalidArgumentError(
                f"expected {n} balls for {', '.join(map(str, names))}, got {len(balls)}")
        env = {s: (b if isinstance(b, arb) else arb(b)) for s, b in zip(inputs, balls)}
        out = [fn(env) for fn in outputs]
        for e, v in zip(exprs, out):
            if not v.is_finite():
                where = _first_nonfinite(e, plain, {s: env[s] for s in inputs})
                raise NotCertifiableError(f"{e} is not finite on the box: {where} gives {v} there")
        return out
    return evaluate


def _real_state(exprs, state):
    """The expressions in real symbols of the state (so Abs' = sign, re(x) = x).

    Derivatives left unevaluated (``Derivative(re(x), x)`` in the gradient of
    ``Abs(x)`` for a symbol without assumptions) are carried out.
    """
    names = [s.name for s in state]
    make = sp.Symbol if len(set(names)) == len(names) else sp.Dummy  # two states named alike
    real = tuple(make(name, real=True) for name in names)
    swap = dict(zip(state, real))
    out = []
    for e in exprs:
        e = e.xreplace(swap)
        out.append(e.doit() if e.has(sp.Derivative) else e)
    return real, tuple(out)


class IntervalFunction:
    """A map and its Jacobian as functions of boxes (lists of ``flint.arb``).

    Built by :func:`interval_function`; see there.
    """

    def __init__(self, state, exprs, prec: int = PREC):
        self.state = tuple(state)
        self.exprs = tuple(exprs)
        self.dim = len(self.state)
        self.prec = prec
        self.jacobian_exprs = tuple(sp.diff(e, s) for e in self.exprs for s in self.state)
        self._f = compile_interval(self.exprs, self.state)
        self._jac = compile_interval(self.jacobian_exprs, self.state)

    def f(self, balls) -> list[arb]:
        """Balls enclosing f(x) for every x in the box."""
        with working_precision(self.prec):
            return self._f(balls)

    def jacobian(self, balls) -> arb_mat:
        """A ball matrix enclosing Df(x) for every x in the box."""
        d = self.dim
        with working_precision(self.prec):
            entries = self._jac(balls)
            return arb_mat([entries[i * d:(i + 1) * d] for i in range(d)])

    def __repr__(self) -> str:
        return f"IntervalFunction({', '.join(map(str, self.exprs))}; {self.prec} bits)"


@functools.lru_cache(maxsize=256)
def _cached(exprs, state, prec):
    return IntervalFunction(*_real_state(exprs, state), prec)


def interval_function(map, *, prec: int = PREC) -> IntervalFunction:
    """The interval form of a map: ``.f(box)`` and ``.jacobian(box)`` in ball arithmetic.

    Parameters
    ----------
    map : Map
        A map with every parameter bound; its exact expressions (``map.exprs``)
        are compiled, not the float form.
    prec : int, keyword-only
        Working precision in bits.

    Returns
    -------
    IntervalFunction
        ``.f(balls) -> list of arb`` and ``.jacobian(balls) -> arb_mat``, where
        ``balls`` is a list of ``dim`` balls (see :func:`box`). The Jacobian is
        differentiated from ``map.exprs`` here, with the state real, so kinks
        keep their delta terms and are refused unless the box avoids them.

    Raises
    ------
    FreeParameterError
        If a parameter has no value.
    NotCertifiableError
        If an expression uses a function that ball arithmetic cannot evaluate.

    Examples
    --------
    >>> from flint import fmpq
    >>> from gdmaps.maps import henon
    >>> F = interval_function(henon())
    >>> fx = F.f(box([0.5, 0.0], [0.5, 0.0]))  # f(1/2, 0) = (13/20, 3/20)
    >>> with working_precision(200):  # compare with 13/20 and 3/20 made at a higher precision
    ...     print(fx[0].contains(fmpq(13, 20)), fx[1].contains(fmpq(3, 20)))
    True True
    >>> J = F.jacobian(box([0.0, 0.0], [1.0, 0.0]))  # over the box [0, 1] x [0, 0]
    >>> print(f"{float_lower(J[0, 0]):.4f} <= df1/dx <= {float_upper(J[0, 0]):.4f}")
    -2.8000 <= df1/dx <= 0.0000

    Notes
    -----
    Ball arithmetic returns, for every operation, a ball that contains the
    exact result for every input in the input balls (interval arithmetic,
    Moore 1966), so the compiled function is an inclusion function of f.
    """
    free = map.free_parameters
    if free:
        raise FreeParameterError(
            f"interval evaluation needs values for the free parameters {', '.join(str(p) for p in free)};"
            f" bind them first, e.g. .subs({free[0]}=...)")
    if isinstance(prec, bool) or not isinstance(prec, int) or prec < 30:
        raise InvalidArgumentError(f"prec must be an integer >= 30 (bits), got {prec!r}")
    return _cached(tuple(map.exprs), tuple(map.state), prec)
