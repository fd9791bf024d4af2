"""Unstable manifolds, against independent truths: the Henon attractor (a long orbit), the
closed-form inverse Henon map, a polynomial map whose unstable manifold is known in closed
form, the symmetry line of a GD map, and the period-2 orbit of Henon in closed form."""

import json

import numpy as np
import pytest
import sympy as sp
from scipy.spatial import cKDTree

from gdmaps import GDMap, Map, UnstableManifold, unstable_manifold
from gdmaps.core.errors import InvalidArgumentError
from gdmaps.maps.classic import henon
from gdmaps.orbits.orbit import Orbit
from gdmaps.core.stability import stability
from gdmaps.orbits.stable_manifold import stable_manifold

A, B = 1.4, 0.3
# fixed points of Henon: x = 1 - a x^2 + b x, y = b x
PX = (-(1 - B) + np.sqrt((1 - B) ** 2 + 4 * A)) / (2 * A)
P = np.array([PX, B * PX])
# Jacobian [[-2 a x, 1], [b, 0]]: multipliers mu solve mu^2 + 2 a x mu - b = 0
MU_U = -A * PX - np.sqrt((A * PX) ** 2 + B)  # -1.92374
MU_S = -A * PX + np.sqrt((A * PX) ** 2 + B)  # 0.155946
DELTA = 1e-5


def forward(X):
    return np.column_stack([1 - A * X[:, 0] ** 2 + X[:, 1], B * X[:, 0]])


def inverse(X):
    """Henon's inverse: from x' = 1 - a x^2 + y and y' = b x, x = y'/b and y = x' - 1 + a (y'/b)^2."""
    x = X[:, 1] / B
    return np.column_stack([x, X[:, 0] - 1 + A * x ** 2])


def test_inverse_is_an_inverse():
    X = np.random.default_rng(0).uniform(-1, 1, (100, 2))
    assert np.abs(inverse(forward(X)) - X).max() < 1e-14
    assert np.abs(forward(inverse(X)) - X).max() < 1e-12


@pytest.fixture(scope="module")
def henon_W():
    return unstable_manifold(henon(A, B), P, length=8.0, max_gap=0.01, delta=DELTA)


@pytest.fixture(scope="module")
def attractor():
    """500,000 points of one orbit after a transient of 1000 steps."""
    x = np.array([0.1, 0.1])
    for _ in range(1000):
        x = np.array([1 - A * x[0] ** 2 + x[1], B * x[0]])
    out = np.empty((500_000, 2))
    for i in range(len(out)):
        x = np.array([1 - A * x[0] ** 2 + x[1], B * x[0]])
        out[i] = x
    return cKDTree(out)


def test_henon_multipliers_and_shape(henon_W):
    W = henon_W
    assert isinstance(W, UnstableManifold) and W.dimension == 1 and len(W.branches) == 2
    assert sorted(W.multipliers) == pytest.approx(sorted([MU_U, MU_S]), rel=1e-12)
    for br in W.branches:
        assert np.linalg.norm(br[0] - P) == pytest.approx(DELTA, rel=1e-9)  # the first seed
        arc = np.linalg.norm(br[0] - P) + np.linalg.norm(np.diff(br, axis=0), axis=1).sum()
        assert 7.9 < arc <= 8.0 + 1e-12
        gaps = np.linalg.norm(np.diff(br, axis=0), axis=1)
        assert gaps.max() <= 0.01
    assert W.max_gap <= 0.01
    # the branches leave P on opposite sides, along the unstable eigenvector (1, b/mu_u)
    v = np.array([1.0, B / MU_U]) / np.hypot(1.0, B / MU_U)
    u0, u1 = (br[0] - P for br in W.branches)
    assert abs(abs(np.dot(u0, v)) / DELTA - 1) < 1e-9 and np.dot(u0, u1) < 0


def test_henon_unstable_manifold_lies_on_the_attractor(henon_W, attractor):
    """The Henon attractor is (numerically) the closure of W^u(P): every point of the manifold is
    close to a long attractor orbit. 500,000 orbit points leave gaps of a few 1e-4 along the
    attractor's thin bands, so 2e-3 is a tolerance about 5 times that spacing; a point off the
    attractor (e.g. on W^s(P), which crosses the gaps between bands) is 1e-2 to 1e-1 away."""
    d, _ = attractor.query(np.vstack(henon_W.branches))
    assert d.max() < 2e-3
    Ws = stable_manifold(henon(A, B), P, length=3.0, samples=100, steps=8)
    far, _ = attractor.query(np.vstack(Ws.branches))
    assert far.max() > 0.05  # the test can tell: the stable manifold leaves the attractor


def test_henon_points_return_to_the_saddle_under_the_inverse(henon_W):
    """f^-level(q) is a seed, at distance delta to delta mu_u^2 from P (the fundamental domain of
    f^2); further inverse steps bring it closer, by 1/|mu_u| each, until the O(delta^2) offset
    of the seed from W^u, expanded by 1/mu_s = 6.4 per step, takes over. Rounding is expanded
    by 6.4 per step too, so only points up to level 10 are pulled back (6.4^10 eps ~ 1e-8)."""
    for br, lev in zip(henon_W.branches, henon_W.levels):
        keep = lev <= 10
        X, lev = br[keep], lev[keep]
        assert len(X) > 500 and set(np.unique(lev)) == {0, 2, 4, 6, 8, 10}
        for n in range(lev.max()):
            X[lev > n] = inverse(X[lev > n])
        d = np.linalg.norm(X - P, axis=1)
        assert d.min() >= DELTA * (1 - 1e-3) and d.max() <= DELTA * MU_U ** 2 * (1 + 1e-3)
        for m in range(1, 5):
            X = inverse(X)
            d = np.linalg.norm(X - P, axis=1)
            assert d.max() <= DELTA * MU_U ** 2 * abs(MU_U) ** -m + 10 * DELTA ** 2 * (1 / MU_S) ** m


def test_closed_form_parabola():
    """f(x, y) = (2x, y/2 + x^2): W^u(0) is y = c x^2 with c (2x)^2 = c x^2 / 2 + x^2, c = 2/7."""
    x, y = sp.symbols("x y")
    W = unstable_manifold(Map([2 * x, y / 2 + x ** 2], [x, y]), [0, 0], length=3.0, max_gap=0.02)
    pts = np.vstack(W.branches)
    assert np.abs(pts[:, 0]).max() > 1.0
    assert np.abs(pts[:, 1] - 2 / 7 * pts[:, 0] ** 2).max() < 1e-9
    assert W.branches[0][:, 0].min() > 0 > W.branches[1][:, 0].max()  # one branch per side


def test_gd_saddle_unstable_manifold_is_the_diagonal_to_the_minima():
    """GD on (ab - 1)^2/2 with eta = 0.5: the origin is a saddle (multipliers 1 +- eta); the
    diagonal a = b is invariant (a' = a - eta a (a^2 - 1)) and carries W^u(0), which ends at the
    minima (1, 1) and (-1, -1): a heteroclinic connection."""
    a, b = sp.symbols("a b")
    gd = GDMap((a * b - 1) ** 2 / 2, [a, b], eta=0.5)
    W = unstable_manifold(gd, [0.0, 0.0], length=None, steps=60, max_gap=0.01)
    for br, sign in zip(W.branches, (1, -1)):
        assert np.abs(br[:, 0] - br[:, 1]).max() < 1e-9
        assert 0 < sign * br[:, 0].min() and sign * br[:, 0].max() <= 1 + 1e-12
        assert abs(sign * br[-1, 0] - 1) < 1e-9  # it reaches the minimum


def test_period_two_orbit_of_henon(attractor):
    """The period-2 orbit of Henon: x1 + x2 = (1 - b)/a, x1 x2 = ((1 - b)^2/a - 1)/a (subtract
    and add the two equations x2 = 1 - a x1^2 + b x2, x1 = 1 - a x2^2 + b x1)."""
    s, p = (1 - B) / A, ((1 - B) ** 2 / A - 1) / A
    x1, x2 = sorted(np.roots([1, -s, p]).real)
    orbit = np.array([[x1, B * x2], [x2, B * x1]])
    m = henon(A, B)
    assert np.abs(forward(orbit)[::-1] - orbit).max() < 1e-14
    W = unstable_manifold(m, orbit[0], period=2, length=2.0, max_gap=0.01)
    assert W.period == 2 and len(W.branches) == 4 and W.anchors == (0, 0, 1, 1)
    for br, j in zip(W.branches, W.anchors):
        assert np.linalg.norm(br[0] - orbit[j]) == pytest.approx(1e-5, rel=1e-9)
    d, _ = attractor.query(np.vstack(W.branches))
    assert d.max() < 2e-3
    # the same from an Orbit; the stable manifold of the orbit: its points converge forward
    W2 = unstable_manifold(m, Orbit(orbit, stability(m, orbit), 0.0), length=2.0, max_gap=0.01)
    assert all(np.array_equal(b1, b2) for b1, b2 in zip(W.branches, W2.branches))
    Ws = stable_manifold(m, orbit[0], period=2, samples=40, steps=4, length=None)
    assert Ws.period == 2 and len(Ws.branches) == 4
    mu_s = min(abs(Ws.multipliers))  # of f^2; the seeds fill [delta, delta / mu_s)
    for br, lev, j in zip(Ws.branches, Ws.levels, Ws.anchors):
        X = br.copy()
        for n in range(lev.max()):
            X[lev > n] = forward(X[lev > n])
        d = np.linalg.norm(X - orbit[j], axis=1)
        assert d.max() <= 1e-5 / mu_s * (1 + 1e-6) and d.min() >= 1e-5 * (1 - 1e-6)
        # one more step of f^2 contracts by mu_s, up to the seeds' O(s^2) offset from W^s
        # (s <= delta / mu_s), expanded by |mu_u| = 3.01
        X = forward(forward(X))
        bound = 1e-5 * (1 + 1e-6) + 10 * (1e-5 / mu_s) ** 2 * max(abs(Ws.multipliers))
        assert np.linalg.norm(X - orbit[j], axis=1).max() <= bound


def test_to_dict_is_json(henon_W):
    data = json.loads(json.dumps(henon_W.to_dict()))
    assert data["kind"] == "unstable" and data["dimension"] == 1 and len(data["branches"]) == 2
    assert data["size"] == henon_W.size
    assert "\n" not in repr(henon_W) and "largest gap" in repr(henon_W)
    assert "UnstableManifold" in henon_W._repr_markdown_()


def test_two_dimensional_unstable_manifold():
    x, y, z = sp.symbols("x y z")
    # W^u(0) of (2x, 3y, z/2 + x^2): z = c x^2 with 4c = c/2 + 1, c = 2/7 (y does not enter)
    W = unstable_manifold(Map([2 * x, 3 * y, z / 2 + x ** 2], [x, y, z]), [0, 0, 0], samples=30,
                          steps=4, delta=1e-3)
    assert W.dimension == 2 and len(W.branches) == 5
    # the seeds lie on the tangent plane z = 0, 2/7 x^2 <= 2/7 delta^2 off; f halves that offset
    for j, br in enumerate(W.branches):
        assert np.abs(br[:, 2] - 2 / 7 * br[:, 0] ** 2).max() <= 2 / 7 * 1e-6 * 0.5 ** j * (1 + 1e-9)
    assert np.abs(W.branches[-1][:, 0]).max() > 1e-2  # grown: 2^4 delta along x
    assert "limitation" in W.notes


@pytest.mark.parametrize("exprs", [lambda x, y: [2 * x, 3 * y], lambda x, y: [x / 2, y / 3]])
def test_not_a_saddle(exprs):
    x, y = sp.symbols("x y")
    with pytest.raises(InvalidArgumentError, match="saddle"):
        unstable_manifold(Map(exprs(x, y), [x, y]), [0.0, 0.0])


def test_bad_input():
    with pytest.raises(InvalidArgumentError, match="not a fixed point"):
        unstable_manifold(henon(A, B), [0.0, 0.0])
    with pytest.raises(InvalidArgumentError, match="period-2 orbit"):
        unstable_manifold(henon(A, B), P + 0.1, period=2)
    with pytest.raises(InvalidArgumentError, match="max_gap"):
        unstable_manifold(henon(A, B), P, max_gap=0)


def test_plot_draws_each_kind_in_its_colour(henon_W):
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from gdmaps.plotting.manifolds import plot_manifolds, plot_stable_manifold

    plt.close("all")
    Ws = stable_manifold(henon(A, B), P, length=3.0, samples=100, steps=8)
    ax = plot_manifolds(Ws, henon_W).axes[0]
    assert len(ax.lines) == 4
    colours = [mcolors.to_hex(line.get_color()) for line in ax.lines]
    assert colours[:2] == [mcolors.to_hex("C0")] * 2 and colours[2:] == [mcolors.to_hex("C3")] * 2
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["stable manifold", "unstable manifold", "saddle"]
    for line in ax.lines:  # every branch starts at the saddle
        np.testing.assert_allclose(line.get_xydata()[0], P)
    # one result alone is labelled by its kind
    ax = plot_stable_manifold(henon_W).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["unstable manifold", "saddle"]
    plt.close("all")
