#pragma once

#include "LayerSpec.h"

#include <string_view>
#include <vector>

namespace sf {

/// Keras layer class names Shapeflow knows, in palette order.
namespace layer {
inline constexpr std::string_view kInput = "InputLayer";
inline constexpr std::string_view kEmbedding = "Embedding";
inline constexpr std::string_view kFlatten = "Flatten";
inline constexpr std::string_view kConcatenate = "Concatenate";
inline constexpr std::string_view kDense = "Dense";
inline constexpr std::string_view kReshape = "Reshape";
inline constexpr std::string_view kRepeatVector = "RepeatVector";
inline constexpr std::string_view kDropout = "Dropout";
inline constexpr std::string_view kActivation = "Activation";
inline constexpr std::string_view kMasking = "Masking";
inline constexpr std::string_view kGlobalAveragePooling1D = "GlobalAveragePooling1D";
inline constexpr std::string_view kRepeatToBatch = "RepeatToBatch";
} // namespace layer

/// The activations Dense and Activation accept, with Keras's names.
const std::vector<std::string>& activationNames();

/// Every layer type Shapeflow supports; the one place a new layer type is declared.
class LayerRegistry {
public:
    static const LayerRegistry& instance();

    const LayerSpec* find(std::string_view className) const;
    const std::vector<LayerSpec>& all() const { return m_specs; }

private:
    LayerRegistry();
    std::vector<LayerSpec> m_specs;
};

} // namespace sf
