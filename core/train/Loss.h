#pragma once

#include "engine/Tensor.h"

#include <optional>
#include <string>
#include <string_view>

namespace sf {

/// Keras's losses, reduced as `sum_over_batch_size`: the mean over every position (all axes but
/// the last) of the per-position loss.
enum class LossKind {
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    MeanSquaredError,
    MeanAbsoluteError
};

struct LossSpec {
    LossKind kind = LossKind::BinaryCrossentropy;
    bool fromLogits = false;

    bool operator==(const LossSpec&) const = default;
};

/// Keras's epsilon: probabilities are clipped to [eps, 1 - eps] before the log.
inline constexpr float kEpsilon = 1e-7f;

std::optional<LossKind> lossFromName(std::string_view name);
std::string lossName(LossKind kind);

/// The loss of `prediction` (rows, cols) against `target`: the same shape, or (rows,) class ids
/// for the sparse loss. Writes dLoss/dPrediction into `gradient` when it is not null. With
/// `rowMask` (one 0/1 per row: the Keras mask a sequence output carries), a masked row counts
/// for nothing and the mean is over the others, none giving 0, as Keras 3's apply_mask weighs
/// them (keras/src/losses/loss.py: sum(loss · mask) / valid, divide_no_nan).
double computeLoss(const LossSpec& spec, const TensorView& prediction, const float* target, float* gradient,
                   const float* rowMask = nullptr);

} // namespace sf
