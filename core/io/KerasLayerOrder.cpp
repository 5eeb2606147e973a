#include "KerasLayerOrder.h"

#include "graph/Graph.h"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>

namespace sf {

namespace {

/// One call in a scope of the graph: a node directly in it, or a group directly in it (a call of a
/// nested model). Keras's "node".
struct Call {
    NodeId node;
    GroupId group;
    auto operator<=>(const Call&) const = default;
};

class ScopeGraph {
public:
    ScopeGraph(const Graph& graph, const std::vector<PlacedKerasLayer>& layers, const NodeGroup* scope)
        : m_graph(graph), m_layers(layers), m_scope(scope ? scope->id : GroupId{})
    {
    }

    /// The call in this scope that `node` belongs to; nullopt when it is outside the scope.
    std::optional<Call> callOf(NodeId node) const
    {
        GroupId g = m_graph.groupOf(node);
        if (g == m_scope)
            return Call{node, {}};
        while (g.isValid()) {
            const NodeGroup* group = m_graph.group(g);
            if (!group)
                return std::nullopt;
            if (group->parent == m_scope)
                return Call{{}, g};
            g = group->parent;
        }
        return std::nullopt;
    }

    /// The layer (its index in `layers`) that `call` calls: a shared layer's calls share its weights,
    /// a nested model's later calls repeat its first.
    std::optional<std::size_t> layerOf(const Call& call) const
    {
        for (std::size_t i = 0; i < m_layers.size(); ++i) {
            if (call.node.isValid()) {
                const Node* node = m_graph.node(call.node);
                const NodeId owner = node && node->sharesWeightsWith.isValid() ? node->sharesWeightsWith : call.node;
                if (m_layers[i].node && m_layers[i].node->id == owner)
                    return i;
            } else {
                const NodeGroup* group = m_graph.group(call.group);
                const GroupId first = group && group->repeats.isValid() ? group->repeats : call.group;
                if (m_layers[i].group == first)
                    return i;
            }
        }
        return std::nullopt;
    }

    /// The calls whose outputs `call` takes, in the order of its inputs (Keras's parent nodes); an
    /// input of the scope's own model is none.
    std::vector<Call> producers(const Call& call) const
    {
        std::vector<PortRef> ports;
        if (call.node.isValid()) {
            std::map<int, PortRef> byPort;
            for (const Connection& c : m_graph.connections())
                if (c.to.node == call.node)
                    byPort.emplace(c.to.port, c.to);
            for (const auto& [port, ref] : byPort)
                ports.push_back(ref);
        } else if (const NodeGroup* group = m_graph.group(call.group)) {
            for (const GroupInput& input : group->inputs)
                if (!input.feeds.empty())
                    ports.push_back(input.feeds.front());
        }
        std::vector<Call> out;
        for (const PortRef& port : ports)
            if (const auto connection = m_graph.connectionInto(port))
                if (const std::optional<Call> from = callOf(connection->from.node))
                    out.push_back(*from);
        return out;
    }

private:
    const Graph& m_graph;
    const std::vector<PlacedKerasLayer>& m_layers;
    GroupId m_scope;
};

/// The calls making the scope's outputs, in output order: the model's outputs at the top level (as
/// the export lists them in output_layers), a nested model's declared outputs in a group.
std::vector<Call> outputCalls(const CheckedModel& model, const ScopeGraph& scopeGraph, const NodeGroup* scope)
{
    std::vector<Call> out;
    if (scope) {
        for (const PortRef& port : scope->outputs)
            if (const std::optional<Call> call = scopeGraph.callOf(port.node))
                out.push_back(*call);
    } else {
        for (NodeId id : model.report().modelOutputs())
            if (const std::optional<Call> call = scopeGraph.callOf(id))
                out.push_back(*call);
    }
    return out;
}

} // namespace

void orderAsKerasBuildsIt(std::vector<PlacedKerasLayer>& layers, const CheckedModel& model, const NodeGroup* scope)
{
    const ScopeGraph scopeGraph(model.graph(), layers, scope);
    // _build_map: a depth-first walk from the outputs; each layer's index is where the walk first
    // meets one of its calls (before its inputs), the calls listed as the walk finishes them.
    std::map<std::size_t, int> firstMet;
    std::vector<Call> finishedOrder;
    std::set<Call> finished;
    std::set<Call> inProgress;
    const auto walk = [&](const Call& call, const auto& self) -> void {
        if (finished.contains(call) || inProgress.contains(call)) // a cycle is reported elsewhere
            return;
        if (const std::optional<std::size_t> layer = scopeGraph.layerOf(call); layer && !firstMet.contains(*layer))
            firstMet.emplace(*layer, static_cast<int>(firstMet.size()));
        inProgress.insert(call);
        for (const Call& parent : scopeGraph.producers(call))
            self(parent, self);
        inProgress.erase(call);
        finished.insert(call);
        finishedOrder.push_back(call);
    };
    for (const Call& output : outputCalls(model, scopeGraph, scope))
        walk(output, walk);

    // map_graph: from the outputs back, a call's depth is the largest of its consumers' plus one,
    // raised to its layer's depth so far (a shared layer's calls take its deepest).
    std::map<Call, int> callDepth;
    std::map<std::size_t, int> layerDepth;
    for (auto it = finishedOrder.rbegin(); it != finishedOrder.rend(); ++it) {
        int depth = callDepth.emplace(*it, 0).first->second;
        const std::optional<std::size_t> layer = scopeGraph.layerOf(*it);
        if (layer) {
            depth = std::max(depth, layerDepth[*layer]);
            layerDepth[*layer] = depth;
        }
        callDepth[*it] = depth;
        for (const Call& parent : scopeGraph.producers(*it))
            if (finished.contains(parent))
                callDepth[parent] = std::max(callDepth[parent], depth + 1);
    }

    // Deepest first, then in the walk's order; an unused input at depth 0 before the others there
    // (index -1); what the walk never met last, in the config's order.
    struct Key {
        int depth;
        int index;
    };
    std::vector<Key> keys(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (layerDepth.contains(i) && firstMet.contains(i))
            keys[i] = {layerDepth.at(i), firstMet.at(i)};
        else if (layers[i].layer.className == "InputLayer")
            keys[i] = {0, -1};
        else
            keys[i] = {INT_MIN, INT_MAX};
    }
    std::vector<std::size_t> order(layers.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return keys[a].depth != keys[b].depth ? keys[a].depth > keys[b].depth : keys[a].index < keys[b].index;
    });
    std::vector<PlacedKerasLayer> sorted;
    for (std::size_t i : order)
        sorted.push_back(std::move(layers[i]));
    layers = std::move(sorted);
    for (PlacedKerasLayer& layer : layers)
        if (layer.group.isValid())
            orderAsKerasBuildsIt(layer.inner, model, model.graph().group(layer.group));
}

} // namespace sf
