#pragma once

#include "Count.h"
#include "graph/Node.h"

#include <string>

namespace sf {

/// FLOPs an activation costs per element: 0 for `linear`, 3 for `softmax` (an exponential, its
/// share of the sum, a division), 1 for every other (a nominal cost: a transcendental function
/// such as tanh costs more than one arithmetic operation on real hardware).
std::int64_t activationFlopsPerElement(const std::string& activation);

/// Forward FLOPs of one call of `node` per sample (per entry of its output's batch axis), at
/// inference, one multiply-add counting as 2 FLOPs:
/// - Dense: per output element 2·in (the products and sums with the kernel) + 1 for the bias,
///   + its activation's cost (activationFlopsPerElement);
/// - Activation: its activation's cost per element;
/// - Masking: 2 per element (the comparison with mask_value, the multiplication by the mask);
/// - GlobalAveragePooling1D: steps·d additions + d divisions;
/// - InputLayer, Embedding (a lookup), Flatten, Reshape, Concatenate, RepeatVector,
///   RepeatToBatch (copies at most), Dropout (the identity at inference): 0.
/// `input` is the first input's shape (nullptr when there is none); unknown when a size the count
/// needs is unknown, and for a layer type Shapeflow does not know.
Count forwardFlops(const Node& node, const Shape* input, const Shape& output);

} // namespace sf
