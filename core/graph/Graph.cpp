#include "Graph.h"

#include "ConnectionRules.h"
#include "LayerCatalogue.h"

#include <algorithm>
#include <cassert>
#include <unordered_set>

namespace sf {

NodeId Graph::addNode(std::string_view type, const ParamMap& params, Point position, std::string name)
{
    const LayerSpec* spec = LayerCatalogue::instance().find(type);
    assert(spec && "addNode takes registered layer types only");
    Node node;
    node.id = NodeId{m_nextId};
    node.type = std::string(type);
    node.name = name.empty() ? uniqueName(spec ? spec->defaultName : std::string("layer")) : std::move(name);
    node.params = spec ? spec->defaults() : ParamMap{};
    for (const auto& [key, value] : params.values())
        node.params.set(key, value);
    node.position = position;
    insertNode(std::move(node));
    return NodeId{m_nextId - 1};
}

void Graph::insertNode(Node node)
{
    assert(node.id.isValid() && !m_nodes.contains(node.id));
    m_nextId = std::max(m_nextId, node.id.value + 1);
    m_nodes.emplace(node.id, std::move(node));
}

bool Graph::removeNode(NodeId id)
{
    if (m_nodes.erase(id) == 0)
        return false;
    for (const Connection& c : connectionsOf(id))
        forget(c);
    GroupId emptied;
    for (auto& [gid, g] : m_groups) {
        const auto gone = [id](const PortRef& port) { return port.node == id; };
        for (GroupInput& input : g.inputs)
            std::erase_if(input.feeds, gone);
        std::erase_if(g.outputs, gone);
        if (g.members.erase(id))
            emptied = gid;
    }
    // A group left with nothing in it goes, and so may the group it was in.
    while (emptied.isValid()) {
        const NodeGroup* g = group(emptied);
        const bool hasChild = std::any_of(m_groups.begin(), m_groups.end(),
                                          [&](const auto& entry) { return entry.second.parent == emptied; });
        if (!g || !g->members.empty() || hasChild)
            break;
        const GroupId parent = g->parent;
        m_groups.erase(emptied);
        for (auto& [gid, other] : m_groups)
            if (other.repeats == emptied)
                other.repeats = GroupId{};
        emptied = parent;
    }
    return true;
}

const NodeGroup* Graph::group(GroupId id) const
{
    const auto it = m_groups.find(id);
    return it == m_groups.end() ? nullptr : &it->second;
}

NodeGroup* Graph::group(GroupId id)
{
    const auto it = m_groups.find(id);
    return it == m_groups.end() ? nullptr : &it->second;
}

GroupId Graph::addGroup(NodeGroup g)
{
    if (!g.id.isValid())
        g.id = GroupId{m_nextGroupId};
    m_nextGroupId = std::max(m_nextGroupId, g.id.value + 1);
    const GroupId id = g.id;
    m_groups[id] = std::move(g);
    return id;
}

bool Graph::ungroup(GroupId id)
{
    const auto it = m_groups.find(id);
    if (it == m_groups.end())
        return false;
    const NodeGroup removed = std::move(it->second);
    m_groups.erase(it);
    NodeGroup* parent = group(removed.parent);
    if (parent)
        for (const auto& [node, name] : removed.members)
            parent->members.emplace(node, name);
    std::vector<GroupId> repeats;
    for (auto& [gid, g] : m_groups) {
        if (g.parent == id)
            g.parent = removed.parent;
        if (g.repeats == id)
            repeats.push_back(gid);
    }
    for (GroupId repeat : repeats)
        ungroup(repeat);
    return true;
}

void Graph::setGroups(std::map<GroupId, NodeGroup> groups)
{
    m_groups = std::move(groups);
    if (!m_groups.empty())
        m_nextGroupId = std::max(m_nextGroupId, m_groups.rbegin()->first.value + 1);
}

GroupId Graph::groupOf(NodeId id) const
{
    for (const auto& [gid, g] : m_groups)
        if (g.members.contains(id))
            return gid;
    return {};
}

bool Graph::inGroup(NodeId id, GroupId outer) const
{
    // Bounded by the number of groups, so that a parent cycle (refused by ModelFile) cannot hang.
    std::size_t steps = 0;
    for (GroupId at = groupOf(id); at.isValid() && steps <= m_groups.size(); ++steps) {
        if (at == outer)
            return true;
        const NodeGroup* g = group(at);
        at = g ? g->parent : GroupId{};
    }
    return false;
}

const Node* Graph::node(NodeId id) const
{
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : &it->second;
}

Node* Graph::node(NodeId id)
{
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : &it->second;
}

const Node* Graph::findByName(std::string_view name) const
{
    for (const auto& [id, n] : m_nodes)
        if (n.name == name)
            return &n;
    return nullptr;
}

bool Graph::connect(const Connection& c)
{
    if (wiringRefusal(*this, c))
        return false;
    m_connectionInto.emplace(c.to, c);
    m_connections.insert(c);
    m_connectionsOf[c.from.node].insert(c);
    m_connectionsOf[c.to.node].insert(c);
    return true;
}

bool Graph::disconnect(const Connection& c)
{
    if (!m_connections.contains(c))
        return false;
    forget(c);
    return true;
}

void Graph::forget(const Connection& c)
{
    m_connections.erase(c);
    m_connectionInto.erase(c.to);
    for (const NodeId end : {c.from.node, c.to.node})
        if (const auto it = m_connectionsOf.find(end);
            it != m_connectionsOf.end() && it->second.erase(c) && it->second.empty())
            m_connectionsOf.erase(it);
}

std::optional<Connection> Graph::connectionInto(PortRef input) const
{
    const auto it = m_connectionInto.find(input);
    return it == m_connectionInto.end() ? std::nullopt : std::optional(it->second);
}

std::vector<Connection> Graph::connectionsOf(NodeId id) const
{
    const auto it = m_connectionsOf.find(id);
    return it == m_connectionsOf.end() ? std::vector<Connection>{}
                                       : std::vector<Connection>(it->second.begin(), it->second.end());
}

std::string Graph::uniqueName(std::string_view base) const
{
    std::unordered_set<std::string_view> taken;
    taken.reserve(m_nodes.size());
    for (const auto& [id, n] : m_nodes)
        taken.insert(n.name);
    return firstFreeName(base, [&](std::string_view name) { return taken.contains(name); });
}

std::string firstFreeName(std::string_view base, const std::function<bool(std::string_view)>& taken)
{
    if (!taken(base))
        return std::string(base);
    for (int i = 1;; ++i) {
        std::string candidate = std::string(base) + "_" + std::to_string(i);
        if (!taken(candidate))
            return candidate;
    }
}

} // namespace sf
