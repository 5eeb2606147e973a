#pragma once

#include "data/DataError.h"
#include "data/Dataset.h"
#include "engine/Network.h"
#include "shape/CheckedModel.h"

#include <map>
#include <string>

namespace sf {

/// Runs `network` in inference mode over every row of `inputs`, batch by batch, and returns one
/// array per model output. The caller has checked the inputs (checkData).
std::map<std::string, Array> predictArrays(Network& network, const Dataset& inputs);

/// Compiles `graph` for the inputs' sizes, checks them (DataError naming the input otherwise),
/// sets `weights` (by Keras name; DataError when they do not fit) and predicts every row.
std::map<std::string, Array> predictWithWeights(const CheckedModel& model, const std::map<std::string, Array>& weights,
                                                const Dataset& inputs, const std::string& weightsSource,
                                                Index batchSize = 256);

} // namespace sf
