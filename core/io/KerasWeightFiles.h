#pragma once

#include "Hdf5File.h"
#include "data/Array.h"
#include "shape/CheckedModel.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sf {

/// The most a `.keras` archive's members may hold together, inflated.
inline constexpr std::uint64_t kMaxKerasArchiveBytes = std::uint64_t{4} << 30;

/// A Keras model file's parts: its model config (JSON text) and, where it has them, its weights
/// as an HDF5 file.
struct KerasModelParts {
    std::string configText;
    std::string configSource; ///< `model.keras:config.json`, `model.h5:model_config`
    std::optional<Hdf5File> weights;
    std::string weightsProblem; ///< why the weights it holds cannot be opened (a damaged member)
};

/// A Keras 3 `.keras` archive (saving_lib.py: `config.json`, `metadata.json`, `model.weights.h5`),
/// held in `bytes`. Throws FileFormatError naming the file and the member.
KerasModelParts readKerasArchive(const std::string& bytes, const std::string& sourceName);
/// A legacy `.h5` model (legacy_h5_format.py's save_model_to_hdf5: the `model_config` attribute,
/// the `model_weights` group). Throws FileFormatError.
KerasModelParts readLegacyH5Model(const std::string& path);

/// Places the weights of a Keras weights file on `model`'s layers, by Keras's own paths, and
/// returns them by Shapeflow's weight names (`dense/kernel`, as weightArrays() names them): either
/// layout, found by content:
/// - Keras 3 (saving_lib.py's H5IOStore): `layers/<class in snake case, numbered>/vars/<i>`, a
///   layer's own variables trainable first, nested layers under their attribute (`cell`,
///   `forward_layer`, `_query_dense`); `optimizer/` holds the optimizer's state, which is not read.
/// - Keras 2 / tf.keras and Keras 3's legacy h5 (`model_weights/` or the root): a group per
///   layer name with a `weight_names` attribute listing its weights, trainable first.
/// `config` is the model config the weights were saved with (for the layers' classes, order and
/// names). A weight whose shape differs from the one its layer needs, weights the model needs that
/// the file lacks, and weights the file has that the model has no place for are all listed in one
/// FileFormatError; so are what Shapeflow does not convert (files of Keras 1, the Theano backend).
/// A nested model's weights are under its entry (Keras 3: `layers/functional/layers/dense/vars`;
/// legacy: all of them in the nested model's group, trainable first).
std::map<std::string, Array> readKerasWeights(const Hdf5File& file, const nlohmann::json& config,
                                              const CheckedModel& model);

} // namespace sf
