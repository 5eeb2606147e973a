#pragma once

#include "KerasImport.h"
#include "ModelFile.h"
#include "data/Array.h"

#include <map>
#include <string>
#include <vector>

namespace sf {

/// A model read from disk, whichever format it was in.
struct LoadedModel {
    enum class Format { Shapeflow, Keras };
    Format format = Format::Shapeflow;
    ModelDocument document;
    std::vector<ImportProblem> problems; ///< what a Keras import could not carry over
    /// The Keras model config it was imported from (null for a .sfmodel): where a Keras weights
    /// file given beside it puts each weight.
    nlohmann::json kerasConfig;
    /// The trained weights a `.keras`, `.h5` or TensorFlow.js model.json holds, by Shapeflow's names
    /// (`dense/kernel`), placed and checked against the model; empty when it holds none.
    std::map<std::string, Array> weights;
    std::string weightsSource; ///< the file (and member) they were read from
    /// Why the weights the file holds were not read (they do not fit the model, the file is damaged);
    /// empty when they were read or there are none. The model itself is read.
    std::string weightsProblem;
};

/// Reads a `.sfmodel`, a Keras model JSON file, a Keras 3 `.keras` archive or a legacy Keras `.h5`
/// model, told apart by content, not by name; the weights of a `.keras` or `.h5` come with it, and
/// those a TensorFlow.js `model.json`'s weightsManifest lists, from the shards beside it.
/// Throws FileFormatError (unreadable file, not JSON, neither format, malformed).
LoadedModel loadModel(const std::string& path);

/// The same from text already in memory; `sourceName` is used in error messages.
LoadedModel loadModelFromText(const std::string& text, const std::string& sourceName);

/// When `loaded` is a TensorFlow.js model.json read from `path` that lists weights, reads them from
/// the shards beside it into its `weights` and `weightsSource`, or says in `weightsProblem` why not.
void readTfjsWeightsBeside(LoadedModel& loaded, const std::string& path);

/// Reads trained weights for `model` from `path`: Shapeflow's `.npz` (by weight name), or a Keras
/// `.weights.h5`, `.h5` or `.keras` (placed by Keras's paths, with the Keras config `model` was
/// imported from, or the archive's own), or a TensorFlow.js `model.json` with its shards (placed by
/// TensorFlow.js's weight names, TfjsModelFolder.h). Throws FileFormatError or DataError naming the
/// file and every weight that does not fit.
std::map<std::string, Array> readWeightsFile(const std::string& path, const LoadedModel& model);

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
