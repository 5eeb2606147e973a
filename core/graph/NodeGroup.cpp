#include "NodeGroup.h"

#include "Graph.h"

#include <set>

namespace sf {

std::vector<BorderCrossing> borderCrossings(const Graph& graph)
{
    std::vector<BorderCrossing> out;
    std::set<NodeId> feeding;
    std::set<NodeId> fed;
    for (const Connection& c : graph.connections()) {
        feeding.insert(c.from.node);
        fed.insert(c.to.node);
    }
    for (const auto& [id, group] : graph.groups()) {
        const auto inside = [&](NodeId node) { return graph.inGroup(node, id); };
        std::map<PortRef, std::size_t> inputOf; // member port -> the group input feeding it
        for (std::size_t i = 0; i < group.inputs.size(); ++i)
            for (const PortRef& port : group.inputs[i].feeds)
                inputOf.emplace(port, i);
        const std::set<PortRef> outputs(group.outputs.begin(), group.outputs.end());
        std::map<std::size_t, PortRef> producerOfInput; // the tensor each input is fed
        for (const Connection& c : graph.connections()) {
            const bool from = inside(c.from.node);
            const bool to = inside(c.to.node);
            const auto fed = inputOf.find(c.to);
            if (fed != inputOf.end()) {
                const auto [known, first] = producerOfInput.emplace(fed->second, c.from);
                if (from || (!first && known->second != c.from))
                    out.push_back({id, c, BorderCrossing::Kind::IntoInput});
            } else if (to && !from) {
                out.push_back({id, c, BorderCrossing::Kind::Into});
            }
            if (from && !to && !outputs.contains(c.from))
                out.push_back({id, c, BorderCrossing::Kind::OutOf});
        }
        // A member that feeds nothing but is fed is an output of the whole model (ModelChecks'
        // findModelEnds), which a nested Keras model can only give through its own outputs.
        std::set<NodeId> groupOutputs;
        for (const PortRef& port : group.outputs)
            groupOutputs.insert(port.node);
        for (const auto& [node, n] : graph.nodes())
            if (inside(node) && !feeding.contains(node) && fed.contains(node) && !groupOutputs.contains(node))
                out.push_back({id, Connection{{node, 0}, {}}, BorderCrossing::Kind::ModelOutput});
    }
    return out;
}

std::string borderCrossingMessage(const Graph& graph, const BorderCrossing& crossing)
{
    const NodeGroup* group = graph.group(crossing.group);
    const std::string model = "\"" + (group ? group->name : std::string("?")) + "\"";
    const auto name = [&](NodeId id) {
        const Node* node = graph.node(id);
        return "\"" + (node ? node->name : idText(id)) + "\"";
    };
    const Connection& c = crossing.connection;
    switch (crossing.kind) {
    case BorderCrossing::Kind::Into:
        return "Layer " + name(c.to.node) + " of the nested model " + model + " is fed by " + name(c.from.node) +
               ", outside it, other than through one of " + model + "'s inputs; the model cannot be written with " +
               model + " nested.";
    case BorderCrossing::Kind::OutOf:
        return "Layer " + name(c.from.node) + " of the nested model " + model + " feeds " + name(c.to.node) +
               ", outside it, other than through one of " + model + "'s outputs; the model cannot be written with " +
               model + " nested.";
    case BorderCrossing::Kind::ModelOutput:
        return "Layer " + name(c.from.node) + " of the nested model " + model +
               " feeds nothing, so it is an output of the whole model, but it is not one of " + model +
               "'s outputs; the model cannot be written with " + model + " nested.";
    case BorderCrossing::Kind::IntoInput:
        break;
    }
    return "Layer " + name(c.to.node) + " takes one of the nested model " + model + "'s inputs, and is fed by " +
           name(c.from.node) + ", which is not what that input is fed; the model cannot be written with " + model +
           " nested.";
}

} // namespace sf
