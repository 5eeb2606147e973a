#pragma once

#include "data/DataError.h"
#include "engine/Network.h"

#include <string>

namespace sf {

/// Where a model's trained weights are kept: `dir/model.sfmodel` -> `dir/model.weights.npz`.
std::string weightsPathBeside(const std::string& modelPath);

/// Saves every weight to a .npz with Keras's names and layouts (`embedding/embeddings`
/// (input_dim, output_dim), `dense/kernel` (in, units), `dense/bias` (units,)), so numpy.load
/// reads it and each array maps onto the Keras model's weight of the same name.
void saveWeights(const Network& network, const std::string& path);

/// Loads weights saved by saveWeights. Every weight must be there with its shape; throws
/// DataError naming the array and the shapes otherwise, leaving the network unchanged.
void loadWeights(Network& network, const std::string& path);

} // namespace sf
