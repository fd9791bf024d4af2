"""Loss, gradient, GD step and Hessian-vector products of an MLP, by backpropagation.

Everything is batched over N parameter vectors: a batch ``(N, P)`` is cut into
per-layer weights ``(N, out, in)`` and the data ``(d_in, n)`` broadcasts against
them in ``matmul``. The only Python loops run over layers (and over chunks of
Hessian columns). Hessian-vector products are exact: Pearlmutter's R-operator,
the forward-over-reverse derivative of the backward pass.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from gdmaps.core.errors import InvalidArgumentError
from gdmaps.core.gd import NumericGD

__all__ = ["Network", "BackpropGD", "ACTIVATIONS"]


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_d1(z):
    # Heaviside(0) = 1/2, SymPy's convention, so both paths agree even on a kink.
    return np.heaviside(z, 0.5)


def _sigmoid_d1(z):
    s = expit(z)
    return s * (1.0 - s)


def _sigmoid_d2(z):
    s = expit(z)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


def _tanh_d1(z):
    return 1.0 - np.tanh(z) ** 2


def _tanh_d2(z):
    t = np.tanh(z)
    return -2.0 * t * (1.0 - t * t)


#: sigma' as a function of sigma(z), bit for bit the same as the functions of z above
#: (tanh' = 1 - tanh^2, sigmoid' = s (1 - s)): the backward pass reuses the forward's outputs.
_D1_OF_OUTPUT = {
    "tanh": lambda t: 1.0 - t ** 2,
    "sigmoid": lambda s: s * (1.0 - s),
}

#: activation name -> (sigma, sigma', sigma''); relu's sigma'' is 0 off the kink.
ACTIVATIONS = {
    "tanh": (np.tanh, _tanh_d1, _tanh_d2),
    "sigmoid": (expit, _sigmoid_d1, _sigmoid_d2),
    "softplus": (lambda z: np.logaddexp(0.0, z), expit, _sigmoid_d1),
    "relu": (_relu, _relu_d1, np.zeros_like),
}


class Network:
    """Architecture, data and parameter layout of an MLP with a linear output layer.

    Parameters are ordered layer by layer; in each layer the weights ``W``
    ``(out, in)`` row-major, then the biases ``b`` ``(out,)`` when ``bias``.
    The loss (``criterion``) is "squared", ``scale / 2 * sum_i ||f(x_i) - y_i||^2``, or
    "cross_entropy", ``scale * sum_i (log(1 + e^f) - y f)`` with one output (logistic) and
    ``scale * sum_i (log sum_k e^{f_k} - y . f)`` with several (softmax, y a probability
    vector). Either way dL/df = scale * (p - y) with p = f, sigmoid(f) or softmax(f): the
    forward pass returns that error ``p - y`` and the backward pass is shared.
    """

    #: Batches are cut into chunks whose activations hold about this many floats (4 MiB):
    #: the passes then run in cache instead of streaming 100s of MiB per layer.
    CHUNK_FLOATS = 1 << 19

    def __init__(self, X, Y, widths, activation, *, scale, bias, criterion="squared"):
        self.X, self.Y, self.criterion = X, Y, criterion
        self.sizes = (X.shape[0], *widths, Y.shape[0])
        self.activation, self.scale, self.bias = activation, float(scale), bias
        self.sigma, self.d1, self.d2 = ACTIVATIONS[activation]
        self.shapes = list(zip(self.sizes[1:], self.sizes[:-1]))  # (out, in) per layer
        self.offsets, off = [], 0
        for o, i in self.shapes:
            self.offsets.append(off)
            off += o * i + (o if bias else 0)
        self.n_params = off

    @property
    def n_data(self) -> int:
        return self.X.shape[1]

    def numeric(self, eta):
        """The GD map of this network at step size ``eta``, by backpropagation."""
        return BackpropGD(self, eta)

    def names(self) -> list[str]:
        """Parameter names in layout order: ``W{l}_{row}_{col}``, ``b{l}_{row}``."""
        out = []
        for l, (o, i) in enumerate(self.shapes, start=1):
            out += [f"W{l}_{r}_{c}" for r in range(o) for c in range(i)]
            out += [f"b{l}_{r}" for r in range(o)] if self.bias else []
        return out

    # -- layout ---------------------------------------------------------------
    def unpack(self, T):
        """``(N, P)`` -> list of ``(W (N, out, in), b (N, out, 1) or None)`` views."""
        N, layers = T.shape[0], []
        for (o, i), off in zip(self.shapes, self.offsets):
            W = T[:, off:off + o * i].reshape(N, o, i)
            b = T[:, off + o * i:off + o * i + o].reshape(N, o, 1) if self.bias else None
            layers.append((W, b))
        return layers

    def pack(self, grads):
        """Inverse of :meth:`unpack` for per-layer ``(gW, gb)`` in layer order."""
        N = grads[0][0].shape[0]
        parts = []
        for gW, gb in grads:
            parts.append(gW.reshape(N, -1))
            if self.bias:
                parts.append(gb.reshape(N, -1))
        return np.concatenate(parts, axis=1)

    # -- passes ---------------------------------------------------------------
    def forward(self, layers):
        """Pre-activations of the hidden layers, inputs of every layer, and the residual."""
        a, zs, inputs = self.X, [], []
        for l, (W, b) in enumerate(layers):
            inputs.append(a)
            z = W @ a if b is None else W @ a + b
            if l < len(layers) - 1:
                zs.append(z)
                a = self.sigma(z)
        return zs, inputs, self._error(z)

    def _error(self, z):
        """dL/df / scale at the outputs f = z: ``p - y``."""
        if self.criterion == "squared":
            return z - self.Y
        if z.shape[-2] == 1:
            return expit(z) - self.Y
        e = np.exp(z - z.max(axis=-2, keepdims=True))
        return e / e.sum(axis=-2, keepdims=True) - self.Y

    def _error_R(self, r, Rz):
        """The directional derivative of :meth:`_error` along ``Rz``, from the error ``r``."""
        if self.criterion == "squared":
            return Rz
        p = r + self.Y
        if p.shape[-2] == 1:
            return p * (1.0 - p) * Rz
        return p * (Rz - (p * Rz).sum(axis=-2, keepdims=True))

    def loss(self, T):
        layers = self.unpack(T)
        _, inputs, r = self.forward(layers)
        if self.criterion == "squared":
            return 0.5 * self.scale * np.einsum("nij,nij->n", r, r)
        W, b = layers[-1]
        z = W @ inputs[-1] if b is None else W @ inputs[-1] + b
        if z.shape[-2] == 1:
            per = np.logaddexp(0.0, z) - self.Y * z
        else:
            m = z.max(axis=-2, keepdims=True)
            lse = m + np.log(np.exp(z - m).sum(axis=-2, keepdims=True))
            per = lse - (self.Y * z).sum(axis=-2, keepdims=True)
        return self.scale * per.sum(axis=(-2, -1))

    def gradient(self, T):
        """grad L at each row of ``T`` ``(N, P)``, in chunks of :attr:`CHUNK_FLOATS` activations."""
        k = max(1, self.CHUNK_FLOATS // max(1, self.activation_size()))
        if T.shape[0] <= k:
            return self._gradient(T)
        out = np.empty(T.shape)
        for s in range(0, T.shape[0], k):  # rows are independent: the same numbers as one pass
            out[s:s + k] = self._gradient(T[s:s + k])
        return out

    def _gradient(self, T):
        layers = self.unpack(T)
        zs, inputs, r = self.forward(layers)
        delta, grads = self.scale * r, []
        d1 = _D1_OF_OUTPUT.get(self.activation)
        for l in range(len(layers) - 1, -1, -1):
            grads.append((delta @ _t(inputs[l]), delta.sum(-1) if self.bias else None))
            if l:
                # sigma'(z) from sigma(z) = inputs[l] where it is a function of it: no second tanh
                slope = self.d1(zs[l - 1]) if d1 is None else d1(inputs[l])
                delta = (_t(layers[l][0]) @ delta) * slope
        return self.pack(grads[::-1])

    def hvp(self, T, V):
        """Exact Hessian-vector products ``H(T[k]) @ V[k]`` by the R-operator."""
        layers, dirs = self.unpack(T), self.unpack(V)
        zs, inputs, r = self.forward(layers)
        # forward: R{z_l} = VW a_{l-1} + Vb + W R{a_{l-1}}, R{a_l} = sigma'(z_l) R{z_l}
        Rin, Rzs, Ra = [None], [], None
        for l, ((W, _), (VW, Vb)) in enumerate(zip(layers, dirs)):
            Rz = VW @ inputs[l]
            Rz = Rz if Vb is None else Rz + Vb
            Rz = Rz if Ra is None else Rz + W @ Ra
            if l < len(layers) - 1:
                Rzs.append(Rz)
                Ra = self.d1(zs[l]) * Rz
                Rin.append(Ra)
        # backward: differentiate delta_{l-1} = (W^T delta_l) * sigma'(z_{l-1})
        delta, Rdelta, out = self.scale * r, self.scale * self._error_R(r, Rz), []
        for l in range(len(layers) - 1, -1, -1):
            RgW = Rdelta @ _t(inputs[l])
            if Rin[l] is not None:
                RgW = RgW + delta @ _t(Rin[l])
            out.append((RgW, Rdelta.sum(-1)))
            if l:
                W, VW = layers[l][0], dirs[l][0]
                d1 = self.d1(zs[l - 1])
                back = _t(W) @ delta
                Rdelta = ((_t(VW) @ delta + _t(W) @ Rdelta) * d1
                          + back * self.d2(zs[l - 1]) * Rzs[l - 1])
                delta = back * d1
        return self.pack(out[::-1])

    def activation_size(self) -> int:
        """Floats per batch point held by a pass; sizes the Hessian chunks."""
        return sum(self.sizes[1:]) * self.n_data


def _t(A):
    return np.swapaxes(A, -1, -2)


class BackpropGD(NumericGD):
    """The numeric GD map of an MLP, evaluated by backpropagation.

    Same interface as :class:`gdmaps.NumericGD`: ``dim``, ``eta``, ``values``;
    ``step``/``__call__``, ``jacobian``, ``loss``, ``gradient``, ``hessian`` on a
    point ``(P,)`` or a batch ``(N, P)``; ``hvp``; and the forms used by the
    iteration engines: ``step_rows`` (a list of P rows ``(N,)``) and the transposed
    ``step_T``/``advance_T`` on ``(P, N)``. Its ``kernel`` is None (nothing compiled):
    engines that need one fall back to these methods.
    With ``eta=None`` (a free step size) the loss and its derivatives evaluate and
    the step and its Jacobian raise :class:`~gdmaps.FreeParameterError`.
    """

    #: Hessian columns are built in chunks holding about this many floats.
    CHUNK_FLOATS = 4_000_000
    capabilities = NumericGD.capabilities | {"hvp"}
    kernel = None  # no compiled kernel: engines and fast paths use the methods

    def __init__(self, network: Network, eta: float | None):
        # NumericGD.__init__ wants a compiled kernel; this class has none.
        self.network = network
        self.eta = None if eta is None else float(eta)
        self.values = (np.nan if eta is None else self.eta,)  # as NumericGD: nan while free
        self.dim = network.n_params

    def __repr__(self) -> str:
        return (f"BackpropGD({'-'.join(map(str, self.network.sizes))} {self.network.activation},"
                f" {self.dim} params, eta={self.eta})")

    def _apply(self, f, X, *more):
        X = self._as_batch(X)
        B = np.atleast_2d(X)
        more = [np.broadcast_to(np.asarray(V, dtype=float), B.shape) for V in more]
        with np.errstate(all="ignore"):
            out = f(B, *more)
        return out[0] if X.ndim == 1 else out

    def loss(self, X) -> np.ndarray:
        """L at a point ``(P,) -> float`` or a batch ``(N, P) -> (N,)``."""
        out = self._apply(self.network.loss, X)
        return float(out) if np.ndim(out) == 0 else out

    def gradient(self, X) -> np.ndarray:
        """grad L at a point ``(P,)`` or a batch ``(N, P)``."""
        return self._apply(self.network.gradient, X)

    def hvp(self, X, V) -> np.ndarray:
        """``H(x) @ v`` at a point ``(P,)`` or a batch ``(N, P)``; ``V`` is ``(P,)`` or ``X``'s shape."""
        V = np.asarray(V, dtype=float)
        if V.shape not in ((self.dim,), np.shape(X)):
            raise InvalidArgumentError(
                f"V must have shape ({self.dim},) or the shape of x {np.shape(X)}, got {V.shape}")
        return self._apply(self.network.hvp, X, V)

    def hessian(self, X) -> np.ndarray:
        """The Hessian at a point ``(P, P)`` or a batch ``(N, P, P)``, from P HVPs."""
        return self._apply(self._hessian, X)

    def _hessian(self, B):
        N, P = B.shape
        H = np.empty((N, P, P))
        k = max(1, min(P, self.CHUNK_FLOATS // max(1, N * self.network.activation_size())))
        eye = np.eye(P)
        for j in range(0, P, k):
            m = min(k, P - j)
            T = np.broadcast_to(B[:, None, :], (N, m, P)).reshape(N * m, P)
            V = np.broadcast_to(eye[None, j:j + m], (N, m, P)).reshape(N * m, P)
            H[:, j:j + m, :] = self.network.hvp(T, V).reshape(N, m, P)
        return 0.5 * (H + _t(H))  # exact up to rounding; make it exactly symmetric

    def jacobian(self, X) -> np.ndarray:
        """DG = I - eta * H at a point ``(P, P)`` or a batch ``(N, P, P)``."""
        self._need_eta()
        return np.eye(self.dim) - self.eta * self.hessian(X)

    def step(self, X) -> np.ndarray:
        """``x - eta * grad L(x)`` at a point ``(P,)`` or a batch ``(N, P)``."""
        self._need_eta()
        return self._apply(self._step, X)

    __call__ = step

    def _step(self, B):
        return B - self.eta * self.network.gradient(B)

    def step_rows(self, rows: list) -> list:
        """One step on a list of P coordinate rows, each ``(N,)``: the numpy engine's form."""
        self._need_eta()
        B = np.stack(np.broadcast_arrays(*rows), axis=1)  # rows may be scalars, like NumericMap's
        with np.errstate(all="ignore"):
            return list(np.ascontiguousarray(self._step(B).T))

    def step_T(self, S: np.ndarray) -> np.ndarray:
        """One step on a transposed batch ``S`` of shape (P, N)."""
        return self.advance_T(S, 1)

    def advance_T(self, S: np.ndarray, n: int) -> np.ndarray:
        """``n`` steps on a transposed batch ``(P, N)``; one batched backprop per step."""
        self._need_eta()
        if n <= 0:
            return S
        B = np.ascontiguousarray(S.T)
        with np.errstate(all="ignore"):
            for _ in range(n):
                B = self._step(B)
        return np.ascontiguousarray(B.T)
