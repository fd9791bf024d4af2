"""The numpy engine: the step loop in Python, each step a handful of array operations.

The state is a list of coordinate rows, each a contiguous 1-D array, passed
straight to the compiled step (no stacking between steps). Steps run without
checks in blocks of ``check_every``; at each check, decided orbits leave the
batch. Inside the final window (and when the trajectory is kept) the engine
steps one at a time to record ``||f(x) - x||``.

The stopping test at a check is ``||f(x) - x|| <= tol_i + rtol * ||f(x)||`` with a
tolerance ``tol_i`` per orbit, or, with ``loss_stop = (loss, gap)``, ``loss(x) <= gap_i``.
An orbit that passes it leaves the batch with fate 1 ("stopped"): whether it converged or
stalled at an unstable point is decided afterwards by :func:`gdmaps.basins.iterate`.
"""

from __future__ import annotations

import numpy as np

from gdmaps.core.batch import advance, as_rows, escaped, sum_squares

__all__ = ["run_numpy"]

MOVING, CONVERGED, DIVERGED = 0, 1, 2


def run_numpy(numeric, X, steps, *, tol, blowup, check_every, window, keep_trajectory=False,
              rtol=0.0, loss_stop=None, tick=None):
    """Run ``steps`` steps of ``numeric`` from the ``(N, d)`` batch ``X``; raw result fields.

    ``tol`` is a float or an ``(N,)`` array of displacement tolerances; ``loss_stop`` is None
    or ``(loss, gap)``: a batched loss ``(n, d) -> (n,)`` and an ``(N,)`` array of values;
    ``tick`` is None or called with the steps done at every check (a progress bar).
    """
    N, d = X.shape
    tol = np.broadcast_to(np.asarray(tol, dtype=float), (N,)).copy()
    gap = None if loss_stop is None else np.broadcast_to(np.asarray(loss_stop[1], dtype=float), (N,))
    final = np.empty((N, d))
    fate = np.zeros(N, dtype=np.int8)
    decided_at = np.full(N, -1, dtype=np.int64)
    displacement = np.full(N, np.inf)
    asym = np.zeros(N)
    traj = None
    if keep_trajectory:
        traj = np.full((steps + 1, N, d), np.nan)
        traj[0] = X
    step = numeric.step_rows
    win_start = steps - window
    rows = [np.ascontiguousarray(c, dtype=float) for c in X.T]
    idx = np.arange(N)
    n = N
    last_ok = rows
    t = 0
    with np.errstate(all="ignore"):
        while t < steps and n:
            if keep_trajectory or t >= win_start:
                k = 1
            else:
                k = min(check_every - t % check_every, win_start - t)
                rows = as_rows(advance(step, rows, k - 1), n)
            after = as_rows(step(rows), n)
            t += k
            disp = np.sqrt(sum_squares([a - s for a, s in zip(after, rows)]))
            if t > win_start:
                asym[idx] += disp
            if traj is not None:
                traj[t, idx] = np.stack(after, axis=1)
            if t % check_every and t < steps:
                rows = after
                continue
            if tick is not None:
                tick(t)
            bad, nrm2 = escaped(after, blowup)
            if rtol:  # nrm2 = inf (overflow): never
                conv = ~bad & (disp <= tol + rtol * np.sqrt(nrm2)) & ~(nrm2 == np.inf)
            else:
                conv = ~bad & (disp <= tol)
            if gap is not None and not conv.all():
                with np.errstate(all="ignore"):
                    conv |= ~bad & (loss_stop[0](np.stack(rows, axis=1)) <= gap[idx])
            if conv.any():
                i = idx[conv]
                for c in range(d):
                    final[i, c] = rows[c][conv]
                fate[i] = CONVERGED
                decided_at[i] = t
                displacement[i] = disp[conv]
                # frozen for the window steps not yet recorded
                asym[i] += (steps - max(t, win_start)) * disp[conv]
                if traj is not None:
                    traj[t:, i] = np.stack([r[conv] for r in rows], axis=1)
            if bad.any():
                i = idx[bad]
                for c in range(d):
                    final[i, c] = last_ok[c][bad]
                fate[i] = DIVERGED
                decided_at[i] = t
            keep = ~(conv | bad)
            if keep.all():
                rows = after
            else:
                rows, idx, tol = [a[keep] for a in after], idx[keep], tol[keep]
                n = idx.size
            last_ok = rows
        if n:  # still moving: the displacement at the final state
            after = as_rows(step(rows), n)
            for c in range(d):
                final[idx, c] = rows[c]
            displacement[idx] = np.sqrt(sum_squares([a - s for a, s in zip(after, rows)]))
    asym /= window
    asym[fate == DIVERGED] = np.inf
    return dict(final=final, fate=fate, decided_at=decided_at, displacement=displacement,
                asymptotic_displacement=asym, trajectory=traj)
