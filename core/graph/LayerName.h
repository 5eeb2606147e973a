#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sf {

/// Why `name` cannot be a layer's name, in Keras's words, or nothing when it is fine. Keras 3
/// (`keras/src/ops/operation.py`) refuses a `/`, which it uses in weight paths (tf.keras 2 accepts
/// it); an empty name is refused as it cannot name a layer's weights or be referred to.
std::optional<std::string> layerNameProblem(std::string_view name);

/// `name` with what Keras refuses replaced (`/` by `_`; nothing by `layer`).
std::string acceptableLayerName(std::string_view name);

} // namespace sf
