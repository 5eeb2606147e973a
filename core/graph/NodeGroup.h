#pragma once

#include "Node.h"

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sf {

/// Identifies a group for the whole life of a graph, as NodeId does a node.
struct GroupId {
    std::uint64_t value = 0;

    bool isValid() const { return value != 0; }
    auto operator<=>(const GroupId&) const = default;
};

/// One input of a model used as a layer: the InputLayer of the inner model, which is not a node of
/// the graph (the tensor the outer model feeds goes straight to the member ports in `feeds`).
struct GroupInput {
    /// The inner InputLayer as the file declared it: its Keras name, its arguments (shape,
    /// batch_size, dtype) and the fields Shapeflow does not model; its id is always invalid.
    Node layer;
    /// Whether the inner model's config lists the InputLayer as a layer of its own; false for a
    /// Sequential whose first layer carries the shape (`batch_input_shape`), or which has none.
    bool listed = true;
    /// The member input ports this input feeds.
    std::vector<PortRef> feeds;

    bool operator==(const GroupInput&) const = default;
};

/// A Keras model used as a layer of another (`Sequential([base, Dense(3)])`, a Functional in a
/// Functional's layers), imported inline: its layers are ordinary nodes of the graph (its members)
/// and this record keeps what export needs to write it back nested.
struct NodeGroup {
    GroupId id;
    std::string name;      ///< the inner model's Keras name
    std::string className; ///< Sequential, Functional or Model
    /// The inner model's config fields and entry fields Shapeflow does not model, as JSON object
    /// text like Node::kerasFields (`{"config": {"trainable": false}, "module": ...}`); empty when
    /// there are none.
    std::string kerasFields;
    std::vector<GroupInput> inputs;
    std::vector<PortRef> outputs; ///< the member output ports that are the inner model's outputs
    /// The member nodes directly in this group (not in a group inside it), each with its Keras name
    /// in the inner model, which may differ from the node's graph name (Keras scopes names per model).
    std::map<NodeId, std::string> members;
    GroupId parent;  ///< the group this one is nested in; invalid at the top level
    GroupId repeats; ///< for a later call of the same inner model, the group of its first call

    bool operator==(const NodeGroup&) const = default;
};

inline std::string groupIdText(GroupId id)
{
    return "group " + std::to_string(id.value);
}

} // namespace sf

namespace sf {

class Graph;

/// A connection that crosses a group's border other than through the group's inputs and outputs,
/// which a nested Keras model cannot have: `Into` a member port that none of the group's inputs
/// feeds; `OutOf` a member's output that is not one of the group's outputs; `IntoInput` a port one
/// of the group's inputs feeds that is now fed from inside the group, or from another tensor than
/// the input's other ports; `ModelOutput` a member that feeds nothing (so the outer model's output)
/// without being one of the group's outputs, its connection's `from` that member's port 0 and its
/// `to` invalid.
struct BorderCrossing {
    enum class Kind { Into, OutOf, IntoInput, ModelOutput };
    GroupId group;
    Connection connection;
    Kind kind = Kind::Into;
};

/// Every border crossing of every group, by group then connection.
std::vector<BorderCrossing> borderCrossings(const Graph& graph);

/// What a border crossing means, naming the layer and the group (for the diagnostic and export).
std::string borderCrossingMessage(const Graph& graph, const BorderCrossing& crossing);

} // namespace sf
