#pragma once

#include "shape/RuleContext.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sf::rules {

/// The most weights one layer may create: 2^30 floats (4 GiB). Beyond it training could not
/// allocate them, so inference reports `layer-too-large` instead.
inline constexpr std::int64_t kMaxLayerWeights = std::int64_t{1} << 30;

/// The length offered by the "give the Input a fixed sequence length" fix.
inline constexpr std::int64_t kSuggestedSequenceLength = 32;

/// Keras's input_spec check `ndim=`: reports `input-rank` and returns false on a mismatch. A layer
/// reading sequences (rank 3) fed a vector (rank 2) is offered the layer that makes it one.
bool expectRank(RuleContext& ctx, int input, int rank);
/// Keras's input_spec check `min_ndim=`.
bool expectMinRank(RuleContext& ctx, int input, int minRank);

/// For a layer that does not support masking (MaskRule::Drops) whose input carries a mask: warns
/// `mask-dropped`, naming the layer that made the mask.
void warnMaskDropped(RuleContext& ctx, const TensorInfo& input);

/// A window longer than the steps it slides over with padding="valid" (an output size of 0 or
/// less, the poolings' and convolutions' compute_*_output_shape): reports `window-too-large`
/// with Keras's `message`, blaming input 0, and offers padding="same".
void windowTooLarge(RuleContext& ctx, const std::string& message, const std::string& hint);
/// A dropout's `rate` of 1 or more (Keras 3 and tf.keras accept 0 <= rate <= 1, regularization/
/// dropout.py): `dropout-drops-all`, saying that while training it sets every `unit` ("value",
/// "channel") to 0, with `usual` the rates worth trying instead.
void warnDropsAll(RuleContext& ctx, double rate, const std::string& unit, const std::string& usual);

/// Layers that create weights from the last axis need it known. When it is not, reports
/// `unknown-last-dim` at the node that made the size unknown, with fixes there.
bool requireKnownLastDim(RuleContext& ctx, const TensorInfo& input);

/// Reports `layer-too-large` when `weights` is missing (overflow) or above kMaxLayerWeights.
bool checkWeightCount(RuleContext& ctx, std::optional<std::int64_t> weights, const std::string& received);

/// The first input whose batch axis differs from input 0's (a fixed size next to the model's batch,
/// or two fixed sizes); 0 when they all agree. Concatenate and the merges.
std::size_t firstBatchMismatch(const RuleContext& ctx);
/// `the model's batch size (None)`, `a fixed batch size of 1`.
std::string describeBatch(const Dim& batch);
/// Reports input `i`'s batch differing from input 0's as `code` with `message`, blaming the fixed
/// side, with RepeatToBatch offered for each batch-1 input (to the batch of an input on the
/// model's batch, when one is).
void reportBatchMismatch(RuleContext& ctx, std::size_t i, const char* code, std::string message);

/// `[(None, 8), (None, 32)]`: the input shapes as Keras lists them in messages.
std::string inputShapeList(const RuleContext& ctx);

} // namespace sf::rules
