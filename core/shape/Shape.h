#pragma once

#include "Dim.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace sf {

/// A tensor's shape, batch axis first, as Keras orders it.
class Shape {
public:
    Shape() = default;
    Shape(std::initializer_list<Dim> dims) : m_dims(dims) {}
    explicit Shape(std::vector<Dim> dims) : m_dims(std::move(dims)) {}

    int rank() const { return static_cast<int>(m_dims.size()); }
    const Dim& operator[](int axis) const { return m_dims[static_cast<std::size_t>(axis)]; }
    const Dim& last() const { return m_dims.back(); }
    const std::vector<Dim>& dims() const { return m_dims; }

    /// Product of the axes after the first, or nullopt when one is not known or it overflows.
    std::optional<std::int64_t> sampleElements() const;
    /// The first axis after the batch axis that is not a known size, or nullptr.
    const Dim* firstUnknownAfterBatch() const;

    /// Whether an array of `concrete` sizes can hold this tensor: the same rank and every known
    /// size equal (a fixed batch too); the batch and unknown sizes take any value.
    bool accepts(const std::vector<std::int64_t>& concrete) const;

    std::string toKeras() const;   ///< exactly as Keras prints it: `(None, 20, 64)`, `(None,)`
    std::string toDisplay() const; ///< the same with `?` for unknown sizes: `(None, ?, 64)`

    bool operator==(const Shape&) const = default;

private:
    std::vector<Dim> m_dims;
};

/// Multiplies two sizes, nullopt on overflow.
std::optional<std::int64_t> checkedMultiply(std::int64_t a, std::int64_t b);

} // namespace sf
