#pragma once

#include "Graph.h"

namespace sf {

/// Spacing of the layered layout, in scene units.
struct LayoutSpacing {
    double column = 260.0;
    double row = 140.0;
};

/// Places every node left to right by its longest path from an input, rows ordered to follow
/// their producers (one barycentre pass), each column centred on y = 0. Nodes in cycles go last.
void layOutLayered(Graph& graph, LayoutSpacing spacing = {});

} // namespace sf
