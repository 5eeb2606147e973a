#pragma once

#include <limits>
#include <string>

namespace sf {

/// The numbers a setting accepts: an interval whose ends are included or not. NaN is in none.
struct NumberRange {
    double low = -std::numeric_limits<double>::infinity();
    bool lowIncluded = true;
    double high = std::numeric_limits<double>::infinity();
    bool highIncluded = false;

    /// (0, inf): learning rates, epsilons.
    static constexpr NumberRange positive() { return {0.0, false}; }
    /// [0, inf): weight decay, clipping norms.
    static constexpr NumberRange nonNegative() { return {0.0, true}; }
    /// [0, 1): momentum, Keras's betas and rho, validation_split.
    static constexpr NumberRange unitOpen() { return {0.0, true, 1.0, false}; }
    /// [0, 1]: CosineDecay's alpha.
    static constexpr NumberRange unitClosed() { return {0.0, true, 1.0, true}; }

    bool contains(double x) const
    {
        return (lowIncluded ? x >= low : x > low) && (highIncluded ? x <= high : x < high);
    }
    /// "a number in [0, 1)", "a positive number": what a message says is expected.
    std::string describe() const;
};

} // namespace sf
