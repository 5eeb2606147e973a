#include "Count.h"

namespace sf {

namespace {

/// The state of a result whose operands are `a` and `b`, when it is not a number.
Count worstOf(Count a, Count b)
{
    return a.isUnknown() || b.isUnknown() ? Count::unknown() : Count::tooLarge();
}

} // namespace

Count Count::operator+(Count other) const
{
    if (!isKnown() || !other.isKnown())
        return worstOf(*this, other);
    std::int64_t sum = 0;
    return __builtin_add_overflow(m_value, other.m_value, &sum) ? tooLarge() : of(sum);
}

Count Count::operator*(Count other) const
{
    if (!isKnown() || !other.isKnown())
        return worstOf(*this, other);
    const auto product = checkedMultiply(m_value, other.m_value);
    return product ? of(*product) : tooLarge();
}

Count sampleElementCount(const Shape& shape)
{
    if (shape.firstUnknownAfterBatch())
        return Count::unknown();
    const auto elements = shape.sampleElements();
    return elements ? Count::of(*elements) : Count::tooLarge();
}

} // namespace sf
