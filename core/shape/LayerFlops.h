#pragma once

#include "Count.h"
#include "graph/Node.h"

#include <string>
#include <vector>

namespace sf {

/// FLOPs an activation costs per element: 0 for `linear`, 3 for `softmax` (an exponential, its
/// share of the sum, a division), 1 for every other (a nominal cost: a transcendental function
/// such as tanh costs more than one arithmetic operation on real hardware).
std::int64_t activationFlopsPerElement(const std::string& activation);

/// Forward FLOPs of one call of `node` per sample (per entry of its output's batch axis), at
/// inference, one multiply-add counting as 2 FLOPs, as its layer type counts them
/// (LayerType::flopsOfInputs; a copy, a lookup or a view is 0). `inputs` are the input shapes in
/// port order (empty when one is unknown); unknown when a size the count needs is unknown, and for
/// a layer type Shapeflow does not know.
Count forwardFlops(const Node& node, const std::vector<Shape>& inputs, const Shape& output);

} // namespace sf
