#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sf {

/// Why Keras would refuse `name` as a layer name, in Keras's words, or nothing when it is fine.
/// Keras 3 (`keras/src/ops/operation.py`) refuses a `/` in a name, which it uses to build weight
/// paths; an empty name is refused too, as it cannot name a layer's weights or be referred to.
std::optional<std::string> layerNameProblem(std::string_view name);

/// `name` with what Keras refuses replaced (`/` by `_`; nothing by `layer`).
std::string acceptableLayerName(std::string_view name);

} // namespace sf
