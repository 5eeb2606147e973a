#pragma once

#include "engine/Network.h"

#include <cstdint>

namespace sf {

/// Gives every weight its initial value, as its layer declared (WeightSpec::initializer), from
/// `seed`: the same seed gives the same weights.
void initializeWeights(Network& network, std::uint32_t seed);

} // namespace sf
