"""Set-oriented cell mapping: attractors and basin shares of a map on a box.

The box is cut into cells; sample points of every cell are mapped (all at once,
as one batch) and each cell gets an edge to every cell its images land in, or to
the :data:`SINK` when an image is not finite or leaves the box and does not come
back within a bounded number of steps. Terminal strongly connected components of
this directed graph, other than the sink, approximate the attractors; the cells
that can reach exactly one of them form its basin. The basin shares count those
cells whole and split every other cell by the fates of a grid of its points,
whose orbits are followed until they reach a basin cell or leave the box.

In dimension d > 2, :meth:`CellMap.slice` picks the cells a 2-D slice meets (the
other coordinates fixed at a point), which :func:`gdmaps.plotting.plot_basins` draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import networkx as nx
import numpy as np

from gdmaps.core.gd import at_step
from gdmaps.core.errors import CellLimitError, InvalidArgumentError, InvalidTypeError, check_int
from gdmaps.core.numeric import check_map
from gdmaps.core.executor import executor, in_order, row_spans
from gdmaps.core.progress import bar, wanted
from gdmaps.core.regions import as_region, slice_of
from gdmaps.core.results import Result

__all__ = ["CellMap", "cell_map", "SINK", "ESCAPE", "UNCERTAIN"]

#: The graph node standing for "left the region, or not finite".
SINK = "sink"
#: Label of a cell that can reach only the sink.
ESCAPE = -1
#: Label of a cell that can reach several targets (attractors or the sink).
UNCERTAIN = -2


@dataclass(frozen=True, repr=False, eq=False)
class CellMap(Result):
    """The result of :func:`cell_map`.

    Attributes
    ----------
    region : ndarray (d, 2)
        The box, one ``[low, high]`` per coordinate.
    cells : tuple of int
        Number of coarse cells per axis.
    boxes : ndarray (M, d, 2)
        Every cell as a box; after refinement cells have different sizes.
    levels : ndarray (M,) of int
        Refinement level of each cell: its width is ``cell_size / 2**level``.
    graph : networkx.DiGraph
        Nodes: the cell indices ``0 .. M-1`` and :data:`SINK`; an edge ``i -> j``
        when an image of a sample of cell i lies in cell j.
    attractor_cells : tuple of ndarray of int
        The cells of each attractor (terminal strongly connected component other
        than the sink), ordered by the first coordinate of their mean centre.
    labels : ndarray (M,) of int
        Attractor index of the basin of each cell, :data:`ESCAPE` (-1: the cell reaches
        only the sink and the orbit of every grid point of it was seen to leave) or
        :data:`UNCERTAIN` (-2: a boundary cell, which reaches several targets, or an
        escape cell with a point whose orbit was not seen to leave).
    basin_share, escape_share, uncertain_share : dict of int -> float, float, float
        Estimated shares of the region's volume; they sum to 1. A labelled cell counts
        whole; an uncertain cell is split evenly among the fates of ``boundary_samples``
        grid points: the basin its orbit reaches, escape if it leaves the box for good,
        and uncertain (the ``uncertain_share``) if neither within ``follow`` transitions.
    exact_shares : dict
        The same shares as exact fractions: keys the attractor indices, "escape"
        and "uncertain"; they sum to exactly 1.
    boundary_share : float
        Share of the region in cells labelled :data:`UNCERTAIN`: the part of the shares
        estimated from grid points rather than counted whole (see :attr:`basin_bounds`).
    cell_size : ndarray (d,)
        Width of a coarse cell per axis.
    steps, samples_per_cell, seed, refine : the settings of the run.
    state_names : tuple of str
        Names of the map's state variables.
    excursion, follow, boundary_samples : int
        The settings of the run (``boundary_samples`` as used: ``k**d`` grid points).
    """

    region: np.ndarray
    cells: tuple
    boxes: np.ndarray
    levels: np.ndarray
    graph: nx.DiGraph
    attractor_cells: tuple
    labels: np.ndarray
    basin_share: dict
    escape_share: float
    uncertain_share: float
    exact_shares: dict
    cell_size: np.ndarray
    steps: int
    samples_per_cell: int
    seed: int
    refine: int
    state_names: tuple = ()
    boundary_share: float = 0.0
    excursion: int = 0
    follow: int = 0
    boundary_samples: int = 0

    @property
    def dim(self) -> int:
        """Dimension of the state space."""
        return self.region.shape[0]

    @property
    def n_cells(self) -> int:
        """Number of cells (after refinement)."""
        return len(self.boxes)

    @property
    def centres(self) -> np.ndarray:
        """Centre of every cell, ``(M, d)``."""
        return self.boxes.mean(axis=2)

    @property
    def attractors(self) -> list:
        """The boxes of each attractor's cells, a list of ``(k, d, 2)`` arrays."""
        return [self.boxes[c] for c in self.attractor_cells]

    @property
    def attractor_centres(self) -> list:
        """The centres of each attractor's cells, a list of ``(k, d)`` arrays."""
        return [self.centres[c] for c in self.attractor_cells]

    @property
    def basin_bounds(self) -> dict:
        """Per attractor, ``(low, high)``: the share of the cells labelled with its basin, and
        that plus :attr:`boundary_share`; the sampled graph puts the basin's share in between."""
        vol = np.prod(self.boxes[:, :, 1] - self.boxes[:, :, 0], axis=1) / np.prod(
            self.region[:, 1] - self.region[:, 0])
        return {i: (float(vol[self.labels == i].sum()), float(vol[self.labels == i].sum())
                    + self.boundary_share) for i in range(len(self.attractor_cells))}

    def locate(self, X) -> np.ndarray:
        """The cell index of each point of ``X`` ``(N, d)``; -1 outside the region."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return _locate(X, self.region, np.asarray(self.cells), self.boxes, self.levels)

    def slice(self, at=None, dims=(0, 1)) -> np.ndarray:
        """Indices of the cells that the 2-D slice through ``at`` along ``dims`` meets.

        Parameters
        ----------
        at : array (d,), optional
            A point of the region; its coordinates not in ``dims`` fix the slice.
            Default: the centre of the region. Must be None when d == 2 (there is
            nothing to fix).
        dims : pair of int
            The two distinct axes (in ``[0, d)``) that the slice spans.

        Returns
        -------
        ndarray of int
            Sorted indices of the cells whose box contains ``at`` in every coordinate
            not in ``dims``; all cells when d == 2. Their boxes, projected onto
            ``dims``, tile the region's ``dims`` rectangle.

        Examples
        --------
        >>> import sympy as sp
        >>> from gdmaps import GDMap
        >>> x, y, z = sp.symbols("x y z")
        >>> g = GDMap((x**2 - 1)**2 / 4 + y**2 / 2 + z**2 / 2, [x, y, z], 0.1)
        >>> res = cell_map(g, [[-2, 2], [-1, 1], [-1, 1]], (5, 3, 5), steps=10)
        >>> cut = res.slice([0, 0, 0.3])  # z = 0.3 lies in the z-cell [0.2, 0.6)
        >>> len(cut), np.unique(res.boxes[cut, 2].round(6)).tolist()
        (15, [0.2, 0.6])
        >>> len(res.slice(dims=(0, 2)))  # y = 0, the centre of the region
        25

        Notes
        -----
        Cells are half-open, ``[low, high)``, except that the region's top edge
        belongs to the last cell; a coordinate is matched by the same rule as
        :meth:`locate`, so ``locate`` of a point of the slice is one of its cells.
        """
        dims, at = slice_of(self.region, dims, at)
        others = [k for k in range(self.dim) if k not in dims]
        if not others:
            return np.arange(self.n_cells)
        R = self.region
        n = np.asarray(self.cells)
        hl = (R[:, 1] - R[:, 0]) / n / 2.0 ** self.levels[:, None]  # (M, d) cell widths
        idx = np.rint((self.boxes[:, :, 0] - R[:, 0]) / hl).astype(np.int64)
        want = _axis_index(at[None, :], R[:, 0], hl, n * 2 ** self.levels[:, None])
        return np.flatnonzero((idx[:, others] == want[:, others]).all(axis=1))

    def to_dict(self) -> dict:
        """A JSON-ready summary (no graph)."""
        return {"dim": self.dim, "region": self.region.tolist(), "cells": list(self.cells),
                "n_cells": self.n_cells, "cell_size": self.cell_size.tolist(),
                "steps": self.steps, "samples_per_cell": self.samples_per_cell,
                "seed": self.seed, "refine": self.refine,
                "n_attractors": len(self.attractor_cells),
                "attractor_sizes": [int(len(c)) for c in self.attractor_cells],
                "attractor_centres": [c.mean(axis=0).tolist() for c in self.attractor_centres],
                "basin_share": {str(k): v for k, v in self.basin_share.items()},
                "escape_share": self.escape_share, "uncertain_share": self.uncertain_share,
                "boundary_share": self.boundary_share,
                "basin_bounds": {str(k): list(v) for k, v in self.basin_bounds.items()},
                "excursion": self.excursion,
                "follow": self.follow, "boundary_samples": self.boundary_samples}

    def __repr__(self) -> str:
        shares = ", ".join(f"{v:.3g}" for v in self.basin_share.values())
        return (f"<CellMap {self.dim}-D, {self.n_cells} cells: {len(self.attractor_cells)}"
                f" attractors, basin shares [{shares}], escape {self.escape_share:.3g},"
                f" uncertain {self.uncertain_share:.3g}; boundary cells {self.boundary_share:.3g}>")


def cell_map(map, region, cells, *, eta=None, samples_per_cell=4, steps=1, seed=0, refine=0,
             merge=True, max_cells=None, excursion=40, follow=100, boundary_samples=16,
             progress=None, workers=None, chunk=None) -> CellMap:
    """Attractors and basins of ``map`` on a box, by set-oriented cell mapping.

    Parameters
    ----------
    map : Map or GDMap
        A map with every parameter bound (a GD map with its step size fixed).
    eta : float, keyword-only
        The step size of a GD map; left out, the map's own (see :func:`gdmaps.core.gd.at_step`).
    region : array (d, 2)
        The box ``[low, high]`` per coordinate.
    cells : int or tuple of int
        Number of cells per axis (>= 1).
    samples_per_cell : int, keyword-only
        Uniform random points per cell (seeded), besides the centre.
    steps : int, keyword-only
        Each sample is mapped by this many steps of the map (>= 1): use more
        for slow maps such as GD with a small step size, whose one-step images
        rarely leave their cell. More steps give fewer boundary cells (a narrower
        :attr:`CellMap.basin_bounds`), at a cost proportional to ``steps``.
    seed : int, keyword-only
    refine : int, keyword-only
        Rounds of refinement: each round splits into ``2**d`` children every uncertain
        cell (one that reaches several targets) and every leaky recurrent cell (in a
        strongly connected set with a cycle that the graph can leave: an attractor whose
        coarse cells also hold escaping points), and recomputes the graph.
    merge : bool, keyword-only
        Merge attractors whose cells lie within one cell of each other: a continuum of
        fixed points (the curve of minima of a GD map) then counts as one attractor,
        not a broken chain of cells.
    max_cells : int, keyword-only, optional
        Bound on the cells of the grid and of every refinement round together (time and
        memory grow with them, about 2.5 kB per cell): a grid, or a round, that would pass
        it raises :class:`CellLimitError`, which says at which round.
    excursion : int, keyword-only
        An image outside the box is followed for up to this many more steps of the map
        (>= 0); one that comes back gets an edge to the cell it lands in, one that is
        still outside or is not finite an edge to the sink. 0 calls every image outside
        the box escaping (the rule before version 0.x: orbits of Newton's map that pass
        near the pole at 0 leave [-2, 2]^2 for a few steps and come back).
    follow : int, keyword-only
        Transitions (of ``steps`` map steps each) after the first that the orbit of a grid
        point of an uncertain or escape cell is followed to decide its fate (>= 0).
    boundary_samples : int, keyword-only
        Points of the midpoint grid (``k`` per axis, ``k = floor(boundary_samples**(1/d))``,
        at least 1) that split each uncertain cell; deterministic and symmetric, so a
        symmetric map gets symmetric shares.
    progress : bool or None, keyword-only
        A progress bar on stderr (None: when stderr is a terminal and the call lasts over 2 s).
    workers : None, int, str or dask.distributed.Client, keyword-only
        Where the images of the sample points are computed: this process (None), a LocalCluster
        of N workers, or a Dask cluster by scheduler address or Client (see
        :func:`gdmaps.core.executor.executor`). The sample points are drawn here as without
        it, cut into chunks of rows whose images the workers compute (the map is sent once
        per call), and put back in order: the result is the same, bit for bit. The graph,
        its components and the shares are computed here.
    chunk : int, keyword-only
        Sample points per task (default: all here; on a cluster about 4 tasks per worker, at
        least 16384 points; a batch that makes one task is mapped here).

    Returns
    -------
    CellMap
        Any dimension d; :meth:`CellMap.slice` selects the cells of a 2-D slice
        (what :func:`gdmaps.plotting.plot_basins` draws when d > 2).

    Examples
    --------
    >>> import sympy as sp
    >>> from gdmaps import GDMap
    >>> x, y = sp.symbols("x y")
    >>> g = GDMap((x**2 - 1)**2 / 4 + y**2 / 2, [x, y], 0.1)
    >>> res = cell_map(g, [[-2, 2], [-1, 1]], (21, 11), steps=10)
    >>> res
    <CellMap 2-D, 231 cells: 2 attractors, basin shares [0.5, 0.5], escape 0, uncertain 0;
     boundary cells 0.0476>
    >>> [c.mean(axis=0).round(2).tolist() for c in res.attractor_centres]
    [[-0.95, 0.0], [0.95, 0.0]]
    >>> res.boundary_share  # the column of cells around the saddle x = 0, split by its points
    0.047619047619047616
    >>> [round(v, 3) for v in res.basin_bounds[0]]  # cells labelled 0, then those + boundary
    [0.476, 0.524]
    >>> cell_map(g, [[-2, 2], [-1, 1]], (21, 11), steps=10, refine=1).boundary_share
    0.0

    Newton's map for z^3 = 1 (written over the reals) on [-2, 2]^2, whose basins have a
    fractal boundary and whose orbits near the pole at 0 leave the box and come back:

    >>> from gdmaps.maps import from_text
    >>> newton = from_text("x: 2*x/3 + (x**2 - y**2)/(3*(x**2 + y**2)**2);"
    ...                    " y: 2*y/3 - 2*x*y/(3*(x**2 + y**2)**2)")
    >>> res = cell_map(newton, [[-2, 2], [-2, 2]], 41)
    >>> [round(v, 3) for v in res.basin_share.values()]  # truth 0.3236, 0.3236, 0.3528
    [0.323, 0.326, 0.351]
    >>> res.escape_share, res.uncertain_share, round(res.boundary_share, 3)
    (0.0, 0.0, 0.227)

    Notes
    -----
    The graph is a sampled (inner) approximation of the cell-to-cell transitions;
    basins are found by reverse reachability (``networkx.ancestors``) from each
    attractor and from the sink. Cells that can reach exactly one attractor are counted
    whole in its basin. Cells that can reach several targets (basin boundaries, or cells
    the sampling cannot decide) and cells that can reach only the sink are split: each
    point of a ``k**d`` midpoint grid of the cell is mapped ``steps`` at a time, and takes
    the label of the first basin cell its orbit lands in, or escape when it goes to the
    sink; after ``follow`` further transitions it is uncertain. An escape cell with a
    point not seen to leave is relabelled uncertain (a leaky recurrent set, such as the
    coarse cells of the Henon attractor at a = 1.4, makes every cell reach only the sink).
    So ``basin_share[i]`` lies in :attr:`CellMap.basin_bounds` ``[i]``, the share of the
    cells labelled i plus at most the ``boundary_share``.

    Accuracy and time, measured on Newton's map for z^3 = 1 on [-2, 2]^2 against a
    2000^2 grid (benchmarks/bench_cell_map_newton.py; 41 cells per axis, best of 3 on a
    loaded machine, +-30%): the defaults give shares within 0.002 of the truth in 0.03 s
    (0.02 s before the grid points were followed; counting the boundary cells, 22% of the
    box, in no basin and the transient excursions as escape gave 0.236, 0.247, 0.243 with
    5% escape). ``steps`` and ``refine`` change that error little (at most 0.001 for
    ``steps`` 1-10 with ``refine`` 0-3): they shrink the boundary cells, the width of
    :attr:`CellMap.basin_bounds`, from 23% at the defaults to 15% with ``steps=2`` and
    11-12% with ``steps=5`` or 10, at about the same time (0.03-0.04 s; a round costs
    ``steps`` map steps per sample); ``refine`` 1, 2, 3 (``steps=1``) give 16%, 11%, 10%
    in 0.1, 0.3, 0.9 s, about linear in the cells mapped (2827, 5833, 13624); ``steps=10,
    refine=3`` gives 5% in 0.6 s. Cells per axis 11, 21, 81, 161 give errors 0.010, 0.004,
    0.0004, 0.0002 in 0.01, 0.03, 0.2, 0.8 s. Following the grid points costs at most
    (uncertain and escape cells) x ``boundary_samples`` x (``follow`` + 1) x ``steps`` map
    evaluations, usually far less: each stops at its first basin cell or when it leaves;
    points that stay and never reach a basin cost the most (the coarse Henon map at
    a = 1.4, 40 cells per axis: 0.2 s instead of 0.02 s).

    Limitations: a fixed point on a cell corner or face can split into several
    one-cell "attractors" (choose odd cell counts around symmetric points); with
    ``steps=1`` a slow map has many spurious self-loops; an attractor that lies
    close to its basin boundary (the Henon attractor at a = 1.4) leaks to the sink
    through its coarse cells, so it is found only after refinement (40 cells per axis
    on [-2, 2]^2 with ``refine=4``, 7528 cells, where a uniform grid needs about 400 per
    axis); without it the points that stay are the uncertain share (0.43 of the box).
    A repeller (the Cantor set of the logistic map at r = 4.5) stays leaky at every level
    and is never reported as an attractor. The split of a cell is an estimate from its
    grid points: basin features smaller than the grid spacing are missed.
    """
    map = at_step(map, eta)
    dim = check_map(map, what="a Map or GDMap").dim
    R = as_region(region, dim)
    if isinstance(cells, (int, np.integer)) and not isinstance(cells, bool):
        cells = (cells,) * dim
    try:
        cells = tuple(check_int(f"cells[{i}]", c, minimum=1) for i, c in enumerate(cells))
    except TypeError:
        raise InvalidTypeError(f"cells must be an int or a tuple of ints, got {cells!r}") from None
    if len(cells) != dim:
        raise InvalidArgumentError(f"cells must have {dim} entries, one per axis, got {len(cells)}")
    samples_per_cell = check_int("samples_per_cell", samples_per_cell, minimum=0)
    steps = check_int("steps", steps, minimum=1)
    seed = check_int("seed", seed)
    refine = check_int("refine", refine, minimum=0)
    excursion = check_int("excursion", excursion, minimum=0)
    follow = check_int("follow", follow, minimum=0)
    boundary_samples = check_int("boundary_samples", boundary_samples, minimum=1)
    if max_cells is not None:
        max_cells = check_int("max_cells", max_cells, minimum=1)
        total = int(np.prod([int(c) for c in cells], dtype=object))
        if total > max_cells:
            raise CellLimitError(0, total, max_cells)
    n = np.asarray(cells)
    h = (R[:, 1] - R[:, 0]) / n

    idx = np.indices(cells).reshape(dim, -1).T  # C order, matches ravel_multi_index
    low = R[:, 0] + idx * h
    boxes = np.stack([low, low + h], axis=-1)
    levels = np.zeros(len(boxes), dtype=int)
    keys = idx
    rng = np.random.default_rng(seed)
    done = 0  # cells mapped in the rounds so far
    with executor(workers, progress=wanted(progress)) as ex, \
            bar(progress, total=refine + 1, desc="cell map", unit="round") as shown:
        images = _Images(ex, map.numeric, steps, R, excursion, chunk)
        for rnd in range(refine + 1):
            shown.update(1)
            graph = _graph(images, boxes, levels, R, n, samples_per_cell, rng)
            att, reach = _targets(graph, len(boxes), boxes, merge)
            uncertain = reach.sum(axis=0) > 1
            split = uncertain | _leaky(graph, len(boxes))
            if rnd == refine or not split.any():
                break
            done += len(boxes)
            if max_cells is not None and done + len(boxes) + int(split.sum()) * (2**dim - 1) > max_cells:
                raise CellLimitError(rnd + 1, done + len(boxes) + int(split.sum()) * (2**dim - 1), max_cells)
            # split each uncertain or leaky cell into 2**d children at the next level
            offs = np.indices((2,) * dim).reshape(dim, -1).T
            kids_keys = (2 * keys[split][:, None, :] + offs[None]).reshape(-1, dim)
            kids_lev = np.repeat(levels[split] + 1, len(offs))
            hk = h / 2.0 ** kids_lev[:, None]
            kids_low = R[:, 0] + kids_keys * hk
            keep = ~split
            boxes = np.concatenate([boxes[keep], np.stack([kids_low, kids_low + hk], axis=-1)])
            levels = np.concatenate([levels[keep], kids_lev])
            keys = np.concatenate([keys[keep], kids_keys])

        labels = np.full(len(boxes), UNCERTAIN)
        count = reach.sum(axis=0)
        one = count == 1
        which = np.argmax(reach, axis=0)
        labels[one] = np.where(which[one] == len(att), ESCAPE, which[one])
        k = max(1, int(np.floor(boundary_samples ** (1 / dim) + 1e-9)))
        bad, fate = _fates(images, labels, R, n, boxes, levels, follow, k)
    # an escape cell with a point whose orbit was not seen to leave is not an escape cell
    labels[bad[(labels[bad] == ESCAPE) & (fate != ESCAPE).any(axis=1)]] = UNCERTAIN
    exact, boundary = _shares(labels, levels, n, len(att), bad, fate)
    return CellMap(R, cells, boxes, levels, graph, tuple(att), labels,
                   {i: float(exact[i]) for i in range(len(att))}, float(exact["escape"]),
                   float(exact["uncertain"]), exact, h, steps, samples_per_cell, seed, refine,
                   tuple(str(v) for v in map.state), float(boundary), excursion,
                   follow, k**dim)


def _fates(images, labels, R, n, boxes, levels, follow, k):
    """The cells to split and the fates of a midpoint grid of ``k**d`` points in each,
    ``(B, k**d)``. The cells are the uncertain ones and the escape ones (whose label a leaky
    recurrent set can give); a point's fate is :data:`ESCAPE` once its orbit leaves for the
    sink, the label of the first basin cell it reaches, or :data:`UNCERTAIN` if neither
    happens within ``follow`` transitions after the first."""
    dim = boxes.shape[1]
    bad = np.flatnonzero(labels < 0)
    u = (np.indices((k,) * dim).reshape(dim, -1).T + 0.5) / k  # (k**d, d) in the unit cell
    lo, width = boxes[bad, :, 0], boxes[bad, :, 1] - boxes[bad, :, 0]
    Y = (lo[:, None, :] + u[None] * width[:, None, :]).reshape(-1, dim)
    fate = np.full(len(Y), UNCERTAIN)
    idx = np.arange(len(Y))
    for _ in range(follow + 1):
        if not idx.size:
            break
        Y = images(Y)
        t = _locate(Y, R, n, boxes, levels)
        lab = np.where(t < 0, ESCAPE, labels[np.maximum(t, 0)])
        lab[(t >= 0) & (lab == ESCAPE)] = UNCERTAIN  # in an escape cell: not yet left
        fate[idx] = lab
        keep = lab == UNCERTAIN
        idx, Y = idx[keep], Y[keep]
    return bad, fate.reshape(len(bad), k**dim)


def _shares(labels, levels, n, n_att, bad, fate):
    """Exact shares of the region (keys 0..n_att-1, "escape", "uncertain") and the share of the
    uncertain cells: a cell that is not uncertain counts whole for its label, an uncertain
    cell ``bad[j]`` is split evenly among the fates ``fate[j]`` of its grid points."""
    M, dim = len(labels), len(n)
    m = fate.shape[1]
    counts = np.zeros((M, n_att + 2), dtype=np.int64)  # columns: uncertain, escape, attractors
    counts[np.arange(M), labels + 2] = m
    counts[bad] = 0
    np.add.at(counts, (np.repeat(bad, m), fate.ravel() + 2), 1)
    top = int(levels.max())
    num = [0] * (n_att + 2)
    bnum = 0
    for lev in np.unique(levels):
        at = levels == lev
        w = 2 ** (dim * (top - int(lev)))
        num = [a + w * int(b) for a, b in zip(num, counts[at].sum(axis=0))]
        bnum += w * int(np.count_nonzero(labels[at] == UNCERTAIN))
    cells_total = int(np.prod(n, dtype=object)) * 2 ** (dim * top)
    exact = {i: Fraction(num[i + 2], cells_total * m) for i in range(n_att)}
    exact["escape"] = Fraction(num[1], cells_total * m)
    exact["uncertain"] = Fraction(num[0], cells_total * m)
    return exact, Fraction(bnum, cells_total)


def _axis_index(X, R0, hl, m):
    """Per-axis cell index of X: ``R0 + k*hl <= x < R0 + (k+1)*hl``, clipped to ``[0, m)``.

    The floor is corrected by one where rounding of ``(x - R0) / hl`` disagrees with the
    cell edges themselves (computed as ``R0 + k*hl``, like the boxes' lows).
    """
    k = np.floor((X - R0) / hl).astype(np.int64)
    k -= X < R0 + k * hl
    k += X >= R0 + (k + 1) * hl
    return np.clip(k, 0, m - 1)


def _graph(images, boxes, levels, R, n, s, rng):
    """The sampled transition graph of the cells ``boxes``; ``images`` maps the sample points."""
    M, dim = boxes.shape[:2]
    lo, width = boxes[:, :, 0], boxes[:, :, 1] - boxes[:, :, 0]
    u = np.concatenate([np.full((M, 1, dim), 0.5), rng.random((M, s, dim))], axis=1)
    X = (lo[:, None, :] + u * width[:, None, :]).reshape(-1, dim)
    target = _locate(images(X), R, n, boxes, levels)
    source = np.repeat(np.arange(M), s + 1)
    pairs = np.unique(np.stack([source, target], axis=1), axis=0)
    G = nx.DiGraph()
    G.add_nodes_from(range(M))
    G.add_node(SINK)
    G.add_edges_from((int(i), SINK if j < 0 else int(j)) for i, j in pairs)
    return G


class _Images:
    """:func:`_images` of the rows of X: here, or cut into chunks of rows mapped on the workers
    of ``ex`` (the map sent once) and put back in order. Each row's image depends on that row
    alone, so the chunks give the serial array bit for bit."""

    def __init__(self, ex, num, steps, R, excursion, chunk):
        self.ex, self.num, self.chunk = ex, num, chunk
        self.knobs = (steps, R, excursion)
        self.workers = ex.workers if ex.distributed else 1
        self.held = None

    def __call__(self, X):
        pieces = row_spans(len(X), self.chunk, workers=self.workers, least=16384)
        if len(pieces) <= 1:
            return _images(self.num.step, X, *self.knobs)
        if self.held is None:
            self.held = self.ex.share(self.num, name="cell-map")
        parts = in_order(self.ex, _image_task, [(X[lo:hi], self.knobs) for lo, hi in pieces],
                         shared=self.held, name="cell-map")
        return np.concatenate(parts)


def _image_task(num, item):
    X, (steps, R, excursion) = item
    return _images(num.step, X, steps, R, excursion)


def _inside(X, R) -> np.ndarray:
    """Rows of X that are finite and lie in the box R (edges included)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(X).all(axis=1) & (X >= R[:, 0]).all(axis=1) & (X <= R[:, 1]).all(axis=1)


def _images(step, X, steps, R, excursion) -> np.ndarray:
    """``steps`` steps of the map from every row of X; an image outside the box is followed
    for at most ``excursion`` more steps, until it is back in the box (where it is kept) or
    not finite. Images still outside after that are left outside: they go to the sink."""
    with np.errstate(all="ignore"):
        for _ in range(steps):
            X = step(X)
        out = np.flatnonzero(~_inside(X, R) & np.isfinite(X).all(axis=1))
        for _ in range(excursion):
            if not out.size:
                break
            Y = step(X[out])
            X[out] = Y
            out = out[~_inside(Y, R) & np.isfinite(Y).all(axis=1)]
    return X


def _locate(X, R, n, boxes, levels) -> np.ndarray:
    """Cell index of each row of X among the (possibly refined) cells; -1 outside."""
    N, dim = X.shape
    out = np.full(N, -1)
    inside = _inside(X, R)
    Xi = X[inside]
    found = np.full(len(Xi), -1)
    h = (R[:, 1] - R[:, 0]) / n
    for lev in np.unique(levels):
        ids = np.flatnonzero(levels == lev)
        m = n * 2**lev
        hl = h / 2.0**lev
        cell_idx = np.rint((boxes[ids, :, 0] - R[:, 0]) / hl).astype(np.int64)
        ck = np.ravel_multi_index(cell_idx.T, m)
        order = np.argsort(ck)
        ck, ids = ck[order], ids[order]
        pi = _axis_index(Xi, R[:, 0], hl, m)
        pk = np.ravel_multi_index(pi.T, m)
        pos = np.clip(np.searchsorted(ck, pk), 0, len(ck) - 1)
        hit = ck[pos] == pk
        found[hit] = ids[pos[hit]]
    out[inside] = found
    return out


def _leaky(G, M) -> np.ndarray:
    """Cells of recurrent sets that are not attracting: strongly connected components with
    a cycle (more than one cell, or a self-loop) from which the graph can leave. An
    attractor whose coarse cells also hold escaping points looks like this; finer cells
    separate it from its basin boundary."""
    out = np.zeros(M, dtype=bool)
    C = nx.condensation(G)
    for node, data in C.nodes(data=True):
        members = data["members"]
        if SINK in members or C.out_degree(node) == 0:
            continue
        if len(members) > 1 or any(G.has_edge(v, v) for v in members):
            out[list(members)] = True
    return out


def _touching_groups(comps, boxes):
    """Attractors within one cell of each other, merged: a continuum of fixed points is one."""
    lo = [boxes[c][:, :, 0] for c in comps]
    hi = [boxes[c][:, :, 1] for c in comps]
    eps = np.min(boxes[:, :, 1] - boxes[:, :, 0], axis=0) * 1.01  # one (finest) cell apart
    parent = list(range(len(comps)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(comps)):
        for j in range(i + 1, len(comps)):
            touch = np.all((lo[i][:, None] <= hi[j][None] + eps)
                           & (lo[j][None] <= hi[i][:, None] + eps), axis=2)
            if touch.any():
                parent[root(j)] = root(i)
    groups = {}
    for i in range(len(comps)):
        groups.setdefault(root(i), []).append(comps[i])
    return list(groups.values())


def _targets(G, M, boxes, merge=True):
    """The attractors (cell arrays) and the (targets, M) reachability matrix; sink last."""
    comps = [np.array(sorted(c)) for c in nx.attracting_components(G) if SINK not in c]
    groups = _touching_groups(comps, boxes) if merge and len(comps) > 1 else [[c] for c in comps]
    comps = [np.concatenate(g) for g in groups]
    order = sorted(range(len(comps)), key=lambda i: tuple(boxes[comps[i]].mean(axis=(0, 2))))
    comps, groups = [comps[i] for i in order], [groups[i] for i in order]
    reach = np.zeros((len(comps) + 1, M), dtype=bool)
    for t, (c, parts) in enumerate(zip(comps, groups)):
        for part in parts:  # one cell per strongly connected attractor reaches them all
            anc = nx.ancestors(G, int(part[0]))
            reach[t, [a for a in anc if a != SINK]] = True
        reach[t, c] = True
    anc = [a for a in nx.ancestors(G, SINK)]
    reach[len(comps), anc] = True
    return comps, reach
