#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace sf {

/// Identifies a node for the whole life of a graph; an id is never reused after removal.
struct NodeId {
    std::uint64_t value = 0;

    bool isValid() const { return value != 0; }
    auto operator<=>(const NodeId&) const = default;
};

/// One port of one node: an output port on the producing side, an input port on the consuming side.
struct PortRef {
    NodeId node;
    int port = 0;

    auto operator<=>(const PortRef&) const = default;
};

/// A directed edge from an output port to an input port; four numbers identify it.
struct Connection {
    PortRef from;
    PortRef to;

    auto operator<=>(const Connection&) const = default;
};

inline std::string idText(NodeId id)
{
    return "#" + std::to_string(id.value);
}

} // namespace sf

template <> struct std::hash<sf::NodeId> {
    std::size_t operator()(sf::NodeId id) const noexcept { return std::hash<std::uint64_t>{}(id.value); }
};
