"""The backprop gradient in chunks, with sigma' read from the forward's outputs, is bit for bit the
one-pass gradient with sigma' computed from z (the benchmark's speed-up changes no number)."""

import numpy as np
import pytest

from gdmaps.models import _backprop
from gdmaps.models._backprop import Network


def _reference_gradient(net, T):
    """The one-pass gradient with sigma'(z), as before the change."""
    layers = net.unpack(T)
    zs, inputs, r = net.forward(layers)
    delta, grads = net.scale * r, []
    for l in range(len(layers) - 1, -1, -1):
        grads.append((delta @ np.swapaxes(inputs[l], -1, -2), delta.sum(-1)))
        if l:
            delta = (np.swapaxes(layers[l][0], -1, -2) @ delta) * net.d1(zs[l - 1])
    return net.pack(grads[::-1])


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", "relu"])
@pytest.mark.parametrize("bias", [False, True])
def test_chunked_gradient_is_bit_identical(activation, bias):
    rng = np.random.default_rng(7)
    X, Y = rng.normal(size=(2, 13)), rng.normal(size=(2, 13))
    net = Network(X, Y, (5, 4), activation, scale=1 / 13, bias=bias)
    T = rng.normal(size=(37, net.n_params))
    net.CHUNK_FLOATS = 3 * net.activation_size()  # chunks of 3 rows, the last one short
    chunked = net.gradient(T)
    assert np.array_equal(chunked, _reference_gradient(net, T))
    assert np.array_equal(chunked[5:6], net.gradient(T[5:6]))


def test_output_derivatives_are_the_z_derivatives_bit_for_bit():
    z = np.random.default_rng(1).normal(scale=4, size=10_000)
    for name, d1 in _backprop._D1_OF_OUTPUT.items():
        sigma, d1_of_z, _ = _backprop.ACTIVATIONS[name]
        assert np.array_equal(d1(sigma(z)), d1_of_z(z)), name
