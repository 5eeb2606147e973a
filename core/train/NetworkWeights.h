#pragma once

#include "data/Array.h"
#include "data/DataError.h"
#include "engine/Network.h"

#include <map>
#include <string>

namespace sf {

/// Every weight as an array, by its Keras name (`dense/kernel`, ...).
std::map<std::string, Array> weightArrays(const Network& network);

/// Sets every weight from `arrays` (by Keras name). Every weight must be there with its shape;
/// throws DataError naming `where`, the array and the shapes otherwise, leaving the network
/// unchanged.
void setWeights(Network& network, const std::map<std::string, Array>& arrays, const std::string& where);

} // namespace sf
