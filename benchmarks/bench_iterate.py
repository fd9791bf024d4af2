"""Throughput of gdmaps.iterate against hand-written numpy and numba code.

Run:  python benchmarks/bench_iterate.py [--points N] [--steps S] [--repeats R] [--quick]

For each GD map and step size, times ``gdmaps.iterate(gdmap.at(eta), x0, steps,
backend=...)`` with the numpy and the fused numba engine, against

* hand numpy: the vectorized update a researcher would write (1-D arrays per
  parameter, or batched matmul for the linear network) with the same fate
  checks every 10 steps (divergence/convergence masks, compaction);
* hand fused: a numba kernel of the same update, points innermost in chunks,
  steps and checks inside the kernel, ``prange`` over chunks; timed on 1 and 2
  threads (the gdmaps fused engine too).

Throughput is M point-steps/s over the point-steps each implementation
actually executed (orbits leave the batch when they converge or diverge), so
the fraction executed is printed per case. Best of ``--repeats`` after a
warm-up run (numba compilation is timed separately); runs longer than 8 s are
not repeated. Results go to ``benchmarks/results/iterate.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import sympy as sp

import gdmaps
from gdmaps import GDMap

try:
    import numba
    from numba import njit, prange
except ImportError:  # pragma: no cover
    numba = None

CHECK_EVERY = 10
TOL = 1e-9
BLOWUP = 1e8
HAND_CHUNK = 1024  # points per chunk in the hand-written kernels (16 KB per coordinate pair)


# -- the maps -------------------------------------------------------------------


def ab_map():
    a, b = sp.symbols("a b")
    return GDMap((a * b - 1) ** 2 / 2, [a, b])


def chain3_map():
    w = sp.symbols("w1:4")
    return GDMap((w[0] * w[1] * w[2] - 1) ** 2 / 2, list(w))


def linnet_data():
    rng = np.random.default_rng(12345)
    X = rng.normal(size=(3, 20))
    M = rng.normal(size=(3, 3))
    return X, M @ X


def linnet_map():
    """1/2 sum ||W2 W1 X - Y||_F^2, W1, W2 3x3 (18 parameters, W1 then W2, row-major)."""
    X, Y = linnet_data()
    try:
        from gdmaps.models import linear_network
    except ImportError:
        linear_network = None
    if linear_network is not None:
        return linear_network(X, Y, [3]), "gdmaps.models.linear_network"
    exact = lambda A: sp.Matrix(A.shape[0], A.shape[1],  # noqa: E731
                                lambda i, j: sp.Rational(repr(float(A[i, j]))))
    W1 = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"W1_{i}_{j}"))
    W2 = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"W2_{i}_{j}"))
    R = W2 * W1 * exact(X) - exact(Y)
    loss = sum(e**2 for e in R) / 2
    return GDMap(loss, list(W1) + list(W2)), "sympy Matrix ops (benchmark)"


# -- hand-written numpy ---------------------------------------------------------


def _hand_loop(state, step, steps, *, n_points):
    """The check loop a researcher writes: ``state`` a list of arrays with points last.

    Records the fate, the step it was decided at and the final state (converged:
    where it stopped; moving: after ``steps`` steps), the outputs of an analysis.
    """
    N = n_points
    fate = np.zeros(N, np.int8)
    decided_at = np.full(N, -1)
    final = np.full((N, sum(u.size // u.shape[-1] for u in state)), np.nan)
    idx = np.arange(N)
    blow2 = BLOWUP * BLOWUP
    executed = 0
    t = 0
    flat = lambda s, n: np.concatenate([u.reshape(-1, n) for u in s])  # noqa: E731
    with np.errstate(all="ignore"):
        while t < steps and idx.size:
            k = min(CHECK_EVERY, steps - t)
            for _ in range(k - 1):
                state = step(state)
            new = step(state)
            t += k
            executed += k * idx.size
            disp2 = sum(((u - v) ** 2).reshape(-1, idx.size).sum(axis=0) for u, v in zip(new, state))
            nrm2 = sum((u * u).reshape(-1, idx.size).sum(axis=0) for u in new)
            bad = ~(nrm2 <= blow2)
            conv = ~bad & (disp2 <= TOL * TOL)
            fate[idx[bad]], fate[idx[conv]] = 2, 1
            decided_at[idx[bad | conv]] = t
            if conv.any():
                final[idx[conv]] = flat(new, idx.size)[:, conv].T
            keep = ~(bad | conv)
            state = [u[..., keep] for u in new]
            idx = idx[keep]
        if idx.size:
            final[idx] = flat(state, idx.size).T
    return fate, decided_at, executed


def hand_numpy_ab(X, eta, steps):
    """(ab - 1)^2/2 written out: one array per parameter, checks every 10 steps."""
    N = len(X)
    a, b = X[:, 0].copy(), X[:, 1].copy()
    fate, decided_at = np.zeros(N, np.int8), np.full(N, -1)
    final = np.full((N, 2), np.nan)
    idx = np.arange(N)
    blow2, tol2 = BLOWUP * BLOWUP, TOL * TOL
    executed = t = 0
    with np.errstate(all="ignore"):
        while t < steps and idx.size:
            k = min(CHECK_EVERY, steps - t)
            for _ in range(k - 1):
                r = eta * (a * b - 1)
                a, b = a - r * b, b - r * a
            r = eta * (a * b - 1)
            a1, b1 = a - r * b, b - r * a
            t += k
            executed += k * idx.size
            bad = ~(a1 * a1 + b1 * b1 <= blow2)
            conv = ~bad & ((a1 - a) ** 2 + (b1 - b) ** 2 <= tol2)
            fate[idx[bad]], fate[idx[conv]] = 2, 1
            decided_at[idx[bad | conv]] = t
            final[idx[conv], 0], final[idx[conv], 1] = a1[conv], b1[conv]
            keep = ~(bad | conv)
            a, b, idx = a1[keep], b1[keep], idx[keep]
        final[idx, 0], final[idx, 1] = a, b
    return fate, decided_at, executed


def hand_numpy_chain3(X, eta, steps):
    """(w1 w2 w3 - 1)^2/2 written out."""
    N = len(X)
    u, v, w = (X[:, i].copy() for i in range(3))
    fate, decided_at = np.zeros(N, np.int8), np.full(N, -1)
    final = np.full((N, 3), np.nan)
    idx = np.arange(N)
    blow2, tol2 = BLOWUP * BLOWUP, TOL * TOL
    executed = t = 0
    with np.errstate(all="ignore"):
        while t < steps and idx.size:
            k = min(CHECK_EVERY, steps - t)
            for _ in range(k - 1):
                e = eta * (u * v * w - 1)
                u, v, w = u - e * v * w, v - e * u * w, w - e * u * v
            e = eta * (u * v * w - 1)
            u1, v1, w1 = u - e * v * w, v - e * u * w, w - e * u * v
            t += k
            executed += k * idx.size
            bad = ~(u1 * u1 + v1 * v1 + w1 * w1 <= blow2)
            conv = ~bad & ((u1 - u) ** 2 + (v1 - v) ** 2 + (w1 - w) ** 2 <= tol2)
            fate[idx[bad]], fate[idx[conv]] = 2, 1
            decided_at[idx[bad | conv]] = t
            final[idx[conv]] = np.c_[u1[conv], v1[conv], w1[conv]]
            keep = ~(bad | conv)
            u, v, w, idx = u1[keep], v1[keep], w1[keep], idx[keep]
        final[idx] = np.c_[u, v, w]
    return fate, decided_at, executed


def hand_numpy_linnet(X, eta, steps):
    """Batched matmul over (3, 3, N) weights (points last, so compaction is a column mask)."""
    Xd, Yd = linnet_data()
    Sxx, Syx = Xd @ Xd.T, Yd @ Xd.T
    N = len(X)
    W1 = np.ascontiguousarray(X[:, :9].reshape(N, 3, 3).transpose(1, 2, 0))
    W2 = np.ascontiguousarray(X[:, 9:].reshape(N, 3, 3).transpose(1, 2, 0))

    def step(s):
        W1, W2 = s
        P = np.einsum("ikn,kln->iln", W2, W1)
        G = np.einsum("ikn,kl->iln", P, Sxx) - Syx[:, :, None]
        return [W1 - eta * np.einsum("kin,kln->iln", W2, G),
                W2 - eta * np.einsum("ikn,lkn->iln", G, W1)]
    return _hand_loop([W1, W2], step, steps, n_points=N)


def hand_numpy_linnet_matmul(X, eta, steps):
    """The same with (N, 3, 3) arrays and ``@`` (the other natural way to write it)."""
    Xd, Yd = linnet_data()
    Sxx, Syx = Xd @ Xd.T, Yd @ Xd.T
    N = len(X)
    fate = np.zeros(N, np.int8)
    decided_at = np.full(N, -1)
    idx = np.arange(N)
    W1, W2 = X[:, :9].reshape(N, 3, 3).copy(), X[:, 9:].reshape(N, 3, 3).copy()
    final = np.full((N, 18), np.nan)
    blow2 = BLOWUP * BLOWUP
    executed = t = 0
    with np.errstate(all="ignore"):
        while t < steps and idx.size:
            k = min(CHECK_EVERY, steps - t)
            for s in range(k):
                G = W2 @ W1 @ Sxx - Syx
                W1n, W2n = W1 - eta * (W2.mT @ G), W2 - eta * (G @ W1.mT)
                if s < k - 1:
                    W1, W2 = W1n, W2n
            t += k
            executed += k * idx.size
            disp2 = ((W1n - W1) ** 2).sum(axis=(1, 2)) + ((W2n - W2) ** 2).sum(axis=(1, 2))
            nrm2 = (W1n ** 2).sum(axis=(1, 2)) + (W2n ** 2).sum(axis=(1, 2))
            bad = ~(nrm2 <= blow2)
            conv = ~bad & (disp2 <= TOL * TOL)
            fate[idx[bad]], fate[idx[conv]] = 2, 1
            decided_at[idx[bad | conv]] = t
            if conv.any():
                final[idx[conv]] = np.concatenate([W1n[conv].reshape(-1, 9), W2n[conv].reshape(-1, 9)], 1)
            keep = ~(bad | conv)
            W1, W2, idx = W1n[keep], W2n[keep], idx[keep]
        final[idx] = np.concatenate([W1.reshape(-1, 9), W2.reshape(-1, 9)], 1)
    return fate, decided_at, executed


# -- hand-written fused numba kernels ------------------------------------------

if numba is not None:
    _jit = dict(parallel=True, fastmath=False, error_model="numpy", cache=False)

    @njit(**_jit)
    def _hand_fused_ab(X, eta, steps, tol2, blow2, check_every, chunk, fate, decided_at, final):
        N = X.shape[0]
        nch = (N + chunk - 1) // chunk
        for c in prange(nch):
            lo = c * chunk
            m = min(N, lo + chunk) - lo
            a = np.empty(chunk)
            b = np.empty(chunk)
            gid = np.empty(chunk, np.int64)
            for j in range(m):
                a[j], b[j], gid[j] = X[lo + j, 0], X[lo + j, 1], lo + j
            t = 0
            while t < steps and m > 0:
                k = min(check_every, steps - t)
                for _ in range(k - 1):
                    for j in range(m):
                        r = eta * (a[j] * b[j] - 1.0)
                        an = a[j] - r * b[j]
                        b[j] = b[j] - r * a[j]
                        a[j] = an
                t += k
                new = 0
                for j in range(m):
                    aj, bj = a[j], b[j]
                    r = eta * (aj * bj - 1.0)
                    an, bn = aj - r * bj, bj - r * aj
                    if not (an * an + bn * bn <= blow2):
                        fate[gid[j]], decided_at[gid[j]] = 2, t
                    elif (an - aj) ** 2 + (bn - bj) ** 2 <= tol2:
                        fate[gid[j]], decided_at[gid[j]] = 1, t
                        final[gid[j], 0], final[gid[j], 1] = an, bn
                    else:
                        a[new], b[new], gid[new] = an, bn, gid[j]
                        new += 1
                m = new
            for j in range(m):
                final[gid[j], 0], final[gid[j], 1] = a[j], b[j]

    @njit(**_jit)
    def _hand_fused_chain3(X, eta, steps, tol2, blow2, check_every, chunk, fate, decided_at, final):
        N = X.shape[0]
        nch = (N + chunk - 1) // chunk
        for c in prange(nch):
            lo = c * chunk
            m = min(N, lo + chunk) - lo
            u = np.empty(chunk)
            v = np.empty(chunk)
            w = np.empty(chunk)
            gid = np.empty(chunk, np.int64)
            for j in range(m):
                u[j], v[j], w[j], gid[j] = X[lo + j, 0], X[lo + j, 1], X[lo + j, 2], lo + j
            t = 0
            while t < steps and m > 0:
                k = min(check_every, steps - t)
                for _ in range(k - 1):
                    for j in range(m):
                        e = eta * (u[j] * v[j] * w[j] - 1.0)
                        un, vn, wn = u[j] - e * v[j] * w[j], v[j] - e * u[j] * w[j], w[j] - e * u[j] * v[j]
                        u[j], v[j], w[j] = un, vn, wn
                t += k
                new = 0
                for j in range(m):
                    uj, vj, wj = u[j], v[j], w[j]
                    e = eta * (uj * vj * wj - 1.0)
                    un, vn, wn = uj - e * vj * wj, vj - e * uj * wj, wj - e * uj * vj
                    if not (un * un + vn * vn + wn * wn <= blow2):
                        fate[gid[j]], decided_at[gid[j]] = 2, t
                    elif (un - uj) ** 2 + (vn - vj) ** 2 + (wn - wj) ** 2 <= tol2:
                        fate[gid[j]], decided_at[gid[j]] = 1, t
                        final[gid[j], 0], final[gid[j], 1], final[gid[j], 2] = un, vn, wn
                    else:
                        u[new], v[new], w[new], gid[new] = un, vn, wn, gid[j]
                        new += 1
                m = new
            for j in range(m):
                final[gid[j], 0], final[gid[j], 1], final[gid[j], 2] = u[j], v[j], w[j]

    @njit(fastmath=False, error_model="numpy")
    def _linnet_step(W, Wn, P, G, m, eta, Sxx, Syx):
        """One GD step of the first m points: W[0:9] = W1, W[9:18] = W2 (row-major) -> Wn.

        Matrix products written as loops over entries with the points innermost, so
        every inner loop is a contiguous, vectorizable sweep over the chunk.
        """
        for i in range(3):  # P = W2 W1
            for col in range(3):
                for j in range(m):
                    P[3 * i + col, j] = (W[9 + 3 * i, j] * W[col, j] + W[10 + 3 * i, j] * W[3 + col, j]
                                         + W[11 + 3 * i, j] * W[6 + col, j])
        for i in range(3):  # G = P Sxx - Syx  (= (W2 W1 X - Y) X^T)
            for col in range(3):
                s0, s1, s2, y = Sxx[0, col], Sxx[1, col], Sxx[2, col], Syx[i, col]
                for j in range(m):
                    G[3 * i + col, j] = (P[3 * i, j] * s0 + P[3 * i + 1, j] * s1
                                         + P[3 * i + 2, j] * s2 - y)
        for k in range(3):
            for col in range(3):
                for j in range(m):  # W1 -= eta W2^T G
                    g1 = W[9 + k, j] * G[col, j] + W[12 + k, j] * G[3 + col, j] + W[15 + k, j] * G[6 + col, j]
                    Wn[3 * k + col, j] = W[3 * k + col, j] - eta * g1
                for j in range(m):  # W2 -= eta G W1^T
                    g2 = G[3 * k, j] * W[3 * col, j] + G[3 * k + 1, j] * W[3 * col + 1, j] \
                        + G[3 * k + 2, j] * W[3 * col + 2, j]
                    Wn[9 + 3 * k + col, j] = W[9 + 3 * k + col, j] - eta * g2

    @njit(**_jit)
    def _hand_fused_linnet(X, eta, steps, tol2, blow2, check_every, chunk, fate, decided_at,
                           final, Sxx, Syx):
        N = X.shape[0]
        chunk = min(chunk, 256)  # 18 + 18 + 9 + 9 rows of 256 doubles: 108 KB, L2
        nch = (N + chunk - 1) // chunk
        for c in prange(nch):
            lo = c * chunk
            m = min(N, lo + chunk) - lo
            W = np.empty((18, chunk))
            Wn = np.empty((18, chunk))
            P = np.empty((9, chunk))
            G = np.empty((9, chunk))
            gid = np.empty(chunk, np.int64)
            for j in range(m):
                gid[j] = lo + j
                for i in range(18):
                    W[i, j] = X[lo + j, i]
            t = 0
            while t < steps and m > 0:
                k = min(check_every, steps - t)
                for _ in range(k):
                    _linnet_step(W, Wn, P, G, m, eta, Sxx, Syx)
                    if _ < k - 1:
                        W, Wn = Wn, W
                t += k
                new = 0
                for j in range(m):
                    d2 = 0.0
                    n2 = 0.0
                    for i in range(18):
                        d2 += (Wn[i, j] - W[i, j]) ** 2
                        n2 += Wn[i, j] ** 2
                    if not (n2 <= blow2):
                        fate[gid[j]], decided_at[gid[j]] = 2, t
                    elif d2 <= tol2:
                        fate[gid[j]], decided_at[gid[j]] = 1, t
                        for i in range(18):
                            final[gid[j], i] = Wn[i, j]
                    else:
                        for i in range(18):
                            W[i, new] = Wn[i, j]
                        gid[new] = gid[j]
                        new += 1
                m = new
            for j in range(m):
                for i in range(18):
                    final[gid[j], i] = W[i, j]


def hand_fused(kernel, *extra):
    def run(X, eta, steps):
        N = len(X)
        fate = np.zeros(N, np.int8)
        decided_at = np.full(N, -1, np.int64)
        final = np.full(X.shape, np.nan)
        kernel(np.ascontiguousarray(X), float(eta), int(steps), TOL * TOL, BLOWUP * BLOWUP,
               CHECK_EVERY, HAND_CHUNK, fate, decided_at, final, *extra)
        executed = int(np.where(decided_at >= 0, decided_at, steps).sum())
        return fate, decided_at, executed
    return run


# -- the cases ------------------------------------------------------------------


def cases():
    Xd, Yd = linnet_data()
    linnet, how = linnet_map()
    out = [
        dict(name="(ab-1)^2/2", key="ab", map=ab_map(), dim=2, scale=1.0,
             etas=[("above", 1.2), ("below", 0.5)], eta_star="1",
             hand_numpy=hand_numpy_ab,
             hand_fused=hand_fused(_hand_fused_ab) if numba else None),
        dict(name="(w1w2w3-1)^2/2", key="chain3", map=chain3_map(), dim=3, scale=1.0,
             etas=[("above", 0.8), ("below", 0.5)], eta_star="2/3",
             hand_numpy=hand_numpy_chain3,
             hand_fused=hand_fused(_hand_fused_chain3) if numba else None),
        dict(name="linear net 3-3-3, n=20", key="linnet", map=linnet, dim=18, scale=0.5,
             etas=[("above", 0.02), ("below", 0.01)], eta_star="in (0.015, 0.02), measured",
             hand_numpy=hand_numpy_linnet, hand_numpy_alt=hand_numpy_linnet_matmul,
             hand_fused=(hand_fused(_hand_fused_linnet, Xd @ Xd.T, Yd @ Xd.T)
                         if numba else None),
             built_with=how),
    ]
    return out


# -- timing ---------------------------------------------------------------------


#: A run longer than this is not repeated (the slow numpy runs of the linear network).
LONG_RUN = 8.0


def best_of(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if times[-1] > LONG_RUN:
            break
    return min(times), out


def executed_of(result, steps):
    return int(np.where(result.decided_at >= 0, result.decided_at, steps).sum())


def set_threads(n):
    if numba is not None:
        numba.set_num_threads(n)


def run_case(case, eta_label, eta, args):
    N, steps = args.points, args.steps
    rng = np.random.default_rng(2024)
    X0 = rng.normal(scale=case["scale"], size=(N, case["dim"]))
    g = case["map"].at(eta)
    rows = {}

    def record(label, seconds, executed, fate, extra=None):
        rows[label] = dict(seconds=seconds, executed=executed,
                           mps=executed / seconds / 1e6,
                           counts=np.bincount(fate, minlength=3).tolist(), **(extra or {}))

    # gdmaps, numpy engine (warm: lambdify once)
    gdmaps.iterate(g, X0[:100], 20, backend="numpy")
    s, r = best_of(lambda: gdmaps.iterate(g, X0, steps, backend="numpy"), args.repeats)
    record("gdmaps numpy", s, executed_of(r, steps), r.fate)
    executed = executed_of(r, steps)
    # hand numpy
    s, (fate, _, ex) = best_of(lambda: case["hand_numpy"](X0, eta, steps), args.repeats)
    record("hand numpy", s, ex, fate)
    if "hand_numpy_alt" in case:
        s, (fate, _, ex) = best_of(lambda: case["hand_numpy_alt"](X0, eta, steps), args.repeats)
        record("hand numpy (N,3,3) @", s, ex, fate)
    if numba is not None:
        compile_s = None
        t0 = time.perf_counter()
        gdmaps.iterate(g, X0[:100], 20, backend="numba")  # compiles once per template
        compile_s = time.perf_counter() - t0
        case["hand_fused"](X0[:100], eta, 20)
        for threads in (1, 2):
            set_threads(threads)
            s, r = best_of(lambda: gdmaps.iterate(g, X0, steps, backend="numba"), args.repeats)
            record(f"gdmaps numba {threads}t", s, executed_of(r, steps), r.fate,
                   dict(first_call_seconds=compile_s))
            s, (fate, _, ex) = best_of(lambda: case["hand_fused"](X0, eta, steps), args.repeats)
            record(f"hand fused {threads}t", s, ex, fate)
        set_threads(args.threads)
    ratios = {"gdmaps numpy / hand numpy": rows["gdmaps numpy"]["seconds"] / rows["hand numpy"]["seconds"]}
    if numba is not None:
        for t in (1, 2):
            ratios[f"gdmaps numba / hand fused ({t}t)"] = (
                rows[f"gdmaps numba {t}t"]["seconds"] / rows[f"hand fused {t}t"]["seconds"])
    return dict(case=case["name"], key=case["key"], eta=eta, regime=eta_label,
                eta_star=case["eta_star"], points=N, steps=steps,
                executed_fraction=executed / (N * steps), rows=rows, ratios=ratios,
                **({"built_with": case["built_with"]} if "built_with" in case else {}))


def machine():
    info = dict(python=sys.version.split()[0], numpy=np.__version__, sympy=sp.__version__,
                platform=platform.platform(), cpus=os.cpu_count())
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    if numba is not None:
        info["numba"] = numba.__version__
        try:
            info["numba_threading_layer"] = numba.threading_layer()
        except ValueError:
            pass
    info["loadavg_1_5_15"] = list(os.getloadavg())
    info["env"] = {k: v for k, v in os.environ.items()
                   if k.startswith(("OPENBLAS", "OMP_", "MKL_", "NUMBA_"))}
    return info


def print_table(results):
    impls = ["gdmaps numpy", "hand numpy", "hand numpy (N,3,3) @", "gdmaps numba 1t",
             "hand fused 1t", "gdmaps numba 2t", "hand fused 2t"]
    head = f"{'case':<24}{'eta':>6} {'regime':<6}{'exec':>6}  " + "".join(
        f"{h:>13}" for h in ["gd numpy", "hand numpy", "hand np @", "gd numba 1t",
                             "hand fus 1t", "gd numba 2t", "hand fus 2t"])
    print("M point-steps/s (executed point-steps / best time)")
    print(head)
    print("-" * len(head))
    for r in results:
        cells = []
        for k in impls:
            row = r["rows"].get(k)
            cells.append(f"{row['mps']:>13.1f}" if row else f"{'-':>13}")
        print(f"{r['case']:<24}{r['eta']:>6g} {r['regime']:<6}{r['executed_fraction']:>6.2f}  "
              + "".join(cells))
    print()
    print("ratios of times (> 1: gdmaps slower)")
    keys = list(results[0]["ratios"])
    print(f"{'case':<24}{'eta':>6}  " + "".join(f"{k:>34}" for k in keys))
    for r in results:
        print(f"{r['case']:<24}{r['eta']:>6g}  " + "".join(f"{r['ratios'][k]:>34.2f}" for k in keys))
    print()
    print("fate counts [moving, converged, diverged] per implementation:")
    for r in results:
        counts = {k: v["counts"] for k, v in r["rows"].items()}
        print(f"  {r['case']} eta={r['eta']:g}: " + "; ".join(f"{k} {v}" for k, v in counts.items()))
    if numba is not None:
        print("first gdmaps numba call (compile) per case: " + ", ".join(
            f"{r['key']}@{r['eta']:g} {r['rows']['gdmaps numba 1t']['first_call_seconds']:.1f}s"
            for r in results))


def interpret(results):
    lines = []
    for r in results:
        rt = r["ratios"]
        s = (f"{r['case']} eta={r['eta']:g}: gdmaps numpy is {rt['gdmaps numpy / hand numpy']:.2f}x"
             f" the hand numpy time (goal <= 1.3)")
        if numba is not None:
            s += (f"; fused engine {rt['gdmaps numba / hand fused (1t)']:.2f}x (1 thread) and"
                  f" {rt['gdmaps numba / hand fused (2t)']:.2f}x (2 threads) the hand kernel"
                  f" (goal <= 1.5)")
        lines.append(s)
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=100_000)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="10^4 points, 300 steps, 5 repeats")
    p.add_argument("--cases", default="ab,chain3,linnet", help="comma-separated: ab,chain3,linnet")
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "iterate.json"))
    args = p.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs"
          + ("  (busy machine: 2-thread numbers are unreliable)" if load > 0.5 else ""))
    if args.quick:
        args.points, args.steps, args.repeats = 10_000, 300, 5
    args.threads = numba.get_num_threads() if numba is not None else 1
    wanted = set(args.cases.split(","))
    results = []
    for case in cases():
        if case["key"] not in wanted:
            continue
        for label, eta in case["etas"]:
            results.append(run_case(case, label, eta, args))
            r = results[-1]
            print(f"  done {r['case']} eta={eta:g}", file=sys.stderr, flush=True)
    print_table(results)
    print()
    for line in interpret(results):
        print(line)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(machine=machine(), settings=dict(
        points=args.points, steps=args.steps, repeats=args.repeats, check_every=CHECK_EVERY,
        tol=TOL, blowup=BLOWUP, hand_chunk=HAND_CHUNK), results=results), indent=2))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
