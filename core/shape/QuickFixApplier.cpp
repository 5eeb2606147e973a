#include "QuickFixApplier.h"

#include "graph/ConnectionRules.h"
#include "graph/LayerCatalogue.h"

#include <algorithm>

namespace sf {

namespace {

constexpr double kInsertedOffset = 150.0; ///< above the edge it splits, clear of both cards

/// Puts a new `type` node between the tensor feeding `consumerPort` and that port, its further
/// input ports fed by `moreInputs`; false, the graph untouched, when the editing rules refuse it.
bool insertBefore(Graph& graph, PortRef consumerPort, std::string_view type, const ParamMap& params,
                  const std::vector<PortRef>& moreInputs)
{
    const auto feeding = graph.connectionInto(consumerPort);
    const Node* consumer = graph.node(consumerPort.node);
    if (!feeding || !consumer || !LayerCatalogue::instance().find(type))
        return false;
    const Node* source = graph.node(feeding->from.node);
    const Point at{(source->position.x + consumer->position.x) / 2.0,
                   std::min(source->position.y, consumer->position.y) - kInsertedOffset};
    Graph after = graph;
    after.disconnect(*feeding);
    const NodeId inserted = after.addNode(type, params, at);
    // Between two layers of one nested model, the new layer is one of its layers too.
    if (const GroupId group = after.groupOf(consumerPort.node);
        group.isValid() && after.groupOf(feeding->from.node) == group)
        after.group(group)->members.emplace(inserted, after.node(inserted)->name);
    std::vector<Connection> connections{{feeding->from, {inserted, 0}}};
    for (std::size_t i = 0; i < moreInputs.size(); ++i)
        connections.push_back({moreInputs[i], {inserted, static_cast<int>(i) + 1}});
    connections.push_back({{inserted, 0}, consumerPort});
    // New connections, so the editing rules decide (a reference must not depend on the consumer).
    for (const Connection& c : connections) {
        if (connectionRefusal(after, c))
            return false;
        after.connect(c);
    }
    graph = std::move(after);
    return true;
}

bool apply(Graph& graph, const InsertLayer& fix)
{
    for (const PortRef& input : fix.moreInputs)
        if (!graph.node(input.node))
            return false;
    return insertBefore(graph, fix.consumerPort, fix.type, fix.params, fix.moreInputs);
}

bool apply(Graph& graph, const ReplaceLayer& fix)
{
    const Node* old = graph.node(fix.node);
    const LayerSpec* spec = LayerCatalogue::instance().find(fix.newType);
    if (!old || !spec)
        return false;
    ParamMap carried;
    for (const auto& [name, value] : old->params.values())
        if (spec->param(name))
            carried.set(name, value);
    const Point position = old->position;
    const std::vector<Connection> connections = graph.connectionsOf(fix.node);
    std::map<GroupId, NodeGroup> groups = graph.groups(); // the replacement takes its place in them
    graph.removeNode(fix.node);
    const NodeId replacement = graph.addNode(fix.newType, carried, position);
    const auto swap = [&](PortRef& port) {
        if (port.node == fix.node)
            port.node = replacement;
    };
    for (auto& [id, group] : groups) {
        for (GroupInput& input : group.inputs)
            std::for_each(input.feeds.begin(), input.feeds.end(), swap);
        std::for_each(group.outputs.begin(), group.outputs.end(), swap);
        if (const auto kept = group.members.find(fix.node); kept != group.members.end()) {
            group.members.emplace(replacement, graph.node(replacement)->name);
            group.members.erase(kept);
        }
    }
    graph.setGroups(std::move(groups));
    for (Connection c : connections) {
        if (c.from.node == fix.node)
            c.from.node = replacement;
        if (c.to.node == fix.node)
            c.to.node = replacement;
        // Its own connections, rewired: only their wiring is checked (wiringRefusal), so ports the
        // new type does not have are dropped, and then reported.
        graph.connect(c);
    }
    return true;
}

bool apply(Graph& graph, const SetArgument& fix)
{
    Node* node = graph.node(fix.node);
    if (!node)
        return false;
    node->params.set(fix.name, fix.value);
    return true;
}

bool apply(Graph& graph, const RenameLayer& fix)
{
    Node* node = graph.node(fix.node);
    if (!node)
        return false;
    node->name = fix.newName;
    if (NodeGroup* group = graph.group(graph.groupOf(fix.node)))
        group->members[fix.node] = fix.newName; // its name in its nested model too
    return true;
}

bool apply(Graph& graph, const RemoveConnection& fix)
{
    return graph.disconnect(fix.connection);
}

bool apply(Graph& graph, const UngroupLayers& fix)
{
    return graph.ungroup(fix.group);
}

} // namespace

bool applyFix(Graph& graph, const QuickFix& fix)
{
    return std::visit([&graph](const auto& action) { return apply(graph, action); }, fix.action);
}

} // namespace sf
