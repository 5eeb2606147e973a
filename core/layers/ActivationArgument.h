#pragma once

#include "engine/Activation.h"
#include "graph/ParamSpec.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sf {

/// An activation argument (`activation`, or an LSTM's `recurrent_activation`), with its default
/// and palette text.
ParamSpec activationParam(std::string defaultName, std::string description, bool required,
                          std::string name = "activation");
/// Whether `p` is one: its value reads and writes as a Keras activation.
bool isActivationParam(const ParamSpec& p);

/// An activation as a Keras config writes it ("relu", or Keras 3's {"class_name": "function",
/// "config": "relu"}), by its Keras name; `silu` is `swish`. Nullopt for one Shapeflow lacks.
std::optional<std::string> activationFromKeras(const nlohmann::json& value);

} // namespace sf
