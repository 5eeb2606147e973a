#pragma once

#include "Diagnostic.h"
#include "ShapeReport.h"
#include "graph/Graph.h"

#include <vector>

namespace sf {

/// Checks of the models used as layers (groups, graph/NodeGroup.h): `nested-border-crossed` for a
/// connection that crosses a group's border other than through its inputs and outputs (with a fix
/// that ungroups), and `nested-input-incompatible` for a tensor fed to a group's input that
/// contradicts the shape its inner model declares, as Keras checks a model's call.
std::vector<Diagnostic> checkGroups(const Graph& graph, const ShapeReport& report);

} // namespace sf
