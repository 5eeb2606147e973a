#pragma once

#include "Graph.h"

#include <string_view>
#include <vector>

namespace sf {

/// The layers that `query` finds, by name or by type (Keras class name), without regard to case,
/// best match first: the name itself, a name that starts with it, a name that contains it, then
/// the type itself, a type that starts with it, a type that contains it. Within each rank the
/// layers are in reading order on the canvas (left to right, then top to bottom), so that going
/// to the next match walks the model the way it is drawn. An empty query finds nothing.
std::vector<NodeId> findLayers(const Graph& graph, std::string_view query);

} // namespace sf
