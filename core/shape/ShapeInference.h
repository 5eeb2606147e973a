#pragma once

#include "ShapeReport.h"
#include "graph/Graph.h"

#include <string>
#include <vector>

namespace sf {

/// Topologically ordered shape inference. It never throws: every problem becomes a Diagnostic,
/// and downstream of an error shapes are unknown rather than a cascade of further errors.
class ShapeInference {
public:
    /// Infers every node of `graph` from scratch.
    const ShapeReport& run(const Graph& graph);

    /// Re-infers after the arguments of `changed` were edited, the wiring being the same as at the
    /// last run(): only `changed` and the nodes whose inputs changed are recomputed. A rename, or
    /// nodes that are not the ones last seen, fall back to run().
    const ShapeReport& update(const Graph& graph, NodeId changed);

    const ShapeReport& report() const { return m_report; }

private:
    /// Recomputes one node; true when its output or weight count changed.
    bool inferNode(const Graph& graph, int index);
    /// An opaque node (graph/OpaqueLayer.h): its stated shapes, its input's for a class that keeps
    /// the shape, or unknown with opaque-shape-needed.
    void inferOpaque(const Graph& graph, int index);

    ShapeReport m_report;
    std::vector<int> m_position;                ///< dense index -> position in the topological order, or -1
    std::vector<std::string> m_names;           ///< names at the last run, to notice renames
    std::vector<char> m_needs;                  ///< scratch for update()
    std::vector<std::pair<int, int>> m_watches; ///< (watched, watcher) pairs from RuleContext::watch
};

/// Convenience: a full inference of `graph`.
ShapeReport inferShapes(const Graph& graph);

} // namespace sf
