#pragma once

#include "NumberRange.h"

#include <cstdint>

namespace sf {

/// A learning rate that changes with the optimizer's step, as Keras's schedules:
/// step decay is ExponentialDecay with staircase=True, cosine is CosineDecay (Loshchilov &
/// Hutter 2017, without restarts).
struct LearningRateSchedule {
    enum class Kind { Constant, StepDecay, Cosine };
    Kind kind = Kind::Constant;
    std::int64_t decaySteps = 1000;
    double decayRate = 0.5; ///< step decay: factor every decaySteps
    double alpha = 0.0;     ///< cosine: the floor, as a fraction of the initial rate

    /// The values the numbers accept (decaySteps: 1 or more); others are refused.
    struct Ranges {
        static constexpr NumberRange decayRate = NumberRange::positive();
        static constexpr NumberRange alpha = NumberRange::unitClosed();
    };

    bool operator==(const LearningRateSchedule&) const = default;

    double at(double initial, std::int64_t step) const;
};

} // namespace sf
