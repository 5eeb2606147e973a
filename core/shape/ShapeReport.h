#pragma once

#include "Diagnostic.h"
#include "TensorInfo.h"
#include "graph/Topology.h"

#include <optional>
#include <vector>

namespace sf {

/// What inference found for one node.
struct NodeReport {
    std::optional<TensorInfo> output;    ///< output port 0; nullopt: cannot be inferred (an error here or upstream)
    std::vector<TensorInfo> moreOutputs; ///< ports 1, 2...: a layer's further outputs, when `output` is known
    std::int64_t params = 0;             ///< parameters this call creates (0 for a shared call)
    std::int64_t nonTrainableParams = 0; ///< the part of `params` its layer keeps out of training (moving statistics)
    std::vector<Diagnostic> diagnostics; ///< found while checking this node; may blame another node
};

/// The result of shape inference over a whole graph; the scene, the panels and the CLI all read it.
class ShapeReport {
public:
    const Topology& topology() const { return m_topology; }
    const NodeReport* node(NodeId id) const;
    const std::optional<TensorInfo>& outputOf(NodeId id) const;
    /// The tensor on one output port, or nullptr when it is unknown (or the port does not exist).
    const TensorInfo* tensorAt(PortRef port) const;

    /// Every diagnostic: model-level ones first, then by node in topological order.
    std::vector<Diagnostic> diagnostics() const;
    /// The diagnostics that blame `id` or name it as related.
    std::vector<Diagnostic> diagnosticsAbout(NodeId id) const;
    int errorCount() const;
    int warningCount() const; ///< warnings only, not infos
    bool hasErrors() const { return errorCount() > 0; }

    std::int64_t totalParams() const { return m_totalParams; }
    const std::vector<NodeId>& modelInputs() const { return m_inputs; }
    const std::vector<NodeId>& modelOutputs() const { return m_outputs; }
    /// Nodes in layer order for a summary: topological, then the rest (cycles, unused) by id.
    std::vector<NodeId> layerOrder() const;

private:
    friend class ShapeInference;

    Topology m_topology;
    std::vector<NodeReport> m_nodes; ///< by dense index
    std::vector<Diagnostic> m_modelDiagnostics;
    std::vector<NodeId> m_inputs;
    std::vector<NodeId> m_outputs;
    std::int64_t m_totalParams = 0;
};

} // namespace sf
