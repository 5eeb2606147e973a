#include "Shape.h"

namespace sf {

std::optional<std::int64_t> checkedMultiply(std::int64_t a, std::int64_t b)
{
    std::int64_t result = 0;
    if (__builtin_mul_overflow(a, b, &result))
        return std::nullopt;
    return result;
}

std::optional<std::int64_t> Shape::sampleElements() const
{
    std::int64_t product = 1;
    for (std::size_t i = 1; i < m_dims.size(); ++i) {
        if (!m_dims[i].isKnown())
            return std::nullopt;
        auto next = checkedMultiply(product, m_dims[i].size());
        if (!next)
            return std::nullopt;
        product = *next;
    }
    return product;
}

const Dim* Shape::firstUnknownAfterBatch() const
{
    for (std::size_t i = 1; i < m_dims.size(); ++i)
        if (!m_dims[i].isKnown())
            return &m_dims[i];
    return nullptr;
}

namespace {

template <typename Format> std::string formatTuple(const std::vector<Dim>& dims, Format format)
{
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += format(dims[i]);
    }
    if (dims.size() == 1)
        text += ",";
    return text + ")";
}

} // namespace

std::string Shape::toKeras() const
{
    return formatTuple(m_dims, [](const Dim& d) { return d.toKeras(); });
}

bool Shape::accepts(const std::vector<std::int64_t>& concrete) const
{
    if (concrete.size() != m_dims.size())
        return false;
    for (std::size_t a = 0; a < m_dims.size(); ++a)
        if (m_dims[a].isKnown() && concrete[a] != m_dims[a].size())
            return false;
    return true;
}

std::string Shape::toDisplay() const
{
    return formatTuple(m_dims, [](const Dim& d) { return d.toDisplay(); });
}

} // namespace sf
