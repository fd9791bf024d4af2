"""The fused numba engine: steps and fate checks of :func:`gdmaps.basins.iterate` in compiled code.

The map's step is generated from its symbolic template (SymPy ``cse`` and a scalar
code printer) as two small functions over a chunk of points, compiled once per
template: ``advance`` (n steps in place) and ``last`` (one step into a second
buffer with ``||f(x) - x||^2`` and ``||f(x)||^2``). A parallel driver, compiled once
(and cached on disk), runs the check loop of :func:`~gdmaps.engines.numpy_engine.run_numpy`
over chunks of points in ``prange`` and calls them as first-class functions, so a
new template costs only the compilation of its own step.

Each chunk keeps its points innermost, coordinate ``i`` of point ``j`` at
``i * C + j`` with ``C`` a compile-time constant, so the step loop is a contiguous,
vectorizable sweep that stays in L1/L2; a chunk stops as soon as every point in it
is decided.

The semantics are those of ``run_numpy``, field for field: the same check
schedule, the same final window, the same definitions of ``final``,
``displacement`` and ``asymptotic_displacement``. The generated code performs
the operations of the numpy engine's lambdified code (same ``cse``, same printed
arithmetic) in the same order, so on polynomial maps both engines agree bit for
bit; transcendental functions and integer powers above 2 may differ in the last
ulp (numpy's SIMD loops against scalar libm / repeated multiplication).
"""

from __future__ import annotations

import functools
import math
import os
import warnings

import numpy as np
import sympy as sp

try:
    import numba
except ImportError:  # pragma: no cover - exercised only without the ``fast`` extra
    numba = None

__all__ = ["fused_engine", "FusedEngine", "kernel_source"]

#: Templates larger than this (operations after ``cse``) are left to the numpy
#: engine: numba's compile time grows faster than linearly with function size.
MAX_OPS = 20_000

#: Runs smaller than this (points x steps x operations per step) use one thread.
PARALLEL_MIN_WORK = 20_000_000

#: Target bytes of one chunk's state buffer (there are three: state, next state,
#: state at the last check), so that a chunk's working set sits in L1/L2.
_CHUNK_BYTES = 16 * 1024
_CHUNK_MIN, _CHUNK_MAX = 128, 2048


def fused_engine(map, *, compile=True):
    """The fused engine of ``map``, or None when it cannot be built soundly.

    None when numba is not installed, when the map's numeric form is not the
    one gdmaps compiles from ``map.template`` (a custom numeric map), or when the
    template holds something the scalar printer cannot translate faithfully.
    With ``compile=False``, None also when the template's kernel is not
    compiled yet (a caller can then prefer the numpy engine for small runs).
    """
    if numba is None:
        return None
    try:
        numeric = map.numeric
    except Exception:  # noqa: BLE001 - free parameters, not a Map: no fused engine
        return None
    if type(numeric) not in _numeric_types():  # e.g. backprop MLPs: never build their template
        return None
    try:
        template, state, params = map.template, map.state, map.parameters
    except Exception:  # noqa: BLE001
        return None
    if not _is_symbolic_numeric(numeric, template, state, params):
        return None
    key = (tuple(template), tuple(state), tuple(params))
    if not compile and not _is_cached(key):
        return None
    steps = _compiled(*key)
    if steps is None:
        return None
    return FusedEngine(steps, numeric.kernel)


def _is_cached(key) -> bool:
    # lru_cache has no membership test (a lookup would compile): the keys asked for so far,
    # a hint only once the cache has evicted entries
    return key in _compiled_keys


def _numeric_types():
    from gdmaps.core.compile import NumericMap
    from gdmaps.core.gd import NumericGD

    return NumericMap, NumericGD


def _is_symbolic_numeric(numeric, template, state, params) -> bool:
    """Whether ``numeric`` evaluates exactly ``template`` (gdmaps' own compiled form)."""
    from gdmaps.core.compile import Kernel
    from gdmaps.core.gd import GDKernel

    if type(numeric) not in _numeric_types() or type(numeric.kernel) not in (Kernel, GDKernel):
        return False
    k = numeric.kernel
    return ((k.template is template or tuple(k.template) == tuple(template))
            and tuple(k.state) == tuple(state) and tuple(k.params) == tuple(params))


class FusedEngine:
    """The fused engine of one template; called exactly like ``run_numpy``.

    Attributes
    ----------
    steps : the compiled step functions of the template (``advance``, ``last``,
        their ``source`` and chunk stride ``chunk``), shared by every map with
        this template whatever its parameter values.
    driver : the parallel check loop, one compiled signature for every template.
    """

    def __init__(self, steps, kernel):
        self.steps = steps
        self.kernel = kernel

    def _serves(self, numeric) -> bool:
        k = numeric.kernel
        if k is self.kernel:
            return type(numeric) in _numeric_types()
        return k is not None and _is_symbolic_numeric(numeric, self.kernel.template,
                                                      self.kernel.state, self.kernel.params)

    @property
    def driver(self):
        return _driver()

    def __call__(self, numeric, X, steps, *, tol, blowup, check_every, window,
                 keep_trajectory=False, rtol=0.0, loss_stop=None):
        from gdmaps.engines.numpy_engine import run_numpy

        if (keep_trajectory or loss_stop is not None or not self._serves(numeric)
                or not numeric.can_step):
            # trajectories, a loss test, foreign numeric maps and unbound step sizes: the
            # reference engine (which raises the library's error for an unbound step size)
            return run_numpy(numeric, X, steps, tol=tol, blowup=blowup, check_every=check_every,
                             window=window, keep_trajectory=keep_trajectory, rtol=rtol,
                             loss_stop=loss_stop)
        X = np.ascontiguousarray(X, dtype=np.float64)
        N, d = X.shape
        tol = np.array(np.broadcast_to(np.asarray(tol, dtype=np.float64), (N,)))  # writable, contiguous
        if d != self.steps.dim:  # the compiled code indexes without bounds checks
            raise ValueError(f"X must have shape (N, {self.steps.dim}), got {X.shape}")
        final = np.empty((N, d))
        fate = np.zeros(N, dtype=np.int8)
        decided_at = np.full(N, -1, dtype=np.int64)
        displacement = np.full(N, np.inf)
        asym = np.zeros(N)
        if N:
            st = self.steps
            threads = numba.get_num_threads()
            # waking a second thread costs microseconds on an idle machine, a scheduler
            # time slice (milliseconds) on a busy one: small runs stay on one thread
            use = threads if N * steps * (st.ops + 2 * d) >= PARALLEL_MIN_WORK else 1
            # a few chunks per thread at least, so that early-stopping chunks balance out
            size = int(min(st.chunk, max(64, -(-N // (4 * use)))))
            args = (*st.functions, X, int(steps), tol, float(rtol), float(blowup),
                    int(check_every), int(window), np.asarray(numeric.values, dtype=np.float64),
                    size, st.chunk, final, fate, decided_at, displacement, asym)
            # chunks are handed out one at a time (dynamic scheduling): orbits leave at
            # different steps, and a static split left one core idle (1.3x -> 1.75x on 2)
            chunksize = numba.set_parallel_chunksize(1)  # thread-local, returns the old one
            numba.set_num_threads(use)
            try:
                _driver()(*args)
            finally:
                numba.set_num_threads(threads)
                numba.set_parallel_chunksize(chunksize)
        return dict(final=final, fate=fate, decided_at=decided_at, displacement=displacement,
                    asymptotic_displacement=asym, trajectory=None)


class _Steps:
    """The compiled step functions of one template."""

    def __init__(self, advance, last, dim, chunk, source, ops):
        self.advance, self.last, self.dim, self.chunk = advance, last, dim, chunk
        self.source, self.ops = source, ops
        # handed to the driver as first-class functions: a dispatcher argument costs ~60 us
        # per call to unbox, the address of its compiled C wrapper almost nothing
        try:
            wap = numba.core.types.CompileResultWAP
            self.functions = tuple(wap(f.overloads[f.signatures[0]]) for f in (advance, last))
        except Exception:  # noqa: BLE001 - numba internals moved: pass the dispatchers
            self.functions = (advance, last)


# -- code generation ----------------------------------------------------------


class _UnsupportedError(Exception):
    """Something in the template the fused kernel cannot evaluate faithfully."""


@functools.lru_cache(maxsize=1)
def _printer_class():
    from sympy.printing.pycode import PythonCodePrinter

    class ScalarPrinter(PythonCodePrinter):
        """Python scalar code with numpy's semantics for nan in max/min/sign/Piecewise."""

        def __init__(self, names):
            super().__init__({"strict": True, "fully_qualified_modules": True})
            self._names = names

        def _print_Symbol(self, expr):
            try:
                return self._names[expr]
            except KeyError:
                raise _UnsupportedError(f"unknown symbol {expr}") from None

        _print_Dummy = _print_Symbol

        def _print_Rational(self, expr):
            # Python divides big integers exactly and rounds once; numba cannot even type
            # integers past int64 and converts past 2**53 inexactly: print those as the float
            # Python would compute
            if max(abs(expr.p), expr.q) < 2**53:
                return f"{expr.p}/{expr.q}"
            return f"({expr.p / expr.q!r})"

        def _print_Integer(self, expr):
            if abs(expr.p) < 2**53:
                return str(expr.p)
            return f"({float(expr.p)!r})"

        def _print_Pow(self, expr, rational=False):
            # numba raises on 0.0 ** -n with an integer exponent; numpy's printer uses a float
            if expr.exp.is_integer and expr.exp.is_negative:
                expr = sp.Pow(expr.base, expr.exp.evalf(), evaluate=False)
            return self._hprint_Pow(expr, rational=rational)

        def _print_Piecewise(self, expr):
            # numpy.select(..., default=nan): nan where no condition holds
            out = "math.nan"
            for arg in reversed(expr.args):
                cond = arg.cond
                if cond == sp.true:
                    out = f"({self._print(arg.expr)})"
                else:
                    out = f"(({self._print(arg.expr)}) if ({self._print(cond)}) else {out})"
            return out

        def _minmax(self, name, args):
            s = [self._print(a) for a in args]
            out = s[0]
            for a in s[1:]:
                out = f"{name}({out}, {a})"
            return out

        def _print_Max(self, expr):
            return self._minmax("_gd_max", expr.args)

        def _print_Min(self, expr):
            return self._minmax("_gd_min", expr.args)

        def _print_sign(self, expr):
            return f"_gd_sign({self._print(expr.args[0])})"

        def _print_DiracDelta(self, expr):
            return "0.0"

        def _print_Derivative(self, expr):
            raise _UnsupportedError(f"unevaluated derivative {expr}")

    return ScalarPrinter


@functools.lru_cache(maxsize=1)
def _nan_helpers():
    """nan-propagating scalar max/min/sign, as numpy.maximum/minimum/sign."""
    opts = dict(inline="always", error_model="numpy")

    @numba.njit(**opts)
    def _gd_max(a, b):
        if a != a or b != b:
            return a + b
        return a if a >= b else b

    @numba.njit(**opts)
    def _gd_min(a, b):
        if a != a or b != b:
            return a + b
        return a if a <= b else b

    @numba.njit(**opts)
    def _gd_sign(a):
        if a > 0:
            return 1.0
        if a < 0:
            return -1.0
        return a * 0.0  # 0 for 0, nan for nan

    return dict(_gd_max=_gd_max, _gd_min=_gd_min, _gd_sign=_gd_sign)


def _body(template, state, params):
    """Scalar statements computing ``_o{i}`` from ``_s{i}`` and ``_p{k}``; the op count."""
    from sympy.core.function import AppliedUndef

    from gdmaps.core.compile import offkink

    exprs = [offkink(e) for e in template]
    for e in exprs:
        if not e.is_Atom and not e.free_symbols <= set(state) | set(params):
            raise _UnsupportedError("free symbols outside state and parameters")
        if e.has(sp.I, sp.zoo, sp.Derivative, sp.Integral, sp.Subs) or e.atoms(AppliedUndef):
            raise _UnsupportedError("complex, undefined or unevaluated expression")
    # the same cse lambdify uses, so the operations are those of the numpy engine
    cses, reduced = sp.cse(exprs, list=False)
    names = {s: f"_s{i}" for i, s in enumerate(state)}
    names.update({p: f"_p{k}" for k, p in enumerate(params)})
    names.update({v: f"_c{k}" for k, (v, _) in enumerate(cses)})
    printer = _printer_class()(names)
    lines = [f"_c{k} = {printer.doprint(e)}" for k, (_, e) in enumerate(cses)]
    lines += [f"_o{i} = {printer.doprint(e)}" for i, e in enumerate(reduced)]
    ops = sum(sp.count_ops(e) for _, e in cses) + sum(sp.count_ops(e) for e in reduced)
    return lines, ops



# -- the parallel driver: run_numpy's loop, per chunk --------------------------


def _fused(advance, last, X, steps, tol, rtol, blowup, check_every, window, P, size, C,
           final, fate, decided_at, displacement, asym):
    """The check loop of run_numpy over chunks of ``size`` points, chunks in parallel.

    ``tol`` holds the displacement tolerance of each point; the test is
    ``||f(x) - x|| <= tol[g] + rtol * ||f(x)||``, as in run_numpy.

    Per chunk: ``S`` the state, ``A`` the state after the step that ends a block,
    ``L`` the state at the last check (the ``final`` of a diverged orbit); coordinate
    i of point j at ``i * C + j``. Decided points leave the chunk (compaction).
    """
    N, D = X.shape
    blow2 = blowup * blowup
    finite_blowup = blowup < np.inf
    win_start = steps - window
    nchunks = (N + size - 1) // size
    for c in numba.prange(nchunks):
        lo = c * size
        m = min(N, lo + size) - lo
        S = np.empty(D * C)
        A = np.empty(D * C)
        L = np.empty(D * C)
        d2 = np.empty(C)    # ||f(x) - x||^2 at the step that ends a block
        n2 = np.empty(C)    # ||f(x)||^2 there
        acc = np.zeros(C)   # the sum of ||f(x) - x|| over the final window
        gid = np.empty(C, np.int64)
        thr = np.empty(C)   # the displacement tolerance at this check
        for j in range(m):
            gid[j] = lo + j
        for i in range(D):
            for j in range(m):
                S[i * C + j] = X[lo + j, i]
                L[i * C + j] = X[lo + j, i]
        t = 0
        while t < steps and m > 0:
            if t >= win_start:
                k = 1
            else:
                k = check_every - t % check_every
                if win_start - t < k:
                    k = win_start - t
            advance(S, m, k - 1, P)
            last(S, A, d2, n2, m, P)
            t += k
            if t > win_start:
                for j in range(m):
                    acc[j] += math.sqrt(d2[j])
            if t % check_every != 0 and t < steps:
                S, A = A, S
                continue
            # a cheap pass first: usually nothing is decided at a check
            # sqrt is monotone and correctly rounded: sqrt(d2) <= thr implies d2 <= thr^2
            # (1 + 1e-12), so a larger d2 rules convergence out without a root (tiny
            # tolerances: always take the root)
            maybe = 0
            for j in range(m):
                th = tol[gid[j]]
                if rtol > 0.0:
                    th = th + rtol * math.sqrt(n2[j]) if n2[j] < np.inf else -1.0
                thr[j] = th
                th2 = (th * (1.0 + 1e-12)) ** 2 if th > 1e-150 else np.inf
                if not (n2[j] <= blow2) or n2[j] == np.inf or d2[j] <= th2:
                    maybe += 1
            if maybe:
                new = 0
                for j in range(m):
                    g = gid[j]
                    bad = not (n2[j] <= blow2)  # nan counts as bad
                    if n2[j] == np.inf:  # the squared norm overflowed: ask the coordinates
                        bad = finite_blowup
                        for i in range(D):
                            if not math.isfinite(A[i * C + j]):
                                bad = True
                    if bad:
                        fate[g] = 2
                        decided_at[g] = t
                        for i in range(D):
                            final[g, i] = L[i * C + j]
                        continue
                    if thr[j] >= 0.0:
                        disp = math.sqrt(d2[j])
                        if disp <= thr[j]:
                            fate[g] = 1
                            decided_at[g] = t
                            for i in range(D):
                                final[g, i] = S[i * C + j]
                            displacement[g] = disp
                            # as run_numpy: the final value for the steps after the decision
                            asym[g] = (acc[j] + (steps - max(t, win_start)) * disp) / window
                            continue
                    if new != j:
                        for i in range(D):
                            A[i * C + new] = A[i * C + j]
                        gid[new] = g
                        acc[new] = acc[j]
                    new += 1
                m = new
            S, A = A, S
            for i in range(D):
                for j in range(m):
                    L[i * C + j] = S[i * C + j]
        if m > 0:  # still moving: the displacement at the final state
            last(S, A, d2, n2, m, P)
            for j in range(m):
                g = gid[j]
                for i in range(D):
                    final[g, i] = S[i * C + j]
                displacement[g] = math.sqrt(d2[j])
                asym[g] = acc[j] / window
    for g in range(N):
        if fate[g] == 2:
            asym[g] = np.inf


_OPTS = dict(cache=False, fastmath=False, error_model="numpy", nogil=True)


def _types():
    t = numba.types
    vec = t.float64[::1]
    advance = t.void(vec, t.int64, t.int64, vec)
    last = t.void(vec, vec, vec, vec, t.int64, vec)
    return advance, last


@functools.lru_cache(maxsize=1)
def _driver():
    """The parallel driver: one compiled signature for every template, cached on disk."""
    t = numba.types
    advance, last = _types()
    sig = t.void(t.FunctionType(advance), t.FunctionType(last), t.float64[:, ::1], t.int64,
                 t.float64[::1], t.float64, t.float64, t.int64, t.int64, t.float64[::1], t.int64, t.int64,
                 t.float64[:, ::1], t.int8[::1], t.int64[::1], t.float64[::1], t.float64[::1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", numba.NumbaWarning)
        try:  # the driver is the same for every template: cache it on disk across processes
            return numba.njit(sig, parallel=True, **{**_OPTS, "cache": True})(_fused)
        except Exception:  # noqa: BLE001 - no writable cache directory: compile in memory
            return numba.njit(sig, parallel=True, **_OPTS)(_fused)


# -- the step functions of a template ------------------------------------------

_STEPS = '''\
def advance(S, m, n, P):
    """``n`` steps in place on the first ``m`` points of a chunk."""
{load_params}
    for _ in range(n):
        for j in range(m):
{load_S12}
{body12}
{store_S12}


def last(S, A, d2, n2, m, P):
    """One step from ``S`` into ``A``; ``||f(x) - x||^2`` into d2, ``||f(x)||^2`` into n2."""
{load_params}
    for j in range(m):
{load_S8}
{body8}
{store_A8}
        d2[j] = {norm_diff}
        n2[j] = {norm_out}
'''


def _indent(lines, n):
    return "\n".join(" " * n + ln for ln in lines)


def kernel_source(template, state, params, chunk=None):
    """The Python source of a template's step functions, and its operation count."""
    d = len(state)
    C = chunk or _chunk_for(d)
    body, ops = _body(template, state, params)
    # sums in coordinate order from the first term, as numpy's einsum accumulates them
    norm_diff = " + ".join(f"(_o{i} - _s{i}) * (_o{i} - _s{i})" for i in range(d))
    norm_out = " + ".join(f"_o{i} * _o{i}" for i in range(d))
    load = [f"_s{i} = S[{i * C} + j]" for i in range(d)]
    src = _STEPS.format(
        load_params=_indent([f"_p{k} = P[{k}]" for k in range(len(params))] or ["pass"], 4),
        **{f"load_S{n}": _indent(load, n) for n in (8, 12)},
        **{f"body{n}": _indent(body, n) for n in (8, 12)},
        store_S12=_indent([f"S[{i * C} + j] = _o{i}" for i in range(d)], 12),
        store_A8=_indent([f"A[{i * C} + j] = _o{i}" for i in range(d)], 8),
        norm_diff=norm_diff, norm_out=norm_out,
    )
    return src, ops


def _chunk_for(d):
    c = _CHUNK_BYTES // (8 * d)
    c = 1 << max(0, c.bit_length() - 1)  # a power of two
    return int(min(_CHUNK_MAX, max(_CHUNK_MIN, c)))


_compiled_keys: set = set()


@functools.lru_cache(maxsize=256)
def _compiled(template, state, params):
    """The compiled step functions of a template, or None; cached per template."""
    _compiled_keys.add((template, state, params))
    try:
        src, ops = kernel_source(template, state, params)
    except Exception:  # noqa: BLE001 - anything the printer cannot translate: no fused engine
        return None
    if ops > MAX_OPS:
        return None
    namespace = {"np": np, "math": math, **_nan_helpers()}
    advance_t, last_t = _types()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            exec(compile(src, f"<gdmaps fused steps {os.urandom(4).hex()}>", "exec"), namespace)
            advance = numba.njit(advance_t, **_OPTS)(namespace["advance"])
            last = numba.njit(last_t, **_OPTS)(namespace["last"])
    except Exception:  # noqa: BLE001 - a typing failure in numba: no fused engine
        return None
    return _Steps(advance, last, len(state), _chunk_for(len(state)), src, ops)
