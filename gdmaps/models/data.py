"""Training data for network models: built-in synthetic sets, small real sets, files.

Every set comes as ``(X, Y)`` in the layout :func:`gdmaps.models.mlp` takes: ``X`` of shape
``(features, points)`` and ``Y`` of shape ``(outputs, points)``, one data point per column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gdmaps.core.errors import InvalidArgumentError, InvalidTypeError, check_int

__all__ = ["dataset", "DATASETS"]

#: Built-in data sets, with what each holds.
DATASETS = {
    "xor": "the 4 points of {0,1}^2, target x1 XOR x2 in {0, 1}",
    "teacher": "teacher-student: x ~ N(0, I_2), target a fixed random tanh 2-2-1 network of x",
    "sine": "1-D regression: x evenly spaced in [-1, 1], target sin(pi x)",
    "iris": "150 flowers, 4 features, 3 classes one-hot (scikit-learn's bundled copy)",
    "diabetes": "442 patients, 10 features, 1 regression target (scikit-learn's bundled copy)",
    "digits": "1797 8x8 images, 64 features, 10 classes one-hot (scikit-learn's bundled copy)",
}

_REAL = ("iris", "diabetes", "digits")
_DEFAULT_POINTS = {"teacher": 20, "sine": 20}


def dataset(name, *, points=None, seed=0, standardize=None):
    """Training data ``(X, Y)`` by name or from a .npz or .csv file.

    Parameters
    ----------
    name : str
        A built-in set (see :data:`DATASETS`: "xor", "teacher", "sine", "iris",
        "diabetes", "digits") or the path of a file: ``.npz`` with arrays ``X``
        ``(features, points)`` and ``Y`` ``(outputs, points)``; ``.csv`` with one data
        point per row and the target in the last column (a header row is skipped).
    points : int, optional, keyword-only
        How many data points: the size of "teacher" (default 20) and "sine" (default
        20); for the other sets and files, a random subset of that size (seeded by
        ``seed``) instead of every point.
    seed : int, keyword-only
        Seeds the teacher network, its inputs and the subset.
    standardize : bool or None, keyword-only
        Shift and scale each input feature (and a regression target) to mean 0 and
        standard deviation 1 over the points used; a constant feature becomes 0.
        None: True for the real sets (iris, diabetes, digits), False otherwise.

    Returns
    -------
    X : ndarray (features, points)
    Y : ndarray (outputs, points)

    Raises
    ------
    InvalidArgumentError
        An unknown name, an unreadable file, or a real set without scikit-learn
        installed (``pip install gdmaps[data]``).

    Examples
    --------
    >>> X, Y = dataset("xor")
    >>> X.tolist(), Y.tolist()
    ([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]], [[0.0, 1.0, 1.0, 0.0]])
    >>> X, Y = dataset("sine", points=5)
    >>> X.round(3).tolist(), Y.round(3).tolist()
    ([[-1.0, -0.5, 0.0, 0.5, 1.0]], [[-0.0, -1.0, 0.0, 1.0, 0.0]])

    Notes
    -----
    Class labels become one-hot columns (iris: 3 outputs, digits: 10), the layout of
    the cross-entropy loss of :func:`~gdmaps.models.mlp` and usable as squared-error
    targets too. The real sets are the copies bundled inside scikit-learn, read from
    disk: nothing is downloaded.
    """
    if not isinstance(name, (str, Path)):
        raise InvalidTypeError(f"name must be a data set name or a file path, got {type(name).__name__}")
    points = None if points is None else check_int("points", points, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if standardize is not None and not isinstance(standardize, (bool, np.bool_)):
        raise InvalidTypeError(f"standardize must be True, False or None, got {standardize!r}")
    text = str(name)
    if text in DATASETS:
        X, Y, regression = _builtin(text, points, seed)
        subset = text in ("xor",) or text in _REAL
        default = text in _REAL
    elif text.lower().endswith((".npz", ".csv")):
        X, Y = _read(Path(text))
        regression, subset, default = True, True, False
    else:
        raise InvalidArgumentError(
            f"data must be one of {', '.join(map(repr, DATASETS))} or a .npz or .csv file, got {text!r}")
    if subset and points is not None:
        if points > X.shape[1]:
            raise InvalidArgumentError(f"points must be at most {X.shape[1]} for {text!r}, got {points}")
        keep = np.sort(np.random.default_rng(seed).choice(X.shape[1], points, replace=False))
        X, Y = X[:, keep], Y[:, keep]
    if default if standardize is None else standardize:
        X = _standard(X)
        Y = _standard(Y) if regression else Y
    return X, Y


def _standard(A):
    mean, std = A.mean(axis=1, keepdims=True), A.std(axis=1, keepdims=True)
    return np.where(std > 0, (A - mean) / np.where(std > 0, std, 1.0), 0.0)


def _builtin(name, points, seed):
    """(X, Y, regression) of a built-in set."""
    if name == "xor":
        X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
        return X, np.logical_xor(X[0], X[1]).astype(float)[None, :], False
    n = points or _DEFAULT_POINTS.get(name)
    if name == "sine":
        x = np.linspace(-1.0, 1.0, n)[None, :]
        return x, np.sin(np.pi * x), True
    if name == "teacher":
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((2, n))
        W1, W2 = rng.standard_normal((2, 2)), rng.standard_normal((1, 2))
        return X, W2 @ np.tanh(W1 @ X), True
    return _sklearn(name)


def _sklearn(name):
    try:
        from sklearn import datasets
    except ImportError:
        raise InvalidArgumentError(
            f"the data set {name!r} is read from scikit-learn's bundled copy, and scikit-learn is not"
            " installed: pip install 'gdmaps[data]' (or scikit-learn)") from None
    bunch = getattr(datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=float).T
    y = np.asarray(bunch.target)
    if name == "diabetes":
        return X, y.astype(float)[None, :], True
    return X, (np.arange(y.max() + 1)[:, None] == y[None, :]).astype(float), False


def _read(path):
    if not path.is_file():
        raise InvalidArgumentError(f"data={str(path)!r}: no such file")
    if path.suffix.lower() == ".npz":
        try:
            with np.load(path) as f:
                X, Y = np.asarray(f["X"], dtype=float), np.asarray(f["Y"], dtype=float)
        except (OSError, KeyError, ValueError) as exc:
            raise InvalidArgumentError(f"data={str(path)!r} could not be read as an .npz with arrays X"
                                       f" (features, points) and Y (outputs, points): {exc}") from None
        X, Y = (A[None, :] if A.ndim == 1 else A for A in (X, Y))
        if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
            raise InvalidArgumentError(
                f"data={str(path)!r}: X and Y must be 2-D with one column per data point, got shapes"
                f" {X.shape} and {Y.shape}")
        return X, Y
    try:
        table = np.genfromtxt(path, delimiter=",", dtype=float)
    except ValueError as exc:
        raise InvalidArgumentError(f"data={str(path)!r} could not be read as CSV: {exc}") from None
    table = np.atleast_2d(table)
    if table.size and np.isnan(table[0]).all():
        table = table[1:]  # a header row
    if table.ndim != 2 or table.shape[0] < 1 or table.shape[1] < 2 or np.isnan(table).any():
        raise InvalidArgumentError(
            f"data={str(path)!r} must be a CSV of numbers, one data point per row, at least two"
            " columns (features, then the target last)")
    return table[:, :-1].T.copy(), table[:, -1:].T.copy()
