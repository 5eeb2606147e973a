#pragma once

#include "Diagnostic.h"
#include "graph/LayerSpec.h"
#include "graph/Node.h"

#include <optional>
#include <string>
#include <vector>

namespace sf {

/// Checks a node's arguments against its layer's schema, Keras-worded (`invalid-argument`,
/// each with a fix that resets the default). Returns false when any argument is invalid.
bool validateArguments(const Node& node, const LayerSpec& spec, std::vector<Diagnostic>& out);

/// Keras's message when `value` is not acceptable for the argument `spec` ("Received an invalid
/// value for `units`, expected a positive integer. Received: units=-5"), or nothing when it is.
/// The one rule for a loaded file's diagnostics and the Inspector's fields.
std::optional<std::string> argumentProblem(const ParamSpec& spec, const ParamValue& value);

} // namespace sf
