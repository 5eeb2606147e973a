#pragma once

#include "Graph.h"

namespace sf {

/// Spacing of the layered layout, in scene units.
struct LayoutSpacing {
    double column = 380.0; ///< a 210-wide card and room for the shape label on its edges
    double row = 140.0;
};

/// Places every node left to right by its longest path from an input, rows ordered to follow
/// their producers (one barycentre pass), each column centred on y = 0. Nodes in cycles go last.
void layOutLayered(Graph& graph, LayoutSpacing spacing = {});

} // namespace sf
