#pragma once

#include "KerasWeightPlacement.h"
#include "graph/NodeGroup.h"
#include "shape/CheckedModel.h"

#include <vector>

namespace sf {

/// Puts `layers` (one model's layers, placed on `model`'s graph: its top level when `scope` is null,
/// else a group, a model used as a layer) in the order Keras keeps them once it has built the model
/// (`model.layers`, Functional._operations from keras/src/ops/function.py map_graph; tf.keras's
/// functional.py _map_graph_network orders them the same way), and so does each nested model's
/// layers: deepest first, a layer's depth being the longest way from it to an output, counted in
/// calls, a shared layer taking its deepest call's; layers of one depth in the order a depth-first
/// walk from the outputs (in their order, each call's inputs in theirs) first meets them. Keras
/// numbers a `.keras` file's layers in this order (`dense`, `dense_1`) and matches a legacy `.h5`'s
/// layers by position in it, whatever order the config lists them in; a model Keras wrote lists
/// them in this order already. An input no output depends on has depth 0 and comes before the
/// other layers of depth 0, as map_graph puts an unused input; a layer the walk never meets otherwise
/// (none in a model Shapeflow checks without errors) goes last, in the config's order.
void orderAsKerasBuildsIt(std::vector<PlacedKerasLayer>& layers, const CheckedModel& model, const NodeGroup* scope);

} // namespace sf
