#pragma once

#include "Graph.h"

namespace sf {

/// Spacing of the layered layout, in scene units.
struct LayoutSpacing {
    double column = 380.0; ///< a 210-wide card and room for the shape label on its edges
    double row = 140.0;
};

/// A layered (Sugiyama-style) layout, left to right: columns by the longest path from an input,
/// rows ordered to reduce crossings by repeated barycentre sweeps down and up the columns, each
/// column centred on y = 0. Nodes in or after a cycle go in a last column.
void layOutLayered(Graph& graph, LayoutSpacing spacing = {});

} // namespace sf
