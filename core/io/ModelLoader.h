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

/// The largest model or manifest file read: parsed JSON takes about thirty times its text in
/// memory (a 200 MB file took 6 GB); 100,000 layers as Shapeflow writes them are about 30 MB.
inline constexpr std::size_t kMaxJsonFileBytes = std::size_t{64} << 20;

/// What readTextFile does with a file longer than its `maxBytes`.
enum class LongerFile {
    Refuse,   ///< throw FileFormatError naming the file and the limit
    ReadStart ///< return its first `maxBytes` (a header)
};

/// Reads a whole file of at most `maxBytes` (no limit: std::string::npos). Throws FileFormatError
/// naming the file and the reason.
std::string readTextFile(const std::string& path, std::size_t maxBytes = kMaxJsonFileBytes,
                         LongerFile longer = LongerFile::Refuse);

} // namespace sf
