"""orbit_diagram: closed-form attractors, divergence flags and batching."""

import importlib
import warnings

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, InvalidArgumentError
from gdmaps.maps import henon, logistic
from gdmaps.bifurcations.orbit_diagram import OrbitDiagram, orbit_diagram

x = sp.Symbol("x")


def test_logistic_fixed_point_and_period_two():
    d = orbit_diagram(logistic(3.0), "r", [2.8, 3.2], starts=50, keep=4, region=[0.01, 0.99])
    assert isinstance(d, OrbitDiagram)
    assert d.points.shape == (2, 200, 1) and d.diverged.shape == (2, 50) and not d.diverged.any()
    # truth: fixed point 1 - 1/r, stable for 1 < r < 3
    np.testing.assert_allclose(d.points[0, :, 0], 1 - 1 / 2.8, atol=1e-9)
    # truth: period-2 orbit (r + 1 +- sqrt((r - 3)(r + 1))) / (2 r), stable for 3 < r < 1 + sqrt 6
    r = 3.2
    two = (r + 1 + np.array([-1, 1]) * np.sqrt((r - 3) * (r + 1))) / (2 * r)
    dist = np.abs(d.points[1, :, 0, None] - two[None, :]).min(axis=1)
    assert dist.max() < 1e-9
    near_low = np.abs(d.points[1, :, 0] - two[0]) < 1e-9
    assert 0 < near_low.sum() < 200  # both points are visited
    # start-major layout: iterates k and k + 1 of one start alternate between the two points
    assert np.all(near_low[0::4] != near_low[1::4])


def test_gd_quartic_at_eta_half_lands_on_the_minima():
    # truth: L = (x^2 - 1)^2 / 4 has minima +-1 with L'' = 2; stable for eta < 1; starts in
    # (0, 1] go to +1 and in [-1, 0) to -1 (G(x) = x - eta (x^3 - x) keeps the sign for eta = 0.5)
    g = GDMap((x**2 - 1) ** 2 / 4, [x])
    d = orbit_diagram(g, "eta", [0.5], starts=200, seed=3)
    pts = d.points[0, :, 0]
    np.testing.assert_allclose(np.abs(pts), 1.0, atol=1e-12)
    assert (pts > 0).any() and (pts < 0).any()


def test_diverged_starts_are_flagged_and_masked_without_warnings():
    # truth: at r = 4, x = 1.5 maps to -3 and then x_k -> -inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = orbit_diagram(logistic(4.0), "r", [4.0, 3.5], x0=[[0.3], [1.5]], keep=3)
    assert d.diverged.tolist() == [[False, True], [False, True]]
    assert np.isnan(d.points[:, 3:]).all() and np.isfinite(d.points[:, :3]).all()
    assert "2 of 4 diverged" in repr(d)
    assert d.to_dict()["points"][0][3] == [None]


def test_batched_equals_one_value_at_a_time():
    vals = np.linspace(1.0, 1.4, 7)
    X = np.random.default_rng(1).uniform(-0.5, 0.5, (6, 2))
    d = orbit_diagram(henon(), "a", vals, x0=X, transient=200, keep=5)
    for i, v in enumerate(vals):
        one = orbit_diagram(henon(float(v), 0.3), "a", [v], x0=X, transient=200, keep=5)
        np.testing.assert_array_equal(d.points[i], one.points[0])
        np.testing.assert_array_equal(d.diverged[i], one.diverged[0])


def test_default_starts_are_seeded_in_the_box():
    g = GDMap((x**2 - 1) ** 2 / 4, [x])
    a = orbit_diagram(g, "eta", [0.1], transient=0, starts=30, seed=5)
    b = orbit_diagram(g, "eta", [0.1], transient=0, starts=30, seed=5)
    np.testing.assert_array_equal(a.points, b.points)
    assert a.points.shape == (1, 30, 1) and np.abs(a.points).max() <= 1.0


def test_errors_name_the_argument():
    with pytest.raises(InvalidArgumentError, match=r"x0 must have shape \(1,\) or \(starts, 1\)"):
        orbit_diagram(logistic(3.0), "r", [3.0], x0=[[0.1, 0.2]])
    with pytest.raises(InvalidArgumentError, match="starts=3 does not match the 2 starts"):
        orbit_diagram(logistic(3.0), "r", [3.0], x0=[[0.1], [0.2]], starts=3)
    with pytest.raises(InvalidArgumentError, match="keep must be an integer >= 1, got 0"):
        orbit_diagram(logistic(3.0), "r", [3.0], keep=0)
    with pytest.raises(InvalidArgumentError, match="values must contain only finite numbers"):
        orbit_diagram(logistic(3.0), "r", [3.0, np.nan])
    with pytest.raises(InvalidArgumentError, match="'q' is not a parameter"):
        orbit_diagram(logistic(3.0), "q", [3.0])


def test_chunks_do_not_change_the_result(monkeypatch):
    od = importlib.import_module("gdmaps.bifurcations.orbit_diagram")  # gdmaps.orbit_diagram is the function
    vals = np.array([3.9, 4.0, 3.2])
    X = np.array([[0.2], [1.5], [0.7], [0.41]])
    whole = orbit_diagram(logistic(3.0), "r", vals, x0=X, transient=150, keep=3)
    monkeypatch.setattr(od, "_CHUNK", 5)
    parts = orbit_diagram(logistic(3.0), "r", vals, x0=X, transient=150, keep=3)
    np.testing.assert_array_equal(parts.points, whole.points)
    np.testing.assert_array_equal(parts.diverged, whole.diverged)
