"""Stable manifolds: checked against the explicit inverse Henon map, forward
convergence, and a symmetry-invariant line of a GD map."""

import numpy as np
import pytest
import sympy as sp

from gdmaps import GDMap, Map
from gdmaps.core.errors import InvalidArgumentError
from gdmaps.maps.classic import henon
from gdmaps.orbits.orbit import Orbit
from gdmaps.plotting.manifolds import plot_stable_manifold
from gdmaps.core.stability import stability
from gdmaps.orbits.stable_manifold import StableManifold, stable_manifold

A, B = 1.4, 0.3
PX = (-(1 - B) + np.sqrt((1 - B) ** 2 + 4 * A)) / (2 * A)
P = np.array([PX, B * PX])


def henon_forward(X):
    return np.column_stack([1 - A * X[:, 0] ** 2 + X[:, 1], B * X[:, 0]])


def henon_inverse(X):
    y = X[:, 1] / B
    return np.column_stack([y, X[:, 0] - 1 + A * y ** 2])


def henon_stable():
    J = np.array([[-2 * A * PX, 1.0], [B, 0.0]])  # analytic Jacobian at P
    w, V = np.linalg.eig(J)
    i = int(np.argmin(np.abs(w)))
    return w[i].real, V[:, i].real / np.linalg.norm(V[:, i].real)


def nearest(X, Y):
    """For each row of X, the distance to the closest row of Y."""
    return np.min(np.linalg.norm(X[:, None, :] - Y[None, :, :], axis=2), axis=1)


@pytest.fixture(scope="module")
def henon_W():
    return stable_manifold(henon(A, B), P, samples=40, steps=5, length=None, delta=1e-4)


def test_henon_matches_explicit_inverse(henon_W):
    W = henon_W
    mu, v = henon_stable()
    s = np.geomspace(1e-4, 1e-4 / abs(mu), 40, endpoint=False)
    ref = []
    for sign in (1, -1):
        X = P + sign * s[:, None] * v
        ref.append(X)
        for _ in range(5):
            X = henon_inverse(X)
            ref.append(X)
    ref = np.vstack(ref)
    got = np.vstack(W.branches)
    assert W.dropped == 0 and len(got) == len(ref) == 2 * 6 * 40
    scale = 1 + np.linalg.norm(ref, axis=1).max()
    assert nearest(got, ref).max() < 1e-8 * scale
    assert nearest(ref, got).max() < 1e-8 * scale
    # the explicit-inverse option gives the same points
    x, y = sp.symbols("x y")
    inv = Map([y / sp.Rational(3, 10), x - 1 + sp.Rational(7, 5) * (y / sp.Rational(3, 10)) ** 2], [x, y])
    W2 = stable_manifold(henon(A, B), P, samples=40, steps=5, length=None, delta=1e-4, inverse=inv)
    for b1, b2 in zip(W.branches, W2.branches):
        assert b1.shape == b2.shape
        assert np.abs(b1 - b2).max() < 1e-8 * scale


def test_henon_points_converge_forward(henon_W):
    W = henon_W
    mu = henon_stable()[0]
    assert W.dimension == 1 == sum(abs(m) < 1 for m in W.multipliers)
    delta = 1e-4
    # the seeds sit on the tangent line, O(delta^2) off the true manifold; that error grows
    # like |mu_u|^n ~ 1.92^n forward, so allow 10 delta^2 * 2^n on top of the |mu_s|^n contraction
    for br, lev in zip(W.branches, W.levels):
        X = br.copy()
        for n in range(lev.max() + 6):
            d = np.linalg.norm(X - P, axis=1)
            at_seed = lev == n
            if at_seed.any():  # f^level(q) is back in the fundamental domain
                assert np.all(d[at_seed] <= delta / abs(mu) * (1 + 1e-6))
            past = n - lev  # steps since reaching the seed
            m = past > 0
            bound = delta / abs(mu) * abs(mu) ** past[m] + 10 * delta ** 2 * 2.0 ** n
            assert np.all(d[m] <= bound)
            X = henon_forward(X)


def test_branches_are_curves_leaving_the_saddle(henon_W):
    for br in henon_W.branches:
        assert br.ndim == 2 and br.shape[1] == 2
        assert np.linalg.norm(br[0] - P) == pytest.approx(1e-4, rel=1e-9)
    # mu_s > 0 for this saddle: the branches are on opposite sides of P
    u = henon_W.branches[0][0] - P
    w = henon_W.branches[1][0] - P
    assert np.dot(u, w) < 0


def test_gd_saddle_stable_manifold_is_antidiagonal():
    a, b = sp.symbols("a b")
    gd = GDMap((a * b - 1) ** 2 / 2, [a, b], eta=0.5)
    W = stable_manifold(gd, [0.0, 0.0], samples=50, steps=12, length=None)
    assert isinstance(W, StableManifold)
    assert sorted(np.real(W.multipliers)) == pytest.approx([0.5, 1.5])
    assert W.dimension == 1
    pts = np.vstack(W.branches)
    assert len(pts) > 1000
    assert np.abs(pts[:, 0] + pts[:, 1]).max() < 1e-8
    assert np.abs(pts).max() > 0.05  # grown well beyond the seeds
    # every point goes to the saddle under GD: f^level(q) is back at the seeds' scale, then contracts
    for br in W.branches:
        X = br
        for _ in range(12 + 10):
            X = gd.numeric.step(X)
        assert np.abs(X).max() < 2e-5 * 0.5 ** 10 * 1.01


def test_length_cut_and_orbit_input():
    m = henon(A, B)
    orb = Orbit(P[None, :], stability(m, P), 0.0)
    W = stable_manifold(m, orb, samples=50, steps=10, length=2.0)
    for br in W.branches:
        arc = np.linalg.norm(br[0] - P) + np.linalg.norm(np.diff(br, axis=0), axis=1).sum()
        assert arc <= 2.0 + 1e-12
    assert "cut" in W.notes
    assert repr(W).startswith("<StableManifold: 1-D") and "\n" not in repr(W)


def test_two_dimensional_stable_manifold():
    x, y, z = sp.symbols("x y z")
    # W^s(0) is the surface z = -x^2 / 1.75 (invariance: c/4 = 2c + 1)
    m = Map([x / 2, 2 * y / 5, 2 * z + x ** 2], [x, y, z])
    W = stable_manifold(m, [0, 0, 0], samples=60, steps=4, delta=1e-3)
    assert W.dimension == 2 and len(W.branches) == 5
    pts = np.vstack(W.branches)
    assert len(pts) == 5 * 60
    assert np.abs(pts).max() > 1e-2
    # seeds are on the tangent plane (error O(delta^2)); backward images keep that error, pulled back
    assert np.abs(pts[:, 2] + pts[:, 0] ** 2 / 1.75).max() < 1e-5
    assert "limitation" in W.notes


@pytest.mark.parametrize("exprs", [lambda x, y: [2 * x, 3 * y], lambda x, y: [x / 2, y / 3]])
def test_not_a_saddle(exprs):
    x, y = sp.symbols("x y")
    with pytest.raises(InvalidArgumentError, match="saddle"):
        stable_manifold(Map(exprs(x, y), [x, y]), [0.0, 0.0])


def test_bad_points():
    with pytest.raises(InvalidArgumentError, match="not a fixed point"):
        stable_manifold(henon(A, B), [0.0, 0.0])
    with pytest.raises(InvalidArgumentError, match="shape"):
        stable_manifold(henon(A, B), [0.0, 0.0, 0.0])


def test_plot(henon_W):
    ax = plot_stable_manifold(henon_W).axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_xydata()[0], P)
