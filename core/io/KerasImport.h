#pragma once

#include "graph/Graph.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sf {

/// Something in a Keras file that could not be carried over as it is: an unsupported layer class,
/// argument or value. `path` is the JSON path of the layer, `layer` its Keras name.
struct ImportProblem {
    std::string code; ///< `unsupported-layer`, `unsupported-argument`, `missing-input-shape`, `dangling-reference`
    std::string layer;
    std::string path;
    std::string message;
};

struct KerasImportResult {
    std::string modelName;
    Graph graph;
    std::vector<ImportProblem> problems;
};

/// True when `root` looks like a Keras model config (Keras 2, tf.keras, TensorFlow.js or Keras 3).
bool isKerasModelJson(const nlohmann::json& root);

/// Imports a Keras model config: Sequential or Functional, Keras 2 / tf.keras / TensorFlow.js
/// (`inbound_nodes` as nested lists, `batch_input_shape`) or Keras 3 (`__keras_tensor__` args,
/// `batch_shape`). A layer called n times becomes n nodes sharing weights. What cannot be carried
/// over is listed in `problems`, never dropped silently. Throws FileFormatError when the JSON is
/// not a model config at all.
KerasImportResult importKerasModel(const nlohmann::json& root, const std::string& sourceName);

} // namespace sf
