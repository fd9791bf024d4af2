"""Batches of orbits stepped together, with divergence checks.

The one step loop behind the numpy engine of :func:`gdmaps.iterate`,
:func:`gdmaps.orbit_diagram`, :func:`gdmaps.lyapunov_spectrum` and
:func:`gdmaps.convergent_set_dimension`. A batch is a list of coordinate rows, one
contiguous array per coordinate (the form compiled kernels take and return, so no
stacking between steps). It is advanced a block of steps at a time and checked for
divergence between blocks; the orbits that diverged leave it, and per-orbit arrays
(parameter values, tolerances) follow the survivors.
"""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import check_choice

__all__ = ["Batch", "NORMS", "advance", "as_rows", "escaped", "sum_squares"]

#: How the size of a state is measured against ``blowup``: its largest coordinate in
#: modulus, or its Euclidean norm.
NORMS = ("max", "euclidean")


def as_rows(rows, n: int) -> list:
    """Step outputs as float rows of length ``n`` (constant components come back as scalars).

    Examples
    --------
    >>> as_rows([np.array([1.0, 2.0]), 0], 2)
    [array([1., 2.]), array([0., 0.])]
    """
    return [r if type(r) is np.ndarray and r.shape == (n,) and r.dtype == np.float64
            else np.full(n, r, dtype=float) for r in rows]


def advance(step, rows: list, k: int) -> list:
    """``k`` steps of ``step`` (coordinate rows -> coordinate rows); rows stay separate arrays."""
    for _ in range(k):
        rows = step(rows)
    return rows


def sum_squares(rows: list) -> np.ndarray:
    """The squared Euclidean norm of every state, summed row by row (a fresh array)."""
    acc = rows[0] * rows[0]
    for r in rows[1:]:
        acc += r * r
    return acc


def escaped(rows: list, blowup: float, *, norm: str = "euclidean"):
    """Where an orbit has diverged: a coordinate that is not finite, or a state beyond ``blowup``.

    Parameters
    ----------
    rows : list of ndarray (n,)
        The states, one row per coordinate.
    blowup : float
        The radius (inf allowed: then only non-finite states have diverged).
    norm : {"euclidean", "max"}, keyword-only
        The size of a state: ``||x||_2`` or ``max_i |x_i|``.

    Returns
    -------
    bad : ndarray (n,) of bool
    nrm2 : ndarray (n,) or None
        For the Euclidean norm, ``||x||^2`` (inf where it overflowed); None for "max".

    Examples
    --------
    >>> bad, nrm2 = escaped([np.array([1.0, np.nan, 3e200]), np.array([0.0, 0.0, 0.0])], np.inf)
    >>> bad, nrm2
    (array([False,  True, False]), array([ 1., nan, inf]))
    >>> escaped([np.array([1.0, -5.0])], 2.0, norm="max")[0]
    array([False,  True])

    Notes
    -----
    NaN counts as beyond every radius. Where ``||x||^2`` overflows the coordinates
    themselves are asked: finite ones have diverged only when ``blowup`` is finite.
    """
    if norm == "max":
        bad = None
        for r in rows:
            b = ~(np.abs(r) <= blowup)  # NaN-safe
            bad = b if bad is None else bad | b
        return bad, None
    with np.errstate(over="ignore", invalid="ignore"):
        nrm2 = sum_squares(rows)
    bad = ~(nrm2 <= blowup * blowup)  # nan counts as bad
    over = nrm2 == np.inf
    if over.any():  # the squared norm overflowed: ask the coordinates themselves
        cols = np.flatnonzero(over)
        finite = np.ones(cols.size, dtype=bool)
        for r in rows:
            finite &= np.isfinite(r[cols])
        bad[cols] = ~finite | (blowup < np.inf)
    return bad, nrm2


class Batch:
    """Orbits stepped together: their coordinate rows, their ids, and arrays that follow them.

    Parameters
    ----------
    rows : sequence of ndarray (n,) or ndarray (d, n)
        The states, one row per coordinate.
    advance : callable ``(rows, k, *carry) -> rows``
        ``k`` steps of the map on a list of rows (the rows may come back as scalars
        where a component is constant: the batch broadcasts them at each check).
    carry : tuple of ndarray (n,), keyword-only
        Per-orbit arrays handed to ``advance`` (a parameter value per orbit, say), kept
        aligned with the rows when orbits leave.

    Examples
    --------
    >>> b = Batch([np.array([0.5, 2.0, 0.1])], lambda rows, k: advance(lambda r: [r[0] ** 2], rows, k))
    >>> b.advance(4)
    >>> b.drop_escaped(1e8, norm="max")  # 2^16 is fine, (2^16)^2 is not
    array([], dtype=int64)
    >>> b.advance(2)
    >>> b.drop_escaped(1e8, norm="max"), b.ids
    (array([1]), array([0, 2]))
    """

    def __init__(self, rows, advance, *, carry=()):
        self.rows = list(rows)
        self._advance = advance
        self.carry = tuple(carry)
        n = max((np.shape(r)[0] for r in self.rows if np.ndim(r)), default=0)
        self.ids = np.arange(n)

    @property
    def size(self) -> int:
        """The number of orbits still in the batch."""
        return self.ids.size

    def advance(self, k: int) -> None:
        """``k`` steps of every orbit in the batch."""
        if k > 0:
            self.rows = self._advance(self.rows, k, *self.carry)

    def broadcast(self) -> list:
        """The rows as float arrays of the batch's length (constant components filled in)."""
        self.rows = as_rows(self.rows, self.ids.size)
        return self.rows

    def keep(self, mask) -> None:
        """Keep only the orbits where ``mask`` holds (rows, ids and carried arrays)."""
        self.rows = [r[mask] for r in self.broadcast()]
        self.ids = self.ids[mask]
        self.carry = tuple(c[mask] for c in self.carry)

    def drop_escaped(self, blowup: float, *, norm: str = "euclidean") -> np.ndarray:
        """Remove the orbits that diverged (see :func:`escaped`); their ids, in batch order."""
        check_choice("norm", norm, NORMS)
        bad, _ = escaped(self.broadcast(), blowup, norm=norm)
        if not bad.any():
            return self.ids[:0]
        lost = self.ids[bad]
        self.keep(~bad)
        return lost
