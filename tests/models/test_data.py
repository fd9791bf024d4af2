"""gdmaps.models.data: built-in sets against their definitions, files, the bundled real sets."""

import numpy as np
import pytest

from gdmaps.core.errors import InvalidArgumentError
from gdmaps.models.data import DATASETS, dataset


def test_xor_is_the_truth_table():
    X, Y = dataset("xor")
    assert X.shape == (2, 4) and Y.shape == (1, 4)
    assert Y[0].tolist() == [float(int(a) ^ int(b)) for a, b in X.T]


def test_sine_and_teacher_follow_their_formulas():
    X, Y = dataset("sine", points=7)
    assert np.allclose(X[0], np.linspace(-1, 1, 7)) and np.allclose(Y, np.sin(np.pi * X))
    X, Y = dataset("teacher", points=30, seed=3)
    rng = np.random.default_rng(3)
    X0 = rng.standard_normal((2, 30))
    W1, W2 = rng.standard_normal((2, 2)), rng.standard_normal((1, 2))
    assert np.array_equal(X, X0) and np.allclose(Y, W2 @ np.tanh(W1 @ X0))
    assert not np.array_equal(dataset("teacher", seed=4)[1], dataset("teacher", seed=3)[1])


@pytest.mark.parametrize("name,shape_x,shape_y", [("iris", (4, 150), (3, 150)),
                                                  ("diabetes", (10, 442), (1, 442)),
                                                  ("digits", (64, 1797), (10, 1797))])
def test_real_sets_are_standardized(name, shape_x, shape_y):
    pytest.importorskip("sklearn")
    X, Y = dataset(name)
    assert X.shape == shape_x and Y.shape == shape_y
    varying = X.std(axis=1) > 0
    assert np.allclose(X.mean(axis=1), 0, atol=1e-12)
    assert np.allclose(X.std(axis=1)[varying], 1) and np.all(X[~varying] == 0)  # digits: blank pixels
    if name == "diabetes":
        assert np.isclose(Y.mean(), 0, atol=1e-12) and np.isclose(Y.std(), 1)
    else:  # one-hot: iris has 50 of each class
        assert np.all(Y.sum(axis=0) == 1) and set(np.unique(Y)) == {0.0, 1.0}
        if name == "iris":
            assert Y.sum(axis=1).tolist() == [50, 50, 50]


def test_raw_iris_matches_fisher():
    """Fisher's iris: the first flower is 5.1, 3.5, 1.4, 0.2 (cm), setosa."""
    pytest.importorskip("sklearn")
    X, Y = dataset("iris", standardize=False)
    assert X[:, 0].tolist() == [5.1, 3.5, 1.4, 0.2] and Y[:, 0].tolist() == [1.0, 0.0, 0.0]


def test_subset_is_seeded_and_sorted():
    pytest.importorskip("sklearn")
    X1, Y1 = dataset("iris", points=20, seed=1, standardize=False)
    X2, _ = dataset("iris", points=20, seed=1, standardize=False)
    full, _ = dataset("iris", standardize=False)
    assert X1.shape == (4, 20) and np.array_equal(X1, X2)
    cols = [int(np.flatnonzero((full == x[:, None]).all(axis=0))[0]) for x in X1.T]
    assert cols == sorted(cols)


def test_files(tmp_path):
    X = np.arange(6.0).reshape(2, 3)
    np.savez(tmp_path / "d.npz", X=X, Y=X[:1] ** 2)
    A, B = dataset(str(tmp_path / "d.npz"))
    assert np.array_equal(A, X) and np.array_equal(B, X[:1] ** 2)
    (tmp_path / "d.csv").write_text("a,b,t\n1,2,3\n4,5,6\n")
    A, B = dataset(tmp_path / "d.csv")
    assert A.tolist() == [[1, 4], [2, 5]] and B.tolist() == [[3, 6]]
    A, _ = dataset(tmp_path / "d.csv", standardize=True)
    assert A.tolist() == [[-1, 1], [-1, 1]]


@pytest.mark.parametrize("name,words", [("mnist", "data must be one of"), ("/no/such.npz", "no such file")])
def test_bad_names(name, words):
    with pytest.raises(InvalidArgumentError, match=words):
        dataset(name)


def test_points_beyond_the_set():
    with pytest.raises(InvalidArgumentError, match="points must be at most 4"):
        dataset("xor", points=5)


def test_every_listed_set_loads():
    pytest.importorskip("sklearn")
    for name in DATASETS:
        X, Y = dataset(name, points=4)
        assert X.shape[1] == Y.shape[1] == 4 and np.isfinite(X).all() and np.isfinite(Y).all()
