#pragma once

#include "Loss.h"
#include "data/DataError.h"
#include "data/Dataset.h"
#include "graph/Graph.h"

#include <cstdint>

namespace sf {

/// Learnable data for any valid model, so every example trains out of the box.
/// Token inputs get ids in [1, input_dim) (padded with trailing zeros when an Embedding masks
/// them); float inputs get N(0, 1) values. Each output unit c has a hidden score: a fixed random
/// weight per (input, token id) summed over the positions, plus a random linear function of the
/// float inputs (of an image input's 4 x 4 regions and channels: one weight per region). A sequence output as long as a
/// token input (a tagger) has a score per step too, from the tokens at that step and on either side of it. Targets
/// follow the loss: binary labels split at the score's median, the class of the highest score, or the standardised
/// score for mse/mae. Variable lengths become `length`. Same seed, same data. Throws DataError when the model has
/// errors.
Dataset makeSyntheticData(const Graph& graph, const LossSpec& loss, Index rows, std::uint32_t seed, Index length = 20);

/// The input half of makeSyntheticData: an array for every model input.
std::map<std::string, Array> makeSyntheticInputs(const Graph& graph, Index rows, std::uint32_t seed, Index length = 20);

/// The target half: the teacher's targets for `inputs`, which may be the user's own arrays (one
/// per model input, their sizes filling the model's unknown ones). The teacher depends on the
/// seed alone, so training and validation data made with one seed follow the same rule.
std::map<std::string, Array> makeTeacherTargets(const Graph& graph, const std::map<std::string, Array>& inputs,
                                                const LossSpec& loss, std::uint32_t seed);

} // namespace sf
