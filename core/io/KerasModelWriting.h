#pragma once

#include "ModelFile.h"
#include "data/Array.h"
#include "shape/CheckedModel.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sf {

/// The Keras version Shapeflow's Keras 3 files say they were written for (metadata.json): the
/// version of the saving code they follow (keras/src/saving/saving_lib.py, Keras 3.16.0).
inline constexpr const char* kKeras3FileVersion = "3.16.0";

/// `model`'s weights as a Keras 3 weights file (saving_lib.py's H5IOStore, what
/// `model.save_weights("x.weights.h5")` writes and what a `.keras` holds as `model.weights.h5`):
/// a `vars` group per object with its name as an attribute (the model's at the root), each layer
/// under `layers/<class in snake case, numbered>`, its variables as datasets `0`, `1`... in Keras's
/// order, its sublayers under their attributes (`cell`, `forward_layer`). `config` is the Keras 3
/// model config the file goes with (exportKerasModel). `weights` are by Shapeflow's names and must
/// be exactly those the model has, in its shapes: anything else is a FileFormatError naming each
/// difference. Returns the file's bytes.
std::string keras3WeightsFile(const CheckedModel& model, const nlohmann::json& config,
                              const std::map<std::string, Array>& weights, const std::string& sourceName);

/// `model` as a legacy Keras `.h5` (legacy_h5_format.py's save_model_to_hdf5, as tf.keras 2.x and
/// Keras 3's `model.save("x.h5")` write it): the root's `model_config` (`exported`, the Keras 2
/// export, as class_name and config), `keras_version` and `backend` attributes, and `model_weights`
/// with `layer_names` and a group per layer whose `weight_names` list its datasets. No optimizer
/// state.
std::string legacyH5ModelFile(const CheckedModel& model, const nlohmann::json& exported,
                              const std::map<std::string, Array>& weights, const std::string& sourceName);

/// `model` as a Keras 3 `.keras` archive (saving_lib.py's _save_model_to_fileobj): `metadata.json`
/// (keras_version, date_saved), `config.json` (`config`, the Keras 3 export) and `model.weights.h5`,
/// stored.
std::string kerasArchiveFile(const CheckedModel& model, const nlohmann::json& config,
                             const std::map<std::string, Array>& weights, const std::string& sourceName);

/// The weights Shapeflow's training starts `model` from (each layer's initializer, from `seed`):
/// what a model that was never trained is written with, as Keras saves a new model's initial
/// weights. Throws CompileError when the model cannot be compiled.
std::map<std::string, Array> initialWeights(const CheckedModel& model, std::uint32_t seed);

/// initialWeights for a document, from its training settings' seed.
std::map<std::string, Array> initialWeightsOf(const ModelDocument& document);

/// Writes `document` with `weights` (by Shapeflow's names; empty: its initial weights, from its
/// training seed) as the Keras file `path` names: `.keras`, `.weights.h5` (weights only) or `.h5`
/// (a legacy whole model). Written beside and renamed over `path`: a failed write leaves no half
/// file. Returns what Keras will make of it (the export's notes). Throws FileFormatError (weights
/// that do not fit, an unknown ending), KerasExportRefused (a group's border crossed) or
/// CompileError (no initial weights for a model with errors).
std::vector<std::string> writeKerasModelFile(const std::string& path, const ModelDocument& document,
                                             const std::map<std::string, Array>& weights);

/// Whether `path` names a file writeKerasModelFile writes (`.keras`, `.h5`, `.weights.h5`).
bool isKerasModelFilePath(const std::string& path);

} // namespace sf
