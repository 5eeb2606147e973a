#pragma once

#include "Diagnostic.h"
#include "graph/LayerSpec.h"
#include "graph/Node.h"

#include <vector>

namespace sf {

/// Checks a node's arguments against its layer's schema, Keras-worded (`invalid-argument`,
/// each with a fix that resets the default). Returns false when any argument is invalid.
bool validateArguments(const Node& node, const LayerSpec& spec, std::vector<Diagnostic>& out);

} // namespace sf
