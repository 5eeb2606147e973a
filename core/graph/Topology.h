#pragma once

#include "Graph.h"

#include <unordered_map>
#include <vector>

namespace sf {

/// The wiring of a Graph in dense indices (nodes sorted by id), computed once per structural
/// change and read by inference and layout.
struct Topology {
    /// One input port of a node, the node index feeding it (-1 when nothing is connected) and
    /// which of the producer's outputs.
    struct InputSlot {
        int port = 0;
        int producer = -1;
        int output = 0;
    };

    std::vector<NodeId> ids;                    ///< dense index -> id
    std::unordered_map<NodeId, int> indexOf;    ///< id -> dense index
    std::vector<std::vector<InputSlot>> inputs; ///< per node, in port order (variadic: connected ports only)
    std::vector<std::vector<int>> consumers;    ///< per node, nodes fed by its outputs
    std::vector<int> order;                     ///< topological order of every node not in or after a cycle
    std::vector<std::vector<int>> cycles;       ///< strongly connected components that contain a cycle
    std::vector<char> afterCycle;               ///< 1 for nodes in a cycle or fed (transitively) by one

    static Topology of(const Graph& graph);
};

} // namespace sf
