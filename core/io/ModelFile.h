#pragma once

#include "graph/Graph.h"

#include <nlohmann/json.hpp>
#include <string>

namespace sf {

/// A Shapeflow document as stored in a `.sfmodel` file.
struct ModelDocument {
    std::string name = "model";
    Graph graph;
    nlohmann::json settings = nlohmann::json::object(); ///< document settings (training, view), kept as they are

    bool operator==(const ModelDocument&) const = default;
};

/// The newest `.sfmodel` format version this build reads and writes: 2 adds `groups` (models used as
/// layers, graph/NodeGroup.h). A document without groups is written as version 1, which older
/// builds read; one with groups as version 2, which they refuse rather than drop the groups.
inline constexpr int kModelFormatVersion = 2;

/// The document as `.sfmodel` JSON text: deterministic (nodes and connections sorted by id).
std::string serializeModel(const ModelDocument& document);

/// Parses `.sfmodel` JSON text. Throws FileFormatError naming `sourceName` and the JSON path.
ModelDocument parseModel(const std::string& text, const std::string& sourceName);

/// True when `root` looks like a `.sfmodel` document (it has a formatVersion).
bool isModelJson(const nlohmann::json& root);

/// Parses an already-decoded `.sfmodel` JSON value. Throws FileFormatError.
ModelDocument modelFromJson(const nlohmann::json& root, const std::string& sourceName);

} // namespace sf
