#pragma once

#include "Diagnostic.h"
#include "graph/Graph.h"
#include "graph/Topology.h"

#include <vector>

namespace sf {

/// The model's inputs and outputs as Keras would take them from the drawing.
struct ModelEnds {
    std::vector<NodeId> inputs;  ///< InputLayer nodes that feed something
    std::vector<NodeId> outputs; ///< connected non-Input nodes that feed nothing
};

/// True for a non-Input node with no connection at all: left out of the model, with a warning.
bool isIsolated(const Graph& graph, const Topology& topology, int index);

ModelEnds findModelEnds(const Graph& graph, const Topology& topology);

/// Checks of the whole model rather than one layer: `duplicate-name`, `cycle`, `unused-node`,
/// `no-output`. They depend on names and wiring only, never on arguments.
std::vector<Diagnostic> checkModel(const Graph& graph, const Topology& topology, const ModelEnds& ends);

} // namespace sf
