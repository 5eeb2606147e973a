#pragma once

#include "shape/CheckedModel.h"

#include <string>
#include <vector>

namespace sf {

struct KerasPythonResult {
    std::string code;
    std::vector<std::string> notes; ///< what stops Keras building it (kerasBuildNotes)
};

/// The graph as a Python script that builds it with the Keras 3 functional API: one statement per
/// layer in topological order, Python names taken from the layer names, a layer whose weights
/// several nodes share made once and called for each, RepeatToBatch defined in the script, and
/// `model = keras.Model(...)` at the end (its summary printed when the script is run). A model used
/// as a layer (a group) is made once from its Keras 3 config (`keras.Model.from_config`,
/// `keras.Sequential.from_config`), then called where what it takes is made, each call on it.
KerasPythonResult kerasPythonCode(const CheckedModel& model, const std::string& modelName);

} // namespace sf
