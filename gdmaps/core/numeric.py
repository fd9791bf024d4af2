"""The numeric form of a map: the one interface every analysis calls.

A symbolic map's ``.numeric`` evaluates batches at numpy speed. Three classes implement
it: :class:`gdmaps.core.compile.NumericMap` (compiled from SymPy),
:class:`gdmaps.NumericGD` (the same with the loss and its derivatives) and the
backpropagation form of network models; the p-th iterate of a map in
:mod:`gdmaps.orbits.stable_manifold` is one too. Analyses ask a numeric form what it can
do through this interface (:meth:`Numeric.supports`, :attr:`Numeric.kernel`,
:attr:`Numeric.eta`, :attr:`Numeric.can_step`) instead of probing for attributes.
"""

from __future__ import annotations

import abc

import numpy as np

from gdmaps.core.errors import InvalidTypeError

__all__ = ["Numeric", "CAPABILITIES", "check_map"]

#: The optional methods a numeric form may offer beyond ``step`` and ``jacobian``.
CAPABILITIES = ("loss", "gradient", "hessian", "hvp")


class Numeric(abc.ABC):
    """A map evaluated on a point ``(d,)`` or a batch ``(N, d)``.

    Required: :attr:`dim`, :meth:`step` and :meth:`jacobian`. Everything else has a
    default: the engines' row forms fall back to :meth:`step`, and the optional methods
    (:data:`CAPABILITIES`) raise :class:`~gdmaps.InvalidTypeError` unless the class
    declares them in :attr:`capabilities`.

    Examples
    --------
    >>> import numpy as np
    >>> class Doubling(Numeric):
    ...     dim = 1
    ...     def step(self, X):
    ...         return 2 * np.asarray(X, dtype=float)
    ...     def jacobian(self, X):
    ...         return np.full(np.shape(X) + (1,), 2.0)
    >>> f = Doubling()
    >>> f.step_rows([np.array([1.0, 3.0])]), f.supports("hvp"), f.kernel, f.eta, f.can_step
    ([array([2., 6.])], False, None, None, True)
    >>> f.loss([1.0])
    Traceback (most recent call last):
    ...
    gdmaps.InvalidTypeError: Doubling has no loss: it is not the numeric form of a GD map
    """

    #: Dimension of the state.
    dim: int
    #: The optional methods this form offers (names from :data:`CAPABILITIES`).
    capabilities: frozenset = frozenset()
    #: The compiled :class:`~gdmaps.core.compile.Kernel` (fused engines and fast paths use
    #: its row functions with :attr:`values`), or None: then only the methods are used.
    kernel = None
    #: The bound parameter values, in the kernel's order.
    values: tuple = ()
    #: The step size of a GD map; None for other maps and while it is free.
    eta: float | None = None

    @property
    def can_step(self) -> bool:
        """Whether :meth:`step` works (False for a GD map whose step size is still free)."""
        return True

    def supports(self, capability: str) -> bool:
        """Whether the optional method ``capability`` (see :data:`CAPABILITIES`) is offered."""
        return capability in self.capabilities

    # -- required ---------------------------------------------------------------------
    @abc.abstractmethod
    def step(self, X) -> np.ndarray:
        """The image of a point ``(d,)`` or of a batch ``(N, d)``."""

    @abc.abstractmethod
    def jacobian(self, X) -> np.ndarray:
        """The Jacobian at a point ``(d,) -> (d, d)`` or a batch ``(N, d) -> (N, d, d)``."""

    def __call__(self, X) -> np.ndarray:
        return self.step(X)

    # -- the forms used by the iteration engines (defaults go through step) ---------------
    def step_rows(self, rows: list) -> list:
        """One step on a list of ``d`` coordinate rows (constant components may be scalars)."""
        B = np.stack(np.broadcast_arrays(*rows), axis=1)
        with np.errstate(all="ignore"):
            return list(np.ascontiguousarray(self.step(B).T))

    def step_T(self, S: np.ndarray) -> np.ndarray:
        """One step on a transposed batch ``S`` of shape (d, N)."""
        return self.advance_T(S, 1)

    def advance_T(self, S: np.ndarray, n: int) -> np.ndarray:
        """``n`` steps on a transposed batch ``(d, N)``."""
        if n <= 0:
            return S
        B = np.ascontiguousarray(S.T)
        with np.errstate(all="ignore"):
            for _ in range(n):
                B = self.step(B)
        return np.ascontiguousarray(B.T)

    # -- optional (see capabilities) ------------------------------------------------------
    def _lacks(self, what, why):
        raise InvalidTypeError(f"{type(self).__name__} has no {what}: {why}")

    def loss(self, X):
        """L at a point or a batch (GD maps)."""
        self._lacks("loss", "it is not the numeric form of a GD map")

    def gradient(self, X):
        """grad L at a point or a batch (GD maps)."""
        self._lacks("gradient", "it is not the numeric form of a GD map")

    def hessian(self, X):
        """The Hessian of L at a point or a batch (GD maps)."""
        self._lacks("hessian", "it is not the numeric form of a GD map")

    def hvp(self, X, V):
        """Hessian-vector products ``H(x) @ v`` (network models)."""
        self._lacks("Hessian-vector products", "only network models compute them")


def check_map(map, *, name="map", what="a gdmaps Map"):
    """``map`` itself if it is a gdmaps :class:`~gdmaps.Map` (its ``.numeric`` a :class:`Numeric`).

    Raises :class:`~gdmaps.InvalidTypeError` naming ``name`` otherwise.
    """
    from gdmaps.core.map import Map  # map -> compile -> numeric: imported when called

    if not isinstance(map, Map):
        raise InvalidTypeError(f"{name} must be {what}, got {type(map).__name__}")
    return map
