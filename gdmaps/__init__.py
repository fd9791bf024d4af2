"""gdmaps: gradient descent as a discrete dynamical system."""

from gdmaps.errors import (FreeParameterError, GdmapsError, InvalidArgumentError,
                           InvalidTypeError)
from gdmaps.map import Map
from gdmaps.gd import ETA, GDMap, NumericGD
from gdmaps.iterate import Fate, IterationResult, iterate

__all__ = ["Map", "iterate", "Fate", "IterationResult", "GDMap", "NumericGD", "ETA", "GdmapsError", "InvalidArgumentError", "InvalidTypeError",
           "FreeParameterError"]
__version__ = "0.1.0"
