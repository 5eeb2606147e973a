#pragma once

#include "Loss.h"
#include "shape/CheckedModel.h"

namespace sf {

/// The loss a model's output suggests when none is chosen: sigmoid -> binary_crossentropy,
/// softmax -> categorical_crossentropy, anything else -> mse.
LossSpec defaultLossFor(const CheckedModel& model);

} // namespace sf
