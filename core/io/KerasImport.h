#pragma once

#include "graph/Graph.h"
#include "shape/Diagnostic.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sf {

/// Something in a Keras file that could not be carried over as it is: an unsupported argument or
/// value, or a model-level problem Keras itself would refuse. (An unsupported layer class is kept
/// as a placeholder node, and inference reports it there.) `path` is the JSON path
/// of the place, `layer` the Keras layer's name. Every problem is a difference between the file
/// and the imported model, so `shapeflow-cli convert` names each one and refuses to write quietly.
struct ImportProblem {
    std::string code; ///< one of code::kImportProblemCodes (shape/DiagnosticCodes.h)
    std::string layer;
    std::string path;
    std::string message;
    Severity severity = Severity::Error;
};

struct KerasImportResult {
    std::string modelName;
    Graph graph;
    std::vector<ImportProblem> problems;
};

/// True when `root` looks like a Keras model config (Keras 1, Keras 2, tf.keras, TensorFlow.js or
/// Keras 3).
bool isKerasModelJson(const nlohmann::json& root);

/// Imports a Keras model config: Sequential or Functional, Keras 1 (`output_dim`, `p`, `init`...
/// read under their Keras 2 names, as keras/legacy/interfaces.py renamed them), Keras 2 / tf.keras
/// / TensorFlow.js (`inbound_nodes` as nested lists, `batch_input_shape`) or Keras 3
/// (`__keras_tensor__` args, `batch_shape`). A null argument is the default; an argument Keras
/// requires that is missing leaves the layer invalid (never a quiet default). A layer called n
/// times becomes n nodes sharing weights. A layer class Shapeflow does not support becomes a
/// placeholder node (Node::type is its class, kerasFields its config) with no known output, so
/// nothing after it gets an invented shape. Config fields Shapeflow does not model are kept in
/// Node::kerasFields. A model used as a layer (a Sequential, Functional or Model in the layers) is
/// imported inline: its layers become nodes, kept together by a group (graph/NodeGroup.h), a later
/// call of it a copy sharing the first call's weights; models nest up to 32 deep.
/// What cannot be carried over is listed in `problems`, never dropped silently.
/// Throws FileFormatError when the JSON is not a model config at all, or a tensor reference is
/// malformed (a name, then non-negative integer indices).
KerasImportResult importKerasModel(const nlohmann::json& root, const std::string& sourceName);

/// Whether a Keras file's layer entry is a model used as a layer: a Sequential, Functional or Model
/// with its list of layers (Keras before 2.2 wrote a Sequential's config as the list itself).
bool isModelEntry(const nlohmann::json& layer);

} // namespace sf
