#pragma once

#include "data/Array.h"
#include "shape/CheckedModel.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sf {

/// The most bytes of weights a TensorFlow.js folder's manifest may ask Shapeflow to read.
inline constexpr std::uint64_t kMaxTfjsWeightBytes = std::uint64_t{4} << 30;
/// The size of the shards Shapeflow writes: the Python converter's default (write_weights.py).
inline constexpr std::size_t kTfjsShardBytes = std::size_t{4} << 20;

/// True when `root` is a TensorFlow.js `model.json` that lists weights (`modelTopology` and a
/// `weightsManifest` beside it).
bool hasTfjsWeightsManifest(const nlohmann::json& root);

/// True when `path` names a file called exactly `model.json`: `shapeflow-cli convert` then writes
/// a TensorFlow.js folder (model.json and its weight shards), any other `.json` the model config only.
bool isTfjsModelJsonPath(const std::string& path);

/// Reads the weights a TensorFlow.js `model.json` (already parsed as `root`, read from
/// `modelJsonPath`) lists in its `weightsManifest`, from the shards beside it, and places them on
/// `model` by TensorFlow.js's weight names (`dense/kernel`, container.ts loadWeights; also
/// `lstm/lstm_cell/kernel` as TF 2.2 writes it). Each group's shards are read one after the other
/// as one run of bytes; float32 and int32 weights are read, and the quantized uint8, uint16 and
/// float16 forms dequantized as tfjs-core's io_utils.ts decodeWeight does. Optimizer weights
/// (group "optimizer") are skipped. Shards are sized before anything is allocated; a path that
/// leaves the folder is refused. Throws FileFormatError naming the file, listing every shape that
/// differs and every weight missing or extra.
std::map<std::string, Array> readTfjsWeights(const nlohmann::json& root, const std::string& modelJsonPath,
                                             const CheckedModel& model);

/// What writeTfjsModelFolder wrote.
struct TfjsWriteResult {
    std::vector<std::string> files; ///< model.json first, then the shards
    /// What TensorFlow.js will make of it: the Keras export's notes, and each GRU with
    /// reset_after=True, which TensorFlow.js refuses to load.
    std::vector<std::string> notes;
};

/// Writes `model` as a TensorFlow.js layers model: `modelJsonPath` (`format: "layers-model"`, a
/// `generatedBy` naming Shapeflow, the topology as the Keras 2 / tf.keras export writes it, and a
/// `weightsManifest` of one group) and the group's shards beside it (`group1-shard1of1.bin`, ...,
/// at most kTfjsShardBytes each, little-endian float32), each written atomically. `weights` are by
/// Shapeflow's names and must be exactly the model's weights, with their shapes; throws
/// FileFormatError otherwise (and for a layer whose weights Shapeflow does not name as
/// TensorFlow.js does: the wrappers' inner layers), KerasExportRefused when the model cannot be
/// written as Keras, DataError when a file cannot be written.
TfjsWriteResult writeTfjsModelFolder(const std::string& modelJsonPath, const CheckedModel& model,
                                     const std::string& modelName, const std::map<std::string, Array>& weights);

} // namespace sf
