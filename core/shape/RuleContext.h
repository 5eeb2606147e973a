#pragma once

#include "Diagnostic.h"
#include "ShapeReport.h"
#include "TensorInfo.h"
#include "graph/Graph.h"
#include "graph/LayerSpec.h"

#include <string>
#include <vector>

namespace sf {

/// One connected input of the node being checked.
struct RuleInput {
    const TensorInfo* tensor = nullptr;
    int port = 0;   ///< the node's input port
    PortRef source; ///< the output port feeding it
};

/// What a shape rule sees: the node, its inferred inputs (all known), the graph and the report so
/// far, and where to put its diagnostics.
struct RuleContext {
    const Graph& graph;
    const ShapeReport& report;
    const Node& node;
    const LayerSpec& spec;
    std::vector<RuleInput> inputs;
    std::vector<Diagnostic>& diagnostics;
    std::vector<NodeId>& watched; ///< nodes beyond the inputs whose outputs this result reads

    Diagnostic& error(std::string code, std::string message, std::string hint = {}, int port = -1);
    Diagnostic& warning(std::string code, std::string message, std::string hint = {}, int port = -1);
    Diagnostic& info(std::string code, std::string message, std::string hint = {}, int port = -1);

    /// Declares that the result also depends on `other`'s output, so that incremental inference
    /// recomputes this node when `other` changes even if the direct inputs do not.
    void watch(NodeId other) { watched.push_back(other); }

    /// The node's connected input ports: what a diagnostic blames when every input is at fault.
    std::vector<PortRef> inputPorts() const;
    const TensorInfo& in(int i = 0) const { return *inputs[static_cast<std::size_t>(i)].tensor; }
    /// `"dense"`: a layer as Keras names it in messages.
    std::string quoted() const { return "\"" + node.name + "\""; }
    std::string quoted(NodeId other) const;
};

/// What a shape rule returns: the output tensor (nullopt after an error), the weight count, and
/// the tensors on the layer's further output ports (LayerType::outputNames), in order.
struct RuleResult {
    std::optional<TensorInfo> output;
    std::int64_t params = 0;
    std::vector<TensorInfo> moreOutputs = {};
};

} // namespace sf
