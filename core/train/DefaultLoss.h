#pragma once

#include "Loss.h"
#include "graph/Graph.h"

namespace sf {

/// The loss a model's output suggests when none is chosen: sigmoid -> binary_crossentropy,
/// softmax -> categorical_crossentropy, anything else -> mse.
LossSpec defaultLossFor(const Graph& graph);

} // namespace sf
