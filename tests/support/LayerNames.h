#pragma once

#include <string_view>

/// The Keras class names the tests build models from. The core names no layer type outside
/// core/layers/; the tests do, as a user does.
namespace sf::layer {
inline constexpr std::string_view kInput = "InputLayer";
inline constexpr std::string_view kEmbedding = "Embedding";
inline constexpr std::string_view kFlatten = "Flatten";
inline constexpr std::string_view kConcatenate = "Concatenate";
inline constexpr std::string_view kAdd = "Add";
inline constexpr std::string_view kSubtract = "Subtract";
inline constexpr std::string_view kMultiply = "Multiply";
inline constexpr std::string_view kAverage = "Average";
inline constexpr std::string_view kMaximum = "Maximum";
inline constexpr std::string_view kMinimum = "Minimum";
inline constexpr std::string_view kDot = "Dot";
inline constexpr std::string_view kAttention = "Attention";
inline constexpr std::string_view kAdditiveAttention = "AdditiveAttention";
inline constexpr std::string_view kMultiHeadAttention = "MultiHeadAttention";
inline constexpr std::string_view kDense = "Dense";
inline constexpr std::string_view kReshape = "Reshape";
inline constexpr std::string_view kRepeatVector = "RepeatVector";
inline constexpr std::string_view kDropout = "Dropout";
inline constexpr std::string_view kActivation = "Activation";
inline constexpr std::string_view kMasking = "Masking";
inline constexpr std::string_view kGlobalAveragePooling1D = "GlobalAveragePooling1D";
inline constexpr std::string_view kRepeatToBatch = "RepeatToBatch";
inline constexpr std::string_view kSimpleRNN = "SimpleRNN";
inline constexpr std::string_view kLSTM = "LSTM";
inline constexpr std::string_view kGRU = "GRU";
inline constexpr std::string_view kBidirectional = "Bidirectional";
inline constexpr std::string_view kTimeDistributed = "TimeDistributed";
} // namespace sf::layer
