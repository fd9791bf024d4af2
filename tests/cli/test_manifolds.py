"""gdmaps manifolds: the saddles and their manifolds against closed forms and the inverse map."""

import json

import numpy as np
import pytest

A, B = 1.4, 0.3


def henon_inverse(X):
    """From x' = 1 - a x^2 + y, y' = b x: x = y'/b, y = x' - 1 + a (y'/b)^2."""
    x = X[:, 1] / B
    return np.column_stack([x, X[:, 0] - 1 + A * x ** 2])


def test_henon_saddles_and_manifolds(cli, tmp_path):
    out_png = tmp_path / "m.png"
    code, out, err = cli("manifolds", "--map", "henon", "--length", "3", "--json", "--out", str(out_png))
    data = json.loads(out)
    assert code == 0 and err == ""
    # the fixed points solve a x^2 + (1 - b) x - 1 = 0, y = b x; both are saddles
    roots = sorted((-(1 - B) + s * np.sqrt((1 - B) ** 2 + 4 * A)) / (2 * A) for s in (-1, 1))
    got = sorted(s["orbit"][0][0] for s in data["saddles"])
    assert np.allclose(got, roots, atol=1e-12, rtol=0)
    for s in data["saddles"]:
        p = np.array(s["orbit"][0])
        st, un = s["stable"], s["unstable"]
        assert st["kind"] == "stable" and un["kind"] == "unstable" and not s["errors"]
        # multipliers solve mu^2 + 2 a x mu - b = 0
        mus = np.roots([1, 2 * A * p[0], -B])
        assert np.allclose(sorted(un["multipliers"]), sorted(mus), atol=1e-12, rtol=0)
        # the unstable manifold comes back to the saddle under the inverse: f^-level(q) is a seed,
        # at most delta mu_u^2 from p (points up to level 8; rounding grows by 1/|mu_s| per step)
        mu_u = max(abs(mus))
        for br, lev in zip(un["branches"], un["levels"]):
            X, lev = np.array(br), np.array(lev)
            X, lev = X[lev <= 8], lev[lev <= 8]
            for n in range(lev.max()):
                X[lev > n] = henon_inverse(X[lev > n])
            assert np.linalg.norm(X - p, axis=1).max() <= 1e-5 * mu_u ** 2 * (1 + 1e-3)
    assert out_png.stat().st_size > 5000


def test_period_two_saddle_orbit(cli):
    """Henon's 2-cycle: x1 + x2 = (1 - b)/a, x1 x2 = ((1 - b)^2/a - 1)/a."""
    code, out, _ = cli("manifolds", "--map", "henon", "--period", "2", "--length", "1", "--json")
    data = json.loads(out)
    s, p = (1 - B) / A, ((1 - B) ** 2 / A - 1) / A
    xs = sorted(np.roots([1, -s, p]).real)
    assert code == 0 and len(data["saddles"]) == 1
    orbit = np.array(data["saddles"][0]["orbit"])
    assert np.allclose(sorted(orbit[:, 0]), xs, atol=1e-10, rtol=0)
    assert len(data["saddles"][0]["unstable"]["branches"]) == 4  # two per orbit point
    assert data["saddles"][0]["stable"]["period"] == 2


def test_gd_saddle_of_the_default_loss(cli):
    """(ab - 1)^2/2, eta = 0.5: the origin is the only isolated fixed point, a saddle (DG has
    eigenvalues 1 +- eta); its stable manifold is the line a = -b, its unstable one a = b."""
    code, out, _ = cli("manifolds", "--eta", "0.5", "--length", "1", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["saddles"]) == 1
    sad = data["saddles"][0]
    assert np.allclose(sad["orbit"][0], [0, 0], atol=1e-12)
    assert sorted(sad["unstable"]["multipliers"]) == pytest.approx([0.5, 1.5])
    for br in sad["stable"]["branches"]:
        assert np.abs(np.array(br).sum(axis=1)).max() < 1e-9
    for br in sad["unstable"]["branches"]:
        assert np.abs(np.diff(np.array(br), axis=1)).max() < 1e-9
    assert "other fixed points found" in data["notes"]  # the curve ab = 1 of minima


def test_one_point_polished_and_summary(cli):
    code, out, _ = cli("manifolds", "--map", "henon", "--point", "0.63,0.19", "--which", "unstable",
                       "--length", "2")
    assert code == 0 and "saddle fixed point [0.631354, 0.189406]" in out
    assert "UnstableManifold" in out and "StableManifold" not in out


@pytest.mark.parametrize("argv, message", [
    (["--map", "henon", "--point", "5,5"], "--point 5,5: Newton finds no fixed point"),
    (["--map", "henon", "--point", "1,2,3"], "--point must be 2 finite numbers"),
    (["--map", "henon", "--point", "0.63,0.19", "--region=-1,1,-1,1"], "--region"),
    (["--map", "henon", "--out", "m.txt"], "--out must end in .png, .pdf, .svg"),
    (["--map", "henon", "--period", "100"], "over the limit period"),
    (["--map", "henon", "--length", "0"], "--length must be a finite number > 0"),
    (["--map", "x: 2*x; y: y/2; z: z/2", "--out", "m.png"], "--out draws 2-D maps"),
    (["--map", "x: 2*x; y: 3*y", "--point", "0,0"], "saddle"),
    (["--loss", "(a*b - 1)**2/2"], "--eta is required"),
])
def test_bad_input_exits_2_in_one_line(cli, argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("manifolds", *argv)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_no_saddle_is_said(cli):
    code, out, _ = cli("manifolds", "--map", "x: x/2; y: y/3", "--json")
    assert code == 0 and json.loads(out)["saddles"] == []


def test_help(cli):
    code, out, _ = cli("manifolds", "--help")
    assert code == 0 and "example:" in out and "--limit NAME=N" in " ".join(out.split())
