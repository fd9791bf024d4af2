"""Models whose training loss defines a GD map; each states its normalization."""

from gdmaps.models.chain import scalar_chain
from gdmaps.models.linear import layer_shapes, linear_network
from gdmaps.models.mlp import MLPMap, mlp
from gdmaps.models.relu_example import relu_example
from gdmaps.models.variants import VariantMap, cyclic_sgd, heavy_ball, nesterov

__all__ = ["scalar_chain", "linear_network", "layer_shapes", "mlp", "MLPMap", "relu_example",
           "heavy_ball", "nesterov", "cyclic_sgd", "VariantMap"]
