"""periodic_orbits: published counts, closed forms derived by hand, invariants.

Sources:
- Henon map a = 1.4, b = 0.3 (Henon, Commun. Math. Phys. 50, 69-77, 1976), the number
  of orbits of prime period p = 1..20: 2, 1, 0, 1, 0, 2, 4, 7, 6, 10, 14, 19, 32, 44,
  72, 102, 166, 233, 364, 535. Davidchack & Lai, "Efficient algorithm for detecting
  unstable periodic orbits in chaotic systems", Phys. Rev. E 60, 6172-6175 (1999),
  Table I (arXiv chao-dyn/9906007); proved for every period up to 30 in the trapping
  region by Galias, "Interval methods for rigorous investigations of periodic orbits",
  Int. J. Bifurcation Chaos 11, 2427-2450 (2001). Both count the two fixed points, one
  of which, (-1.13, -0.34), lies off the attractor on its basin boundary: a plain box
  such as [-2, 2]^2 holds exactly the counted orbits.
- Logistic map x -> 4x(1 - x): conjugate to the doubling map, so f^p has the 2^p fixed
  points sin^2(pi j / (2^p - 1)) and sin^2(pi j / (2^p + 1)) in [0, 1], and
  (1/p) sum_{q | p} mu(p/q) 2^q orbits of prime period p (May, Nature 261, 459, 1976).
- Standard map (Chirikov, Phys. Rep. 52, 263, 1979), k = 0.971635 (Greene 1979):
  fixed points and period-2 orbits derived below by hand.
"""

import dataclasses
import json
import math
import sys
import types

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdmaps import FreeParameterError, InvalidArgumentError, InvalidTypeError, Map
from gdmaps.maps import henon, logistic, standard
from gdmaps.orbits.orbit import Enclosure
from gdmaps.orbits.periodic_orbits import (CertificationUnavailableError, PeriodicOrbits, SearchStatus,
                                           periodic_orbits, periodic_orbits_up_to)

HENON_COUNTS = [2, 1, 0, 1, 0, 2, 4, 7, 6, 10, 14, 19, 32, 44, 72, 102, 166, 233, 364, 535]
BOX = [[-2.0, 2.0], [-2.0, 2.0]]
K = 0.971635
TWO_PI = 2 * math.pi


@pytest.fixture(scope="module")
def henon_orbits():
    """Every Henon orbit of period 1..14 (one search, shared by the tests below)."""
    return periodic_orbits_up_to(henon(), 14, BOX)


def mobius(n):
    out, m, q = 1, n, 2
    while q * q <= m:
        if m % q == 0:
            m //= q
            if m % q == 0:
                return 0
            out = -out
        q += 1
    return -out if m > 1 else out


def iterate_n(m, x, n):
    for _ in range(n):
        x = m.numeric.step(x)
    return x


def assert_same_points(found, expected, atol=1e-10, period=None):
    """Two point sets equal as sets (rows in any order), optionally modulo ``period``."""
    found, expected = np.atleast_2d(found), np.atleast_2d(expected)
    assert found.shape == expected.shape
    diff = found[:, None, :] - expected[None, :, :]
    if period is not None:
        diff = (diff + period / 2) % period - period / 2
    dist = np.abs(diff).max(axis=-1)
    assert (dist.min(axis=1) < atol).all() and (dist.min(axis=0) < atol).all(), dist


# -- Henon ----------------------------------------------------------------------------


def test_henon_counts_equal_the_published_table(henon_orbits):
    counts = [henon_orbits[p].count for p in range(1, 15)]
    assert counts == HENON_COUNTS[:14]
    assert all(r.status is SearchStatus.SATURATED for r in henon_orbits.values())


def test_henon_low_periods_agree_with_a_brute_force_search():
    """Independent check of the table's first entries: Newton on f^p - id from a dense grid."""
    a, b = 1.4, 0.3
    g = np.stack(np.meshgrid(np.linspace(-1.5, 1.5, 121), np.linspace(-0.5, 0.5, 41)), -1).reshape(-1, 2)
    for p, expected in zip(range(1, 7), HENON_COUNTS):
        x = g.copy()
        with np.errstate(all="ignore"):
            for _ in range(60):
                y, M = x.copy(), np.broadcast_to(np.eye(2), (len(x), 2, 2))
                for _ in range(p):
                    J = np.zeros((len(x), 2, 2))
                    J[:, 0, 0], J[:, 0, 1], J[:, 1, 0] = -2 * a * y[:, 0], 1, b
                    M = J @ M
                    y = np.stack([1 - a * y[:, 0] ** 2 + y[:, 1], b * y[:, 0]], 1)
                ok = np.isfinite(M).all((1, 2)) & np.isfinite(y).all(1)
                x, y, M = x[ok], y[ok], M[ok]
                x = x - np.einsum("nij,nj->ni", np.linalg.pinv(M - np.eye(2)), y - x)
                x = x[np.isfinite(x).all(1) & (np.abs(x).max(1) < 3)]
        x = x[np.abs(x).max(1) < 2]
        pts = x[np.unique(np.round(x, 8), axis=0, return_index=True)[1]]
        pts = pts[np.abs(iterate_n(henon(), pts, p) - pts).max(1) < 1e-9]
        prime = [x for x in pts if all(np.abs(iterate_n(henon(), x, q) - x).max() > 1e-6
                                       for q in range(1, p) if p % q == 0)]
        assert len(prime) == p * expected


def test_henon_fixed_points_and_period_two_orbit_match_closed_forms(henon_orbits):
    a, b = sp.Rational(7, 5), sp.Rational(3, 10)
    x, y = sp.symbols("x y")
    f = sp.Matrix([1 - a * x**2 + y, b * x])
    # fixed points: a x^2 + (1 - b) x - 1 = 0, y = b x
    fixed = [(float(r), float(b * r)) for r in sp.solve(a * x**2 + (1 - b) * x - 1, x)]
    assert_same_points(henon_orbits[1].points[:, 0], fixed, atol=1e-12)
    # their multipliers: lambda^2 + 2 a x lambda - b = 0
    for o in henon_orbits[1]:
        lam = sp.symbols("lam")
        exact = sorted(float(r) for r in sp.solve(lam**2 + 2 * a * o.points[0, 0] * lam - b, lam))
        np.testing.assert_allclose(sorted(o.stability.multipliers), exact, rtol=1e-10)
    # period 2: f(f(x)) = x minus the fixed points; x = (1 - b +- sqrt(4a - 3(1 - b)^2)) / (2a)
    f2 = f.subs({x: f[0], y: f[1]}, simultaneous=True)
    sols = sp.solve([f2[0] - x, f2[1] - y], [x, y], dict=True)
    two = [(float(s[x]), float(s[y])) for s in sols
           if sp.simplify(a * s[x] ** 2 + (1 - b) * s[x] - 1) != 0]
    assert len(two) == 2
    assert_same_points(henon_orbits[2][0].points, two, atol=1e-12)
    xs = [(1 - b + s * sp.sqrt(4 * a - 3 * (1 - b) ** 2)) / (2 * a) for s in (1, -1)]
    assert_same_points(henon_orbits[2][0].points[:, :1], [[float(v)] for v in xs], atol=1e-12)


def test_henon_multipliers_multiply_to_the_determinant_power(henon_orbits):
    # det Df = -b everywhere, so the product of an orbit's multipliers is (-b)^p. The small
    # multiplier of a saddle is only known to eps * rho (rho the spectral radius) by any
    # eigenvalue routine, so the product to eps * rho^2.
    eps = np.finfo(float).eps
    for p, found in henon_orbits.items():
        for o in found:
            mu = o.stability.multipliers
            rho = o.stability.spectral_radius
            np.testing.assert_allclose(np.prod(mu).real, (-0.3) ** p, rtol=1e-9, atol=4 * eps * rho**2)
            # a saddle: one multiplier out, one in, real (Henon at these parameters is hyperbolic)
            assert o.stability.kind.value == "saddle" and np.isrealobj(mu)


def test_every_henon_orbit_is_a_distinct_prime_cycle_in_the_box(henon_orbits):
    m = henon()
    for p, found in henon_orbits.items():
        pts = found.points
        assert pts.shape == (found.count, p, 2)
        # f^p(x_0) = x_0 and f(x_k) = x_{k+1}
        np.testing.assert_allclose(iterate_n(m, pts[:, 0], p), pts[:, 0], atol=1e-9)
        for o in found:
            assert o.residual < 1e-10 and o.period == p
            np.testing.assert_allclose(m.numeric.step(o.points), np.roll(o.points, -1, axis=0), atol=1e-10)
            # canonical: starts at its lexicographically smallest point
            first = min(range(p), key=lambda k: tuple(o.points[k]))
            assert first == 0
            # prime: p distinct points
            gaps = np.abs(o.points[:, None] - o.points[None]).max(-1) + np.eye(p)
            assert gaps.min() > 1e-6
        assert ((pts >= -2) & (pts <= 2)).all()
        # no orbit twice, not even shifted: the sets of first points are distinct
        firsts = pts[:, 0]
        if len(firsts) > 1:
            d = np.abs(firsts[:, None] - firsts[None]).max(-1) + np.eye(len(firsts))
            assert d.min() > 1e-6


def test_search_is_reproducible_and_neighbors_alone_suffice(henon_orbits):
    again = periodic_orbits(henon(), 8, BOX)
    np.testing.assert_array_equal(again.points, periodic_orbits(henon(), 8, BOX).points)
    assert again.count == 7
    # the Davidchack-Lai seeds alone: no trajectories, almost no random points
    only = periodic_orbits(henon(), 9, BOX, iterates=0, starts=1,
                           neighbors=[henon_orbits[8], henon_orbits[4], henon_orbits[5]])
    assert only.count == 6


def test_guesses_seed_the_search():
    found = periodic_orbits(henon(), 2, BOX, iterates=0, starts=1, max_rounds=1,
                            guesses=[[0.97, -0.14]])
    assert found.count == 1 and found.status is SearchStatus.SEED_LIMITED
    cycle = periodic_orbits(henon(), 2, BOX, iterates=0, starts=1, max_rounds=1,
                            guesses=[[[0.97, -0.14], [-0.47, 0.29]]])
    np.testing.assert_allclose(cycle.points, found.points, atol=1e-12)


@settings(max_examples=8, deadline=None)
@given(st.floats(0.3, 1.4), st.floats(-0.4, 0.4))
def test_henon_fixed_points_for_any_parameters(a, b):
    """Both fixed points x = (-(1 - b) +- sqrt((1 - b)^2 + 4a)) / (2a), y = b x, whatever (a, b)."""
    found = periodic_orbits(henon(a, b), 1, [[-6, 6], [-6, 6]], starts=256, iterates=4096)
    disc = math.sqrt((1 - b) ** 2 + 4 * a)
    xs = [(-(1 - b) + s * disc) / (2 * a) for s in (1, -1)]
    assert_same_points(found.points[:, 0], [[x, b * x] for x in xs], atol=1e-10)


# -- logistic -------------------------------------------------------------------------


def test_logistic_period_two_orbit_matches_closed_form():
    r = 3.5
    found = periodic_orbits(logistic(r), 2, [0, 1])  # a 1-D map takes one [low, high] pair
    xs = [(r + 1 + s * math.sqrt((r - 3) * (r + 1))) / (2 * r) for s in (1, -1)]
    assert found.count == 1
    assert_same_points(found[0].points, [[v] for v in xs], atol=1e-12)
    # multiplier f'(x1) f'(x2) = -r^2 + 2r + 4 = -1.25: the 2-cycle lost stability at r = 1 + sqrt(6)
    np.testing.assert_allclose(found[0].stability.multipliers, [-r * r + 2 * r + 4], rtol=1e-10)
    assert found[0].stability.kind.value == "repelling"


def test_logistic_at_four_has_every_orbit_of_the_doubling_map():
    found = periodic_orbits_up_to(logistic(4), 8, [[0, 1]])
    for p, res in found.items():
        assert res.count == sum(mobius(p // q) * 2**q for q in range(1, p + 1) if p % q == 0) // p
    # the 2^p points of period dividing p, in closed form, for p = 5
    pts = np.concatenate([found[q].points.reshape(-1, 1) for q in (1, 5)])
    exact = [math.sin(math.pi * j / (2**5 + s)) ** 2 for s in (-1, 1) for j in range(0, 16 + (s > 0))]
    assert_same_points(np.unique(pts.round(12), axis=0), np.unique(np.round(exact, 12))[:, None], 1e-10)


# -- standard map ---------------------------------------------------------------------


def test_standard_map_on_the_lift_has_two_fixed_points_and_no_two_cycle():
    found = periodic_orbits_up_to(standard(K), 2, [[-1, 4], [-1, 1]])
    assert_same_points(found[1].points[:, 0], [[0, 0], [math.pi, 0]], atol=1e-12)
    traces = {round(float(o.points[0, 0]), 6): float(np.sum(o.stability.multipliers).real) for o in found[1]}
    # J = [[1 + k cos t, 1], [k cos t, 1]]: trace 2 + k at t = 0 (saddle), 2 - k at pi (elliptic)
    np.testing.assert_allclose([traces[0.0], traces[round(math.pi, 6)]], [2 + K, 2 - K], rtol=1e-12)
    kinds = {round(float(o.points[0, 0]), 6): o.stability.kind.value for o in found[1]}
    assert kinds == {0.0: "saddle", round(math.pi, 6): "non-hyperbolic"}
    # on the lift a 2-cycle needs p = -(k/2) sin t and sin(t + (k/2) sin t) = -sin t,
    # whose only solutions for k < 4 are the fixed points
    assert found[2].count == 0


def test_standard_map_on_the_torus_period_two_orbits_match_closed_forms():
    found = periodic_orbits_up_to(standard(K), 2, [[0, TWO_PI], [0, TWO_PI]], modulo=[TWO_PI, TWO_PI])
    assert_same_points(found[1].points[:, 0], [[0, 0], [math.pi, 0]], atol=1e-12, period=TWO_PI)
    # mod 2 pi: p = pi - (k/2) sin t, and either sin t = 0 (t = 0, pi) or t = pi/2 - (k/4) sin t
    t1 = float(sp.nsolve(sp.Symbol("t") - sp.pi / 2 + K / 4 * sp.sin(sp.Symbol("t")), 1.3))
    elliptic = [[0, math.pi], [math.pi, math.pi]]
    saddle = [[t1, math.pi - K / 2 * math.sin(t1)], [TWO_PI - t1, math.pi + K / 2 * math.sin(t1)]]
    assert found[2].count == 2
    by_kind = {o.stability.kind.value: o for o in found[2]}
    assert_same_points(by_kind["non-hyperbolic"].points, elliptic, atol=1e-10, period=TWO_PI)
    assert_same_points(by_kind["saddle"].points, saddle, atol=1e-10, period=TWO_PI)
    # traces of the monodromy: 2 - k^2 (elliptic), 2 + 4 k c + k^2 c^2 with c = cos t1 (saddle)
    c = math.cos(t1)
    np.testing.assert_allclose(np.sum(by_kind["non-hyperbolic"].stability.multipliers).real, 2 - K**2)
    np.testing.assert_allclose(np.sum(by_kind["saddle"].stability.multipliers).real,
                               2 + 4 * K * c + K**2 * c**2)
    assert ((found[2].points >= 0) & (found[2].points < TWO_PI)).all()
    # the same with Schmelcher-Diakonos matrices of our own choosing, or C = I alone
    for transforms in (np.array([np.eye(2), -np.eye(2)]), "identity"):
        again = periodic_orbits(standard(K), 2, [[0, TWO_PI]] * 2, modulo=[TWO_PI] * 2,
                                transforms=transforms)
        assert again.count == 2


# -- four dimensions ------------------------------------------------------------------


def coupled_henon(a, c):
    """Two Henon maps (b = 3/10) coupled through x: (x1, y1, x2, y2)."""
    x1, y1, x2, y2 = sp.symbols("x1 y1 x2 y2")
    a, b, c = sp.Rational(a), sp.Rational(3, 10), sp.Rational(c)
    return Map([1 - a * x1**2 + y1 + c * (x2 - x1), b * x1, 1 - a * x2**2 + y2 + c * (x1 - x2), b * x2],
               [x1, y1, x2, y2])


def test_coupled_henon_orbits_close_and_count_like_the_product():
    m, box = coupled_henon("6/5", "1/20"), [[-2, 2]] * 4
    found = periodic_orbits_up_to(m, 3, box)
    more = periodic_orbits_up_to(m, 3, box, starts=4096, iterates=131072, seed=7)
    single = periodic_orbits_up_to(henon(1.2, 0.3), 3, BOX)
    for p in (1, 2, 3):
        for o in found[p]:
            np.testing.assert_allclose(iterate_n(m, o.points[0], p), o.points[0], atol=1e-10)
        assert more[p].count == found[p].count
        # weak coupling keeps every hyperbolic orbit of the uncoupled product: points of
        # period dividing p are pairs of such points of one Henon map, P4(p) = P2(p)^2
        P2 = {q: sum(r * single[r].count for r in range(1, q + 1) if q % r == 0) for q in (1, 2, 3)}
        prime4 = sum(mobius(p // q) * P2[q] ** 2 for q in (1, 2, 3) if p % q == 0) // p
        assert found[p].count == prime4
    # the swap (x1, y1) <-> (x2, y2) is a symmetry: it maps the set of orbits to itself
    for p in (1, 2):
        pts = found[p].points.reshape(-1, 4)
        assert_same_points(pts[:, [2, 3, 0, 1]], pts, atol=1e-9)


# -- the result object ----------------------------------------------------------------


def test_result_reads_like_a_sentence_and_serializes(henon_orbits):
    r = henon_orbits[6]
    assert isinstance(r, PeriodicOrbits) and len(r) == 2 and list(r) == list(r.orbits)
    assert repr(r).startswith("<PeriodicOrbits: 2 orbits of prime period 6 in [-2, 2] x [-2, 2] (2 saddles);"
                              " saturated after ")
    assert repr(henon_orbits[1]).startswith("<PeriodicOrbits: 2 fixed points in")
    assert repr(henon_orbits[3]).startswith("<PeriodicOrbits: 0 orbits of prime period 3 in")
    data = json.loads(json.dumps(r.to_dict()))
    assert data["count"] == 2 and data["status"] == "saturated" and len(data["orbits"]) == 2
    assert data["orbits"][0]["period"] == 6 and data["kinds"] == {"saddle": 2}
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.period = 3


def test_progress_bars_go_to_stderr(capsys, monkeypatch):
    monkeypatch.setattr("gdmaps.core.progress.DELAY", 0.0)
    periodic_orbits_up_to(henon(), 2, BOX, progress=True)
    err = capsys.readouterr().err
    assert "gdmaps periodic orbits" in err and "period 2: 1 orbits (saturated)" in err
    periodic_orbits(henon(), 1, BOX, progress=True)
    assert "gdmaps period 1" in capsys.readouterr().err
    periodic_orbits(henon(), 1, BOX)  # stderr is not a terminal here: no bar
    assert capsys.readouterr().err == ""


# -- certification --------------------------------------------------------------------


def test_certify_fills_the_enclosure(monkeypatch):
    calls = []

    def certify_orbit(map, points):
        calls.append(points.copy())
        return Enclosure(True, points - 1e-12, points + 1e-12, "fake proof")

    fake = types.SimpleNamespace(certify_orbit=certify_orbit)
    monkeypatch.setitem(sys.modules, "gdmaps.orbits.krawczyk", fake)
    found = periodic_orbits(henon(), 2, BOX, certify=True)
    assert found[0].certified and found[0].enclosure.reason == "fake proof" and len(calls) == 1
    # orbits that wind around an angle are not passed to a certifier of the lift
    torus = periodic_orbits(standard(K), 2, [[0, TWO_PI]] * 2, modulo=[TWO_PI] * 2, certify=True)
    assert not any(o.certified for o in torus) and "winds" in torus[0].enclosure.reason


def test_certify_without_the_krawczyk_module_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "gdmaps.orbits.krawczyk", None)  # import fails
    with pytest.raises(CertificationUnavailableError, match="gdmaps.orbits.krawczyk.certify_orbit"):
        periodic_orbits(henon(), 1, BOX, certify=True)


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(period=0), InvalidArgumentError, "period must be an integer >= 1, got 0"),
    (dict(period=1.5), InvalidTypeError, "period must be an integer"),
    (dict(region=[[-2, 2]]), InvalidArgumentError, r"shape \(2, 2\)"),
    (dict(region=[[-2, 2], [1, 1]]), InvalidArgumentError, r"low < high, got \[1, 1\] for coordinate 1"),
    (dict(region=[[-2, 2], [0, np.inf]]), InvalidArgumentError, "finite"),
    (dict(region="box"), InvalidTypeError, "region"),
    (dict(transforms="some"), InvalidArgumentError, "transforms must be one of"),
    (dict(transforms=np.eye(3)[None]), InvalidArgumentError, r"array \(m, 2, 2\)"),
    (dict(modulo=[1.0]), InvalidArgumentError, "modulo must be a sequence of 2"),
    (dict(modulo=[None, -1.0]), InvalidArgumentError, "modulo"),
    (dict(tol=0), InvalidArgumentError, "tol"),
    (dict(starts=0), InvalidArgumentError, "starts"),
    (dict(guesses=np.zeros((3, 5))), InvalidArgumentError, "guesses"),
    (dict(neighbors=[1, 2]), InvalidTypeError, "neighbors"),
])
def test_bad_input_raises_clear_errors(kwargs, error, match):
    args = dict(period=1, region=BOX) | kwargs
    with pytest.raises(error, match=match):
        periodic_orbits(henon(), args.pop("period"), args.pop("region"), **args)


def test_maps_with_free_parameters_or_non_maps_are_refused():
    x, r = sp.symbols("x r")
    with pytest.raises(FreeParameterError, match="free parameters r"):
        periodic_orbits(Map([r * x * (1 - x)], [x]), 1, [[0, 1]])
    with pytest.raises(InvalidTypeError, match="map must be a gdmaps Map"):
        periodic_orbits(lambda x: x, 1, [[0, 1]])
    with pytest.raises(InvalidArgumentError, match="unknown options certfy"):
        periodic_orbits_up_to(henon(), 2, BOX, certfy=True)
    with pytest.raises(InvalidArgumentError, match="min_period must be <= max_period"):
        periodic_orbits_up_to(henon(), 2, BOX, min_period=3)
