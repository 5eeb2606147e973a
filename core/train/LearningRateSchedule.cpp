#include "LearningRateSchedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sf {

double LearningRateSchedule::at(double initial, std::int64_t step) const
{
    switch (kind) {
    case Kind::Constant:
        return initial;
    case Kind::StepDecay:
        return initial * std::pow(decayRate, std::floor(static_cast<double>(step) / static_cast<double>(decaySteps)));
    case Kind::Cosine: {
        const double progress =
            std::min(static_cast<double>(step), static_cast<double>(decaySteps)) / static_cast<double>(decaySteps);
        const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
        return initial * ((1.0 - alpha) * cosine + alpha);
    }
    }
    return initial;
}

} // namespace sf
