#pragma once

#include "Dataset.h"
#include "engine/Network.h"

#include <map>
#include <string>

namespace sf {

/// Runs `network` in inference mode over every row of `inputs`, batch by batch, and returns one
/// array per model output. The caller has checked the inputs (checkData).
std::map<std::string, Array> predictArrays(Network& network, const Dataset& inputs);

} // namespace sf
