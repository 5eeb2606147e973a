#pragma once

#include "graph/Placement.h"

namespace sf {

/// The rectangle `node`'s card covers in the scene, ports included, as NodeItem draws it with
/// the inputs `graph` feeds it.
CardRect cardFootprint(const Graph& graph, const Node& node);

} // namespace sf
