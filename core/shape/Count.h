#pragma once

#include "Shape.h"

#include <cstdint>

namespace sf {

/// A non-negative amount the model analysis computes (bytes, FLOPs, elements): a number, unknown
/// (it depends on a `?` size, or on a layer whose output cannot be inferred), or too large for 64
/// bits. Arithmetic never wraps and never invents a number: a result is unknown when an operand
/// is, else too large when an operand is or the result overflows.
class Count {
public:
    enum class State : std::uint8_t { Known, Unknown, TooLarge };

    static Count of(std::int64_t value) { return Count(State::Known, value); }
    static Count unknown() { return Count(State::Unknown, 0); }
    static Count tooLarge() { return Count(State::TooLarge, 0); }

    State state() const { return m_state; }
    bool isKnown() const { return m_state == State::Known; }
    bool isUnknown() const { return m_state == State::Unknown; }
    bool isTooLarge() const { return m_state == State::TooLarge; }
    std::int64_t value() const { return m_value; } ///< meaningful when isKnown()

    Count operator+(Count other) const;
    Count operator*(Count other) const;
    Count& operator+=(Count other) { return *this = *this + other; }

    bool operator==(const Count&) const = default;

private:
    Count(State state, std::int64_t value) : m_state(state), m_value(value) {}

    State m_state;
    std::int64_t m_value;
};

/// The elements of one sample of `shape` (the product of its axes after the batch axis): unknown
/// when one of them is, too large when the product overflows.
Count sampleElementCount(const Shape& shape);

} // namespace sf
