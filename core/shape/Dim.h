#pragma once

#include "graph/Ids.h"

#include <cstdint>
#include <string>

namespace sf {

/// One axis of a tensor: a known size, the model's batch axis, or an unknown size (a variable
/// sequence length, say). Keras prints the last two alike as `None`; Shapeflow keeps them apart,
/// and remembers which node made an unknown size so messages can point at the cause.
class Dim {
public:
    enum class Kind : std::uint8_t { Known, Batch, Unknown };

    static Dim known(std::int64_t size) { return Dim(Kind::Known, size, {}); }
    static Dim batch() { return Dim(Kind::Batch, 0, {}); }
    static Dim unknown(NodeId origin) { return Dim(Kind::Unknown, 0, origin); }

    Kind kind() const { return m_kind; }
    bool isKnown() const { return m_kind == Kind::Known; }
    bool isBatch() const { return m_kind == Kind::Batch; }
    bool isUnknown() const { return m_kind == Kind::Unknown; }
    std::int64_t size() const { return m_size; } ///< meaningful when isKnown()
    NodeId origin() const { return m_origin; }   ///< the node that made an unknown size

    /// Same extent: equal known sizes, or both the batch axis, or both unknown.
    bool sameExtent(const Dim& other) const { return m_kind == other.m_kind && m_size == other.m_size; }

    std::string toKeras() const;   ///< `64` or `None`
    std::string toDisplay() const; ///< `64`, `None` for the batch, `?` for an unknown size

    bool operator==(const Dim&) const = default;

private:
    Dim(Kind kind, std::int64_t size, NodeId origin) : m_kind(kind), m_size(size), m_origin(origin) {}

    Kind m_kind;
    std::int64_t m_size;
    NodeId m_origin;
};

} // namespace sf
