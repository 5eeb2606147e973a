#pragma once

#include "ParamMap.h"
#include "ParamSpec.h"

#include <string>
#include <string_view>
#include <vector>

namespace sf {

/// Palette grouping, after the sections of the Keras layer reference.
enum class LayerCategory {
    Input,
    Core,
    Activations,
    Convolution,
    Pooling,
    Recurrent,
    Normalization,
    Merging,
    Attention,
    Reshaping,
    Regularization,
    Preprocessing
};

std::string_view toString(LayerCategory category);

/// A layer type's declaration: Keras class name, ports and argument schema. The rest of its
/// contract is its LayerType (core/layers/).
struct LayerSpec {
    std::string className;   ///< Keras class name, e.g. "Dense"
    std::string defaultName; ///< Keras's automatic layer name, e.g. "dense"
    LayerCategory category = LayerCategory::Core;
    std::string summary;                 ///< one line for the palette
    std::vector<std::string> inputPorts; ///< named fixed ports; for variadic layers the first port's name
    bool variadicInputs = false;         ///< Concatenate: any number of inputs, ordered by port
    int minInputs = 1;
    std::vector<ParamSpec> params;

    const ParamSpec* param(std::string_view name) const;
    ParamMap defaults() const;
    bool isInput() const { return inputPorts.empty() && !variadicInputs; }
};

} // namespace sf
