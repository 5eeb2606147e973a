#pragma once

#include <string_view>

/// The class names that one layer's file uses for another: a Flatten's diagnostic offers a
/// GlobalAveragePooling1D or 2D in its place, a mask's maker is named in a warning, a Conv1D fed a
/// vector is offered a Reshape before it, a Dense fed a sequence a GlobalMaxPooling1D, a batch
/// mismatch a RepeatToBatch, a Bidirectional wraps an LSTM, GRU or SimpleRNN. Nothing outside core/layers/ names a
/// layer type.
namespace sf::layerName {
inline constexpr std::string_view kEmbedding = "Embedding";
inline constexpr std::string_view kFlatten = "Flatten";
inline constexpr std::string_view kGlobalAveragePooling1D = "GlobalAveragePooling1D";
inline constexpr std::string_view kGlobalAveragePooling2D = "GlobalAveragePooling2D";
inline constexpr std::string_view kGlobalMaxPooling1D = "GlobalMaxPooling1D";
inline constexpr std::string_view kGRU = "GRU";
inline constexpr std::string_view kLSTM = "LSTM";
inline constexpr std::string_view kRepeatToBatch = "RepeatToBatch";
inline constexpr std::string_view kRepeatVector = "RepeatVector";
inline constexpr std::string_view kReshape = "Reshape";
inline constexpr std::string_view kSimpleRNN = "SimpleRNN";
} // namespace sf::layerName
