"""Models whose training loss defines a GD map; each states its normalization."""

from gdmaps.models.chain import scalar_chain
from gdmaps.models.linear import layer_shapes, linear_network

__all__ = ["scalar_chain", "linear_network", "layer_shapes"]
