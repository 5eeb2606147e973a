#pragma once

#include "KerasImport.h"
#include "ModelFile.h"

#include <string>
#include <vector>

namespace sf {

/// A model read from disk, whichever format it was in.
struct LoadedModel {
    enum class Format { Shapeflow, Keras };
    Format format = Format::Shapeflow;
    ModelDocument document;
    std::vector<ImportProblem> problems; ///< what a Keras import could not carry over
};

/// Reads a `.sfmodel` or a Keras model JSON file, told apart by content, not by name.
/// Throws FileFormatError (unreadable file, not JSON, neither format, malformed).
LoadedModel loadModel(const std::string& path);

/// The same from text already in memory; `sourceName` is used in error messages.
LoadedModel loadModelFromText(const std::string& text, const std::string& sourceName);

/// Reads a whole file, or its first `maxBytes`. Throws FileFormatError naming the file and the reason.
std::string readTextFile(const std::string& path, std::size_t maxBytes = std::string::npos);

} // namespace sf
