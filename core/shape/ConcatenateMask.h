#pragma once

#include <vector>

namespace sf {

/// Whether a Concatenate's output carries a mask, one rule for the shape rules and the engine.
/// Keras 3 (merging/concatenate.py compute_mask) gives an unmasked input an all-true mask and
/// reduces the joined masks with `any` over the last axis: joined along the steps axis (axis 1 of
/// rank 3) the masked steps stay masked, so the output is masked when any input is; joined along
/// the features it is all true (no mask at all) unless every input is masked, and then it is the
/// masks' OR. tf.keras reduces with `all` instead (an AND, and one masked input's mask survives);
/// Shapeflow follows Keras 3. `axis` is non-negative.
bool concatenateCarriesMask(int axis, int rank, const std::vector<bool>& inputMasked);

/// True when the join runs along the steps axis of (batch, steps, features) tensors.
bool concatenatesSteps(int axis, int rank);

} // namespace sf
