#pragma once

#include "graph/Graph.h"
#include "graph/KerasFlavour.h"
#include "shape/CheckedModel.h"
#include "shape/ShapeReport.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace sf {

struct KerasExportResult {
    nlohmann::json model;
    /// What Keras will make of it that the user should know: errors the model still has, layers
    /// Keras lacks (RepeatToBatch needs a custom object), inputs left unconnected.
    std::vector<std::string> notes;
};

/// Why a graph cannot be written as Keras: a nested model (a group, graph/NodeGroup.h) whose border
/// a connection crosses other than through its inputs and outputs (the words of the diagnostic).
class KerasExportRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The graph as a Keras Functional model config, the inverse of importKerasModel: each layer's
/// arguments under Keras's names with Keras's defaults for the rest (initializers, data_format),
/// nodes sharing weights as one layer called several times, the model's inputs and outputs in
/// input_layers and output_layers. Layers come in topological order. A group (a model used as a
/// layer) is written back nested, as a Sequential or Functional entry called where the group's
/// inputs are fed; a later call of it is another call of that entry. Throws KerasExportRefused when
/// a group's border is crossed (borderCrossings).
KerasExportResult exportKerasModel(const CheckedModel& model, const std::string& modelName, KerasFlavour flavour);

/// A group's model (a model used as a layer) as the entry exportKerasModel writes it nested: its
/// class_name and config (its layers, inputs and outputs) and the fields an import kept; null when
/// there is no such group.
nlohmann::json kerasGroupEntry(const CheckedModel& model, GroupId group, KerasFlavour flavour);

/// One layer's entry without its name and calls: {"class_name", "config"} (the config's `name`
/// the node's), Keras 3's module and registered_name, and what an import kept (Node::kerasFields).
/// Also how a layer given as another's argument is written (Bidirectional's `layer`).
nlohmann::json kerasLayerEntry(const Node& node, KerasFlavour flavour);

/// True when Keras calls the layer on a list of tensors: layers of several inputs (Concatenate,
/// RepeatToBatch), and an unsupported layer's placeholder with several inputs.
bool calledOnAList(const Node& node, int inputCount);

/// Kept with a node's Keras fields when a Keras 3 file passes a call's tensors positionally up to
/// another count than KerasExtras::positionalCallArguments says (`mha(query, value, key)` rather
/// than `mha(query, value, key=key)`): that count, so that export writes the call as the file did.
/// Never written into a Keras file.
inline constexpr const char* kPositionalCallArguments = "shapeflow_positional_call_arguments";

/// Kept with an opaque node's Keras fields (graph/OpaqueLayer.h): its call as the file wrote it (one
/// item of the layer's `inbound_nodes`, a Keras 3 {"args", "kwargs"} object or a tf.keras list of
/// tensor references), written back with each tensor reference pointing at what feeds that input
/// now, when the export's flavour writes calls that way and the inputs are as many as the call's
/// tensors. Never written into a Keras file as such.
inline constexpr const char* kKeptCall = "shapeflow_call";

/// The Keras fields an import kept on the node (Node::kerasFields) as an object; empty when none.
nlohmann::json keptKerasFields(const Node& node);

/// What stops Keras building the graph, whatever the export: inputs left unconnected, and the
/// errors Shapeflow finds (Keras refuses them, or fails where they are when the model runs).
std::vector<std::string> kerasBuildNotes(const Graph& graph, const ShapeReport& report);

} // namespace sf
