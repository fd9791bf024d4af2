"""mlp: numpy backprop against the SymPy path, finite differences and a hand-written forward pass."""

import warnings

import numpy as np
import pytest
import sympy as sp

from gdmaps import FreeParameterError, GDMap, InvalidArgumentError, InvalidTypeError, NumericGD
from gdmaps.basins.iterate import iterate
from gdmaps.models._backprop import BackpropGD
from gdmaps.models.mlp import SYMBOLIC_LIMIT, MLPMap, mlp

ACTIVATIONS = ["tanh", "sigmoid", "softplus", "relu"]
NUMPY_ACT = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
             "softplus": lambda z: np.log1p(np.exp(z)), "relu": lambda z: np.maximum(z, 0)}


def _data(seed, d_in, d_out, n):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(d_in, n)), rng.normal(size=(d_out, n))


def _close(a, b, rel=1e-10):
    np.testing.assert_allclose(a, b, rtol=rel, atol=rel * max(1.0, np.max(np.abs(b))))


def _central_gradient(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


# -- against the symbolic path -------------------------------------------------------------
def _assert_paths_agree(shape, activation, **kw):
    d_in, widths, d_out, n = shape
    X, Y = _data(1, d_in, d_out, n)
    sym = mlp(X, Y, widths, activation, symbolic=True, eta=0.1, **kw)
    num = mlp(X, Y, widths, activation, symbolic=False, eta=0.1, **kw)
    assert type(sym) is GDMap and type(num) is MLPMap and sym.state == num.state
    rng = np.random.default_rng(2)
    T, V = rng.normal(size=(4, sym.dim)), rng.normal(size=(4, sym.dim))
    s, b = sym.numeric, num.numeric
    _close(b.loss(T), s.loss(T))
    _close(b.gradient(T), s.gradient(T))
    H = s.hessian(T)  # compiling the SymPy Hessian is the slow part: keep the models tiny
    _close(b.hessian(T), H)
    _close(b.hvp(T, V), np.einsum("nij,nj->ni", H, V))
    _close(b.step(T), s.step(T))


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_equals_symbolic_path(activation, bias, reduction):
    _assert_paths_agree((2, [2], 2, 2), activation, bias=bias, reduction=reduction)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_equals_symbolic_path_two_hidden_layers(activation):
    # sigma'' of the first layer reaches the second through the R-operator's backward pass
    _assert_paths_agree((1, [2, 2], 1, 2), activation, bias=True)


def test_relu_kink_convention_agrees_with_symbolic_path():
    # W1 = 0 puts every hidden pre-activation on the kink z = 0: Heaviside(0) = 1/2 in both.
    X, Y = _data(3, 2, 1, 3)
    sym = mlp(X, Y, [2], "relu", symbolic=True, eta=0.1)
    num = mlp(X, Y, [2], "relu", symbolic=False, eta=0.1)
    theta = np.array([0, 0, 0, 0, 1.5, -2.0])
    _close(num.numeric.gradient(theta), sym.numeric.gradient(theta))
    _close(num.numeric.hessian(theta), sym.numeric.hessian(theta))


def test_loss_equals_hand_written_forward_pass_and_layout():
    X, Y = _data(4, 3, 2, 5)
    g = mlp(X, Y, [4], "tanh", bias=True, symbolic=False, reduction="mean")
    names = [s.name for s in g.state]
    assert names[:4] == ["W1_0_0", "W1_0_1", "W1_0_2", "W1_1_0"]
    assert names[12:16] == ["b1_0", "b1_1", "b1_2", "b1_3"]
    assert names[16:] == [f"W2_{i}_{j}" for i in range(2) for j in range(4)] + ["b2_0", "b2_1"]
    theta = np.random.default_rng(5).normal(size=g.dim)
    W1, b1 = theta[:12].reshape(4, 3), theta[12:16]
    W2, b2 = theta[16:24].reshape(2, 4), theta[24:]
    f = W2 @ np.tanh(W1 @ X + b1[:, None]) + b2[:, None]
    assert g.numeric.loss(theta) == pytest.approx(0.5 * np.sum((f - Y) ** 2) / 5, rel=1e-13)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mean_is_sum_over_n(activation):
    X, Y = _data(6, 2, 1, 7)
    s = mlp(X, Y, [3], activation, symbolic=False).numeric
    m = mlp(X, Y, [3], activation, symbolic=False, reduction="mean").numeric
    T = np.random.default_rng(7).normal(size=(3, s.dim))
    _close(m.loss(T), s.loss(T) / 7)
    _close(m.gradient(T), s.gradient(T) / 7)


# -- against finite differences ------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_and_hvp_equal_central_differences(activation):
    X, Y = _data(8, 3, 2, 6)
    g = mlp(X, Y, [4, 3], activation, bias=True, symbolic=False, eta=0.1).numeric
    rng = np.random.default_rng(9)
    x, v = rng.normal(size=g.dim), rng.normal(size=g.dim)
    _close(g.gradient(x), _central_gradient(g.loss, x), rel=1e-6)
    h = 1e-6
    fd = (g.gradient(x + h * v) - g.gradient(x - h * v)) / (2 * h)
    _close(g.hvp(x, v), fd, rel=1e-6)
    _close(g.hvp(x, v), g.hessian(x) @ v, rel=1e-12)


def test_hessian_is_the_same_for_every_chunk_size(monkeypatch):
    X, Y = _data(10, 2, 1, 9)
    g = mlp(X, Y, [6], "softplus", bias=True, symbolic=False).numeric
    T = np.random.default_rng(11).normal(size=(3, g.dim))
    H = g.hessian(T)
    monkeypatch.setattr(BackpropGD, "CHUNK_FLOATS", 1)  # one column per chunk
    _close(g.hessian(T), H, rel=1e-14)
    np.testing.assert_array_equal(H, np.swapaxes(H, 1, 2))


# -- the GD map ------------------------------------------------------------------------------
def test_step_and_transposed_forms_are_x_minus_eta_grad():
    X, Y = _data(12, 2, 1, 8)
    g = mlp(X, Y, [5], "tanh", symbolic=False, eta=0.05).numeric
    T = np.random.default_rng(13).normal(size=(6, g.dim))
    one = T - 0.05 * g.gradient(T)
    _close(g.step(T), one, rel=1e-15)
    _close(g(T), one, rel=1e-15)
    _close(g.step_T(T.T), one.T, rel=1e-15)
    rows = g.step_rows(list(T.T))
    assert len(rows) == g.dim and rows[0].shape == (6,)
    _close(np.array(rows), one.T, rel=1e-15)
    three = T
    for _ in range(3):
        three = three - 0.05 * g.gradient(three)
    _close(g.advance_T(T.T, 3), three.T, rel=1e-13)
    np.testing.assert_array_equal(g.advance_T(T.T, 0), T.T)
    _close(g.jacobian(T), np.eye(g.dim) - 0.05 * g.hessian(T), rel=1e-15)


def test_point_and_batch_shapes():
    X, Y = _data(14, 2, 2, 4)
    g = mlp(X, Y, [3], "sigmoid", symbolic=False, eta=0.1).numeric
    P = g.dim
    assert isinstance(g, NumericGD) and P == 12 and g.eta == 0.1 and g.values == (0.1,)
    x = np.zeros(P)
    assert isinstance(g.loss(x), float)
    assert g.gradient(x).shape == g.step(x).shape == g.hvp(x, x).shape == (P,)
    assert g.hessian(x).shape == g.jacobian(x).shape == (P, P)
    T = np.zeros((5, P))
    assert g.loss(T).shape == (5,)
    assert g.gradient(T).shape == g.step(T).shape == g.hvp(T, x).shape == (5, P)
    assert g.hessian(T).shape == g.jacobian(T).shape == (5, P, P)
    assert g.step_T(T.T).shape == g.advance_T(T.T, 2).shape == (P, 5)
    with pytest.raises(InvalidArgumentError, match=r"x must have shape \(12,\) or \(N, 12\)"):
        g.gradient(np.zeros(11))
    with pytest.raises(InvalidArgumentError,
                       match=r"V must have shape \(12,\) or the shape of x \(12,\), got \(3,\)"):
        g.hvp(x, np.zeros(3))
    with pytest.raises(InvalidArgumentError, match=r"the shape of x \(5, 12\), got \(2, 12\)"):
        g.hvp(T, np.zeros((2, P)))


def test_non_finite_points_give_non_finite_values_silently():
    X, Y = _data(15, 2, 1, 4)
    g = mlp(X, Y, [3], "tanh", symbolic=False, eta=0.1).numeric
    T = np.zeros((3, g.dim))
    T[0, 0], T[1, :] = np.nan, 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L, G, S = g.loss(T), g.gradient(T), g.step(T)
        g.hessian(T)
    assert np.isnan(L[0]) and not np.isfinite(L[1]) and np.isfinite(L[2])
    assert np.isnan(G[0]).any() and np.isfinite(S[2]).all()


# -- paths, laziness and the step size -------------------------------------------------------
def test_symbolic_none_picks_the_path_by_size():
    X, Y = _data(16, 1, 1, 3)
    small = mlp(X, Y, [2], "tanh")  # 4 params x 3 points
    assert type(small) is GDMap and 4 * 3 <= SYMBOLIC_LIMIT
    X, Y = _data(16, 1, 1, 30)
    big = mlp(X, Y, [2], "tanh")  # 4 params x 30 points
    assert type(big) is MLPMap and isinstance(big, GDMap) and 4 * 30 > SYMBOLIC_LIMIT
    assert type(mlp(X, Y, [2], "tanh", symbolic=True)) is GDMap
    assert repr(big) == "MLPMap(tanh 1-2-1, sum over 30 points, 4 params, eta = eta)"


def test_lazy_symbolic_objects_agree_with_the_numeric_form():
    X, Y = _data(17, 2, 1, 3)
    g = mlp(X, Y, [2], "tanh", bias=True, symbolic=False, eta=0.25)
    assert "loss" not in vars(g._spec)  # nothing symbolic built yet
    theta = np.random.default_rng(18).normal(size=g.dim)
    point = dict(zip(g.state, theta))
    num = g.numeric
    assert float(g.loss.xreplace(point)) == pytest.approx(num.loss(theta), rel=1e-12)
    _close(np.array(g.gradient().xreplace(point), dtype=float).ravel(), num.gradient(theta))
    _close(np.array(g.hessian().xreplace(point), dtype=float), num.hessian(theta))
    assert g.at(0.5)._spec is g._spec and "loss" in vars(g._spec)  # built once, shared


def test_at_and_subs_keep_the_backprop_path_without_building_sympy():
    X, Y = _data(19, 3, 1, 50)
    g = mlp(X, Y, [8], "relu", symbolic=False)
    h = g.at(0.01)
    assert type(h) is MLPMap and h.eta == sp.Rational(1, 100)
    assert isinstance(h.numeric, BackpropGD) and h.numeric.eta == 0.01
    k = g.subs(eta=0.02)
    assert type(k) is MLPMap and k.numeric.eta == 0.02
    assert h.at(0.5).numeric.eta == 0.5 and h.numeric.eta == 0.01
    assert "loss" not in vars(g._spec) and "gradient" not in vars(g._spec)


def test_free_eta_evaluates_the_loss_but_refuses_steps():
    X, Y = _data(20, 2, 1, 40)
    g = mlp(X, Y, [3], "tanh").numeric
    x = np.zeros(g.dim)
    assert g.eta is None and isinstance(g.loss(x), float) and g.gradient(x).shape == (g.dim,)
    for call in (lambda: g.step(x), lambda: g.jacobian(x), lambda: g.step_T(x[:, None]),
                 lambda: g.advance_T(x[:, None], 2), lambda: g.step_rows(list(x[:, None]))):
        with pytest.raises(FreeParameterError, match="step size"):
            call()


def test_exact_data_in_the_symbolic_loss():
    g = mlp([[0.1, 2]], [[sp.Rational(1, 3), 1]], [1], "tanh", symbolic=True)
    w1, w2 = g.state
    assert g.loss == (w2 * sp.tanh(w1 / 10) - sp.Rational(1, 3)) ** 2 / 2 + (
        w2 * sp.tanh(2 * w1) - 1) ** 2 / 2


# -- sizes users run -------------------------------------------------------------------------
@pytest.mark.parametrize("d_in, widths, n, n_params", [(10, [50], 300, 601),
                                                       (10, [60, 40], 300, 3141)])
def test_large_models_run_and_match_finite_differences(d_in, widths, n, n_params):
    X, Y = _data(21, d_in, 1, n)
    g = mlp(X, Y, widths, "tanh", bias=True, reduction="mean", eta=0.01)
    assert type(g) is MLPMap and g.dim == n_params
    num = g.numeric
    rng = np.random.default_rng(22)
    T = rng.normal(size=(8, g.dim)) / np.sqrt(d_in)
    S = num.advance_T(T.T, 8)
    assert S.shape == (g.dim, 8) and np.isfinite(S).all()
    x, h = T[0], 1e-5
    G = num.gradient(x)
    for v in rng.normal(size=(3, g.dim)):
        fd = (num.loss(x + h * v) - num.loss(x - h * v)) / (2 * h)
        assert G @ v == pytest.approx(fd, rel=1e-6)
        fd = (num.gradient(x + h * v) - num.gradient(x - h * v)) / (2 * h)
        _close(num.hvp(x, v), fd, rel=1e-5)
    result = iterate(g, T, 20)  # "auto" must not build the SymPy form of a large model
    np.testing.assert_allclose(result.final[result.fate == 0], num.advance_T(T.T, 20).T[result.fate == 0])
    assert result.starts == 8


# -- bad input ------------------------------------------------------------------------------
X3, Y3 = np.ones((2, 3)), np.ones((1, 3))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(Y=np.ones((1, 4))), InvalidArgumentError,
     r"X and Y must have the same number of columns \(data points\), got X of shape \(2, 3\)"
     r" and Y of shape \(1, 4\)"),
    (dict(X=[[1.0, np.nan, 0.0], [0, 0, 0]]), InvalidArgumentError,
     r"X must contain only finite numbers, got nan at index \(0, 1\)"),
    (dict(Y=[[0.0, 0.0, np.inf]]), InvalidArgumentError,
     r"Y must contain only finite numbers, got inf at index \(0, 2\)"),
    (dict(X=np.ones((2, 3, 1))), InvalidArgumentError,
     r"X must be a non-empty array of shape \(features, data points\), got shape \(2, 3, 1\)"),
    (dict(X=np.ones((2, 0))), InvalidArgumentError, r"X must be a non-empty array"),
    (dict(X="abc"), InvalidTypeError, "X must be an array of real numbers"),
    (dict(activation="gelu"), InvalidArgumentError,
     "activation must be one of 'tanh', 'sigmoid', 'softplus', 'relu'; got 'gelu'"),
    (dict(widths=[3, 0]), InvalidArgumentError, r"widths\[1\] must be an integer >= 1, got 0"),
    (dict(widths=[-2]), InvalidArgumentError, r"widths\[0\] must be an integer >= 1, got -2"),
    (dict(widths=[2.5]), InvalidTypeError, r"widths\[0\] must be an integer >= 1, got 2.5"),
    (dict(widths=3), InvalidTypeError, "widths must be a sequence of integers >= 1, got 3"),
    (dict(widths="3"), InvalidTypeError, "widths must be a sequence of integers >= 1, got '3'"),
    (dict(reduction="avg"), InvalidArgumentError, "reduction must be one of 'sum', 'mean'; got 'avg'"),
    (dict(bias="yes"), InvalidTypeError, "bias must be True or False, got 'yes'"),
    (dict(symbolic="auto"), InvalidTypeError, "symbolic must be True, False or None, got 'auto'"),
    (dict(eta=-1.0), InvalidArgumentError, r"eta must be finite and > 0, got -1.0"),
])
def test_bad_input_raises_with_a_message_naming_it(kwargs, error, message):
    args = dict(X=X3, Y=Y3, widths=[2], activation="tanh") | kwargs
    with pytest.raises(error, match=message):
        mlp(args.pop("X"), args.pop("Y"), args.pop("widths"), args.pop("activation"), **args)


def test_all_zero_feature_needs_the_backprop_path():
    X, Y = [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]], [[1.0, 0.0, 1.0]]
    with pytest.raises(InvalidArgumentError, match=r"X row 0 is all zeros, so the weights W1_\*_0"):
        mlp(X, Y, [2], "tanh", symbolic=True)
    g = mlp(X, Y, [2], "tanh")  # small, but the SymPy loss would miss W1_0_0 and W1_1_0
    assert type(g) is MLPMap and g.numeric.gradient(np.ones(g.dim))[[0, 2]].tolist() == [0, 0]


def test_one_dimensional_data_is_one_feature():
    g = mlp([0.5, 1.0], [1.0, 2.0], [], "relu", symbolic=True)  # widths [] is linear regression
    (w,) = g.state
    assert g.loss == (w / 2 - 1) ** 2 / 2 + (w - 2) ** 2 / 2
    num = mlp([0.5, 1.0], [1.0, 2.0], [], "relu", symbolic=False).numeric
    # at w = 3: residuals 1/2 and 1, L = 5/8, dL/dw = 1/2 * 1/2 + 1 * 1 = 5/4, d2L/dw2 = 5/4
    assert num.loss([3.0]) == 0.625 and num.gradient([3.0]).tolist() == [1.25]
    assert num.hessian([3.0]).tolist() == [[1.25]]
