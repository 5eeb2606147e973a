#pragma once

#include "Node.h"
#include "NodeGroup.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sf {

/// The model as a plain value: nodes by id and connections, both sorted, so that copies compare
/// equal and files come out the same. Every node has one output port (port 0).
/// A Graph may hold invalid models (cycles, missing inputs); ShapeInference reports them.
class Graph {
public:
    /// Adds a node of a registered type, arguments defaulted then overridden by `params`.
    /// An empty name becomes Keras's automatic name (`dense`, `dense_1`, ...).
    NodeId addNode(std::string_view type, const ParamMap& params = {}, Point position = {}, std::string name = {});
    /// Adds a node with its id kept (loading, undo); later ids are allocated after it.
    void insertNode(Node node);
    /// Removes the node and every connection touching it. False when there is no such node. The node
    /// leaves its group (as a member, an input's feed, an output); a group left with no member and
    /// no group inside it disappears.
    bool removeNode(NodeId id);

    const Node* node(NodeId id) const;
    Node* node(NodeId id);
    const Node* findByName(std::string_view name) const;
    const std::map<NodeId, Node>& nodes() const { return m_nodes; }

    /// Connects an output to an input port. Refused (false) for a wiringRefusal (ConnectionRules.h):
    /// a node is missing, the input port does not exist for the node's type, or it is already fed.
    bool connect(const Connection& connection);
    bool disconnect(const Connection& connection);
    const std::set<Connection>& connections() const { return m_connections; }
    /// The connection feeding `input`, if any. Logarithmic in the number of connections.
    std::optional<Connection> connectionInto(PortRef input) const;
    /// The connections from or into `id`, sorted. Logarithmic, plus the number returned.
    std::vector<Connection> connectionsOf(NodeId id) const;

    /// `base` if no node has that name, else `base_1`, `base_2`, ... the first one free.
    std::string uniqueName(std::string_view base) const;

    /// Models used as layers (NodeGroup.h), by id.
    const std::map<GroupId, NodeGroup>& groups() const { return m_groups; }
    const NodeGroup* group(GroupId id) const;
    NodeGroup* group(GroupId id);
    /// Adds a group; an invalid id gets the next free one. Returns its id.
    GroupId addGroup(NodeGroup group);
    /// Removes a group's record and keeps every node: its members and the groups inside it go to
    /// the group it was in (or the top level), and the later calls that repeat it are removed too.
    /// False when there is no such group.
    bool ungroup(GroupId id);
    /// Replaces every group record (undo puts back the records of before).
    void setGroups(std::map<GroupId, NodeGroup> groups);
    /// The group that has `id` as a direct member; invalid when none has.
    GroupId groupOf(NodeId id) const;
    /// Whether `id` is a member of `group` or of a group inside it, at any depth.
    bool inGroup(NodeId id, GroupId group) const;

    NodeId nextId() const { return NodeId{m_nextId}; }
    /// Ids below `next` are never handed out again (ids are never reused, even after an undo).
    void reserveIdsBelow(NodeId next) { m_nextId = std::max(m_nextId, next.value); }
    /// The same model: the same nodes, connections and groups (the id allocators' positions aside).
    bool operator==(const Graph& other) const
    {
        return m_nodes == other.m_nodes && m_connections == other.m_connections && m_groups == other.m_groups;
    }

private:
    void forget(const Connection& connection);

    std::map<NodeId, Node> m_nodes;
    std::set<Connection> m_connections;
    // Indexes of m_connections, so that wiring a large model is not quadratic in its connections.
    std::map<PortRef, Connection> m_connectionInto;         ///< by the input port fed
    std::map<NodeId, std::set<Connection>> m_connectionsOf; ///< by each node at either end
    std::uint64_t m_nextId = 1;
    std::map<GroupId, NodeGroup> m_groups;
    std::uint64_t m_nextGroupId = 1;
};

/// `base` if `taken` says it is free, else `base_1`, `base_2`, ... the first one free: Keras's
/// automatic names. For many names at once, `taken` can look in a set kept up to date.
std::string firstFreeName(std::string_view base, const std::function<bool(std::string_view)>& taken);

} // namespace sf
