"""Initial points for batches of orbits, reproducible from a seed."""

from __future__ import annotations

import numpy as np

from gdmaps.core.errors import InvalidArgumentError, check_choice, check_int, check_positive_finite
from gdmaps.core.regions import as_region

__all__ = ["sample", "search_box", "network_init", "SAMPLERS", "NETWORK_INITS"]

#: Distributions :func:`sample` knows.
SAMPLERS = ("normal", "uniform")
#: Network initializations :func:`network_init` knows.
NETWORK_INITS = ("glorot", "he")


def sample(kind, n, dim, *, region=None, seed=0) -> np.ndarray:
    """``n`` points in dimension ``dim``, uniform in ``region`` or Gaussian around it.

    ``region`` is the search area, as everywhere in gdmaps: a box ``[[low, high], ...]``,
    a number r for the box ``[-r, r]^dim``, or None for ``[-1, 1]^dim``. "uniform" draws
    from the box; "normal" draws N(m, h^2) per coordinate, with m the box's centre and h
    its half-width (so the default is the standard normal).

    Examples
    --------
    >>> sample("uniform", 2, 3, region=0.5, seed=1).shape
    (2, 3)
    >>> X = sample("uniform", 1000, 2, region=[[0, 1], [2, 4]])
    >>> bool((X[:, 0] >= 0).all() and (X[:, 0] <= 1).all() and (X[:, 1] >= 2).all())
    True

    Notes
    -----
    Points past the float range (``region=1e308``) are refused rather than returned as inf.
    """
    check_choice("kind", kind, SAMPLERS)
    n, dim = check_int("n", n, minimum=1), check_int("dim", dim, minimum=1)
    box = search_box(region, dim)
    seed = _seed(seed)
    center, half = box[:, 0] / 2 + box[:, 1] / 2, box[:, 1] / 2 - box[:, 0] / 2  # no overflow at 1e308
    rng = np.random.default_rng(seed)
    unit = rng.standard_normal((n, dim)) if kind == "normal" else rng.uniform(-1.0, 1.0, size=(n, dim))
    with np.errstate(over="ignore", invalid="ignore"):
        X = center + half * unit
    if not np.isfinite(X).all():
        raise InvalidArgumentError(
            f"region={region!r} puts initial points past the largest float ({np.finfo(float).max:.3g});"
            " give a smaller region")
    return X


def search_box(region, dim) -> np.ndarray:
    """The search area as a (dim, 2) box: a box as given, r as [-r, r]^dim, None as [-1, 1]^dim.

    Examples
    --------
    >>> search_box(2, 2).tolist()
    [[-2.0, 2.0], [-2.0, 2.0]]
    """
    if region is None:
        region = 1.0
    if np.ndim(region) == 0 and not isinstance(region, (str, bytes)):
        r = check_positive_finite("region", region)
        return np.tile([-r, r], (dim, 1))
    return as_region(region, dim)


def _layers(gdmap):
    """(out, in, has_bias) per layer, in parameter order, from the model that built the map."""
    net = getattr(gdmap, "network", None)
    if net is None:
        return None
    if hasattr(net, "shapes"):  # an MLP
        return [(o, i, bool(net.bias)) for o, i in net.shapes]
    sizes = [net.X.shape[0], *net.widths, net.Y.shape[0]]  # a linear network
    return [(sizes[k + 1], sizes[k], False) for k in range(len(sizes) - 1)]


def network_init(gdmap, scheme, n, *, seed=0) -> np.ndarray:
    """``n`` initializations of a network model: Glorot (Xavier) or He (Kaiming) normal.

    Weights of a layer with fan_in inputs and fan_out outputs are N(0, s^2) with
    s^2 = 2 / (fan_in + fan_out) (Glorot & Bengio 2010) or s^2 = 2 / fan_in (He et
    al. 2015); biases start at 0.

    Examples
    --------
    >>> import numpy as np
    >>> from gdmaps.models import linear_network
    >>> g = linear_network(np.eye(2), np.eye(2), [4])
    >>> X = network_init(g, "he", 20000, seed=1)
    >>> stds = X[:, :8].std(), X[:, 8:].std()  # W1: fan_in 2; W2: fan_in 4
    >>> bool(np.allclose(stds, [np.sqrt(2 / 2), np.sqrt(2 / 4)], rtol=0.02))
    True
    """
    check_choice("scheme", scheme, NETWORK_INITS)
    n = check_int("n", n, minimum=1)
    layers = _layers(gdmap)
    if layers is None:
        raise InvalidArgumentError(
            f"scheme={scheme!r} needs a network model (linear_network or mlp); this map has no"
            " layer layout: use 'normal' or 'uniform'")
    stds = []
    for out, inp, bias in layers:
        s = np.sqrt(2.0 / (inp + out)) if scheme == "glorot" else np.sqrt(2.0 / inp)
        stds += [s] * (out * inp) + [0.0] * (out if bias else 0)
    stds = np.array(stds)
    if stds.size != gdmap.dim:
        raise InvalidArgumentError(f"the layer layout has {stds.size} parameters, the map {gdmap.dim}")
    return np.random.default_rng(_seed(seed)).standard_normal((n, gdmap.dim)) * stds


def _seed(seed):
    """An int >= 0, or a ``numpy.random.SeedSequence`` (one block of a seeded stream, see
    :func:`gdmaps.core.executor.seeded_rows`)."""
    return seed if isinstance(seed, np.random.SeedSequence) else check_int("seed", seed)
