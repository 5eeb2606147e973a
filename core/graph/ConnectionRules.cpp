#include "ConnectionRules.h"

#include "LayerCatalogue.h"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace sf {

namespace {

/// Whether `target` is `from` or is fed by it, directly or through others.
bool reaches(const Graph& graph, NodeId from, NodeId target)
{
    // The consumers are listed once, so that the search is linear in the graph's size.
    std::unordered_map<NodeId, std::vector<NodeId>> consumers;
    for (const Connection& c : graph.connections())
        consumers[c.from.node].push_back(c.to.node);
    std::deque<NodeId> queue{from};
    std::unordered_set<NodeId> seen{from};
    while (!queue.empty()) {
        const NodeId n = queue.front();
        queue.pop_front();
        if (n == target)
            return true;
        for (NodeId next : consumers[n])
            if (seen.insert(next).second)
                queue.push_back(next);
    }
    return false;
}

} // namespace

bool hasInputPort(std::string_view type, int port)
{
    const LayerSpec* spec = LayerCatalogue::instance().find(type);
    return port >= 0 && (!spec || spec->variadicInputs || port < static_cast<int>(spec->inputPorts.size()));
}

bool hasOutputPort(const Node& producer, int port)
{
    const bool known = LayerCatalogue::instance().type(producer.type) != nullptr;
    return port >= 0 && (!known || port < outputCount(producer));
}

int outputCount(const Node& producer)
{
    const LayerType* type = LayerCatalogue::instance().type(producer.type);
    if (type)
        return static_cast<int>(type->outputNames(producer).size());
    return std::max(1, static_cast<int>(producer.outputShapes.size())); // an opaque node: as its shapes say
}

std::optional<ConnectionRefusal> wiringRefusal(const Graph& graph, const Connection& c)
{
    const Node* source = graph.node(c.from.node);
    const Node* target = graph.node(c.to.node);
    if (!source || !target)
        return ConnectionRefusal::MissingLayer;
    if (!hasOutputPort(*source, c.from.port) || !hasInputPort(target->type, c.to.port))
        return ConnectionRefusal::NoSuchPort;
    if (graph.connectionInto(c.to))
        return ConnectionRefusal::AlreadyFed;
    return std::nullopt;
}

std::optional<ConnectionRefusal> connectionRefusal(const Graph& graph, const Connection& c)
{
    if (c.from.node == c.to.node && graph.node(c.to.node))
        return ConnectionRefusal::FeedsItself;
    if (const auto refusal = wiringRefusal(graph, c))
        return refusal;
    if (reaches(graph, c.to.node, c.from.node))
        return ConnectionRefusal::MakesCycle;
    return std::nullopt;
}

bool canInsertIntoEdge(const Graph& graph, const Connection& c, std::string_view type)
{
    const LayerSpec* spec = LayerCatalogue::instance().find(type);
    return spec && !spec->isInput() && spec->minInputs <= 1 && !spec->variadicInputs && graph.connections().contains(c);
}

} // namespace sf
