#pragma once

#include "Dataset.h"
#include "Loss.h"
#include "graph/Graph.h"

#include <cstdint>

namespace sf {

/// Learnable data for any valid model, so every example trains out of the box.
/// Token inputs get ids in [1, input_dim) (padded with trailing zeros when an Embedding masks
/// them); float inputs get N(0, 1) values. Each output unit c has a hidden score: a fixed random
/// weight per (input, token id) summed over the positions, plus a random linear function of the
/// float inputs. Targets follow the loss: binary labels split at the score's median, the class
/// of the highest score, or the standardised score for mse/mae. Variable lengths become
/// `length`. Same seed, same data. Throws DataError when the model has errors.
Dataset makeSyntheticData(const Graph& graph, const LossSpec& loss, Index rows, std::uint32_t seed, Index length = 20);

} // namespace sf
