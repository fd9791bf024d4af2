"""Damped Newton: the step-halving line search shared by the batched Newton solvers.

Two solvers take Newton steps on a batch of candidates and damp them the same way:
multiple-shooting Newton for periodic orbits (:func:`gdmaps.orbits.periodic_orbits`) and
the preimages of :func:`gdmaps.stable_manifold`. They differ in the Newton direction (a
Schur complement of the block-cyclic Jacobian against one d x d solve) and in what they
do when no halving helps (take the step anyway against give up), and share this routine.

Left alone, and why: fixed points by Newton with Farrell deflation and pseudo-inverse
steps (the deflation rescales the step, there is no line search); the Krawczyk polish
and ``refine_mpmath`` (one point, in ball arithmetic or mpmath, stopped when the step
stops shrinking); pseudo-arclength continuation (a bordered system with a step-length
controller).
"""

from __future__ import annotations

import numpy as np

__all__ = ["backtrack"]


def backtrack(trial, r, s, *, halvings, floor=0.0):
    """Halve Newton steps until the residual decreases: the trial points and their residuals.

    Parameters
    ----------
    trial : callable ``(sel, s) -> (X_new, F_new, r_new)``
        For the candidates ``sel`` (an index array, or ``slice(None)`` for all) and their step
        factors ``s``: the points ``X + s D`` (X the candidates, D their Newton directions,
        in the solver's own shapes), their residuals ``F`` and residual sizes ``r``.
    r : ndarray (n,)
        The residual sizes at the candidates.
    s : ndarray (n,)
        The first step factors (1, or less where a step is capped).
    halvings : int, keyword-only
        Halvings at most.
    floor : float, keyword-only
        A factor at or below ``floor`` is not halved further.

    Returns
    -------
    X_new, F_new, r_new : the last trial of every candidate; ``r_new < r`` where a
    halving helped (NaN-safe: a non-finite residual never counts as a decrease).

    Examples
    --------
    Newton on x^2 = 4 from x = 0.1 overshoots to 20.05; halving the step three times
    brings the residual below its start:

    >>> X = np.array([0.1]); F = X ** 2 - 4; D = -F / (2 * X)
    >>> def trial(sel, s):
    ...     Y = X[sel] + s * D[sel]
    ...     return Y, Y ** 2 - 4, np.abs(Y ** 2 - 4)
    >>> Xn, Fn, rn = backtrack(trial, np.abs(F), np.ones(1), halvings=10)
    >>> Xn, bool(rn[0] < abs(F[0]))
    (array([2.59375]), True)
    """
    Xn, Fn, rn = trial(slice(None), s)
    for _ in range(halvings):
        worse = ~(rn < r)
        if floor > 0:
            worse &= s > floor
        if not worse.any():
            break
        s = np.where(worse, s / 2, s)
        sel = np.flatnonzero(worse)
        Xw, Fw, rw = trial(sel, s[sel])
        Xn[sel], Fn[sel], rn[sel] = Xw, Fw, rw
    return Xn, Fn, rn
