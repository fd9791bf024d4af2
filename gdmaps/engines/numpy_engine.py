"""The numpy engine: the step loop in Python, each step a handful of array operations.

Steps run without checks in chunks of ``check_every``; at each check, decided
orbits leave the batch. Inside the final window (and when the trajectory is
kept) the engine steps one at a time to record ``||f(x) - x||``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["run_numpy"]

MOVING, CONVERGED, DIVERGED = 0, 1, 2


def run_numpy(numeric, X, steps, *, tol, blowup, check_every, window, keep_trajectory=False):
    """Run ``steps`` steps of ``numeric`` from the ``(N, d)`` batch ``X``; raw result fields."""
    N, d = X.shape
    final = np.empty((N, d))
    fate = np.zeros(N, dtype=np.int8)
    decided_at = np.full(N, -1, dtype=np.int64)
    displacement = np.full(N, np.inf)
    asym = np.zeros(N)
    traj = None
    if keep_trajectory:
        traj = np.full((steps + 1, N, d), np.nan)
        traj[0] = X
    win_start = steps - window
    blow2 = blowup * blowup
    S = np.ascontiguousarray(X.T)
    idx = np.arange(N)
    last_ok = S
    t = 0
    with np.errstate(all="ignore"):
        while t < steps and idx.size:
            per_step = keep_trajectory or t >= win_start
            if per_step:
                k = 1
            else:
                k = min(check_every - t % check_every, win_start - t)
                S = numeric.advance_T(S, k - 1)
            after = numeric.step_T(S)
            t += k
            diff = after - S
            disp = np.sqrt(np.einsum("ij,ij->j", diff, diff))
            if t > win_start:
                asym[idx] += disp
            if traj is not None:
                traj[t, idx] = after.T
            if t % check_every and t < steps:
                S = after
                continue
            nrm2 = np.einsum("ij,ij->j", after, after)
            bad = ~(nrm2 <= blow2)  # nan counts as bad
            over = nrm2 == np.inf
            if over.any():  # the squared norm overflowed: ask the coordinates themselves
                cols = np.flatnonzero(over)
                bad[cols] = ~np.isfinite(after[:, cols]).all(axis=0) | (blowup < np.inf)
            conv = ~bad & (disp <= tol)
            if conv.any():
                i = idx[conv]
                final[i] = S[:, conv].T
                fate[i] = CONVERGED
                decided_at[i] = t
                displacement[i] = disp[conv]
                asym[i] += (steps - t) * disp[conv]  # frozen for the rest of the window
                if traj is not None:
                    traj[t:, i] = S[:, conv].T
            if bad.any():
                i = idx[bad]
                final[i] = last_ok[:, bad].T
                fate[i] = DIVERGED
                decided_at[i] = t
            keep = ~(conv | bad)
            if keep.all():
                S = after
            else:
                S, idx = after[:, keep], idx[keep]
            last_ok = S
        if idx.size:  # still moving: the displacement at the final state
            after = numeric.step_T(S)
            diff = after - S
            final[idx] = S.T
            displacement[idx] = np.sqrt(np.einsum("ij,ij->j", diff, diff))
    asym /= window
    asym[fate == DIVERGED] = np.inf
    return dict(final=final, fate=fate, decided_at=decided_at, displacement=displacement,
                asymptotic_displacement=asym, trajectory=traj)
