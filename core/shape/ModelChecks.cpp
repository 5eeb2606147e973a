#include "ModelChecks.h"

#include "DiagnosticCodes.h"
#include "graph/LayerCatalogue.h"
#include "graph/LayerName.h"

#include <unordered_map>

namespace sf {

namespace {

const Node& nodeAt(const Graph& graph, const Topology& t, int index)
{
    return *graph.node(t.ids[static_cast<std::size_t>(index)]);
}

void checkDuplicateNames(const Graph& graph, std::vector<Diagnostic>& out)
{
    std::unordered_map<std::string_view, NodeId> first;
    first.reserve(graph.nodes().size());
    for (const auto& [id, node] : graph.nodes()) {
        auto [it, inserted] = first.emplace(node.name, id);
        if (inserted)
            continue;
        Diagnostic d;
        d.code = code::kDuplicateName;
        d.node = id;
        d.related = it->second;
        d.message =
            "The name \"" + node.name + "\" is used by 2 layers within the model. All layer names should be unique.";
        d.hint = "Rename one of them.";
        const std::string free = graph.uniqueName(node.name);
        d.fixes.push_back({"Rename to \"" + free + "\"", RenameLayer{id, free}});
        out.push_back(std::move(d));
    }
}

void checkNames(const Graph& graph, std::vector<Diagnostic>& out)
{
    for (const auto& [id, node] : graph.nodes())
        if (const auto problem = layerNameProblem(node.name)) {
            Diagnostic d;
            d.code = code::kInvalidName;
            d.node = id;
            d.message = *problem;
            // An empty name names nothing; a '/' is refused by Keras 3 only (tf.keras 2 builds it).
            d.severity = node.name.empty() ? Severity::Error : Severity::Warning;
            d.hint = node.name.empty() ? "Every layer needs a name."
                                       : "Keras 3 refuses this name (tf.keras 2 accepts it): exported for Keras 3, the "
                                         "model would not load.";
            const std::string fixed = graph.uniqueName(acceptableLayerName(node.name));
            d.fixes.push_back({"Rename to \"" + fixed + "\"", RenameLayer{id, fixed}});
            out.push_back(std::move(d));
        }
}

void checkCycles(const Graph& graph, const Topology& t, std::vector<Diagnostic>& out)
{
    for (const std::vector<int>& component : t.cycles) {
        std::string names;
        for (int i : component)
            names += (names.empty() ? "\"" : ", \"") + nodeAt(graph, t, i).name + "\"";
        Diagnostic d;
        d.code = code::kCycle;
        d.node = t.ids[static_cast<std::size_t>(component.front())];
        if (component.size() > 1)
            d.related = t.ids[static_cast<std::size_t>(component[1])];
        d.message = "Layers " + names +
                    " form a cycle. A Keras model is a directed acyclic graph: no layer may feed itself, directly or "
                    "through others.";
        d.hint = "Remove one of the connections in the cycle.";
        // Remove the connection that closes the loop: the one into the component's oldest node.
        const NodeId oldest = d.node;
        for (const Connection& c : graph.connectionsOf(oldest)) { // sorted, as connections() is
            const int from = t.indexOf.at(c.from.node);
            if (c.to.node == oldest && std::find(component.begin(), component.end(), from) != component.end()) {
                d.fixes.push_back({"Remove the connection " + graph.node(c.from.node)->name + " \u2192 " +
                                       graph.node(c.to.node)->name,
                                   RemoveConnection{c}});
                break;
            }
        }
        out.push_back(std::move(d));
    }
}

} // namespace

bool isIsolated(const Graph& graph, const Topology& t, int index)
{
    const Node& node = nodeAt(graph, t, index);
    if (isInputLayer(node) || !t.consumers[static_cast<std::size_t>(index)].empty())
        return false;
    for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)])
        if (slot.producer >= 0)
            return false;
    return true;
}

ModelEnds findModelEnds(const Graph& graph, const Topology& t)
{
    ModelEnds ends;
    for (std::size_t i = 0; i < t.ids.size(); ++i) {
        const Node& node = nodeAt(graph, t, static_cast<int>(i));
        const bool feeds = !t.consumers[i].empty();
        if (isInputLayer(node)) {
            if (feeds)
                ends.inputs.push_back(node.id);
        } else if (!feeds && !isIsolated(graph, t, static_cast<int>(i))) {
            ends.outputs.push_back(node.id);
        }
    }
    return ends;
}

std::vector<Diagnostic> checkModel(const Graph& graph, const Topology& t, const ModelEnds& ends)
{
    std::vector<Diagnostic> out;
    checkNames(graph, out);
    checkDuplicateNames(graph, out);
    checkCycles(graph, t, out);

    for (std::size_t i = 0; i < t.ids.size(); ++i) {
        const Node& node = nodeAt(graph, t, static_cast<int>(i));
        const bool unusedInput = isInputLayer(node) && t.consumers[i].empty();
        const bool isolated = isIsolated(graph, t, static_cast<int>(i));
        if (!unusedInput && !isolated)
            continue;
        Diagnostic d;
        d.severity = Severity::Warning;
        d.code = code::kUnusedNode;
        d.node = node.id;
        d.message = unusedInput ? "Input \"" + node.name + "\" feeds no layer; the model will not use it."
                                : "Layer \"" + node.name + "\" (" + node.type +
                                      ") is not connected to anything; it is left out of the model.";
        d.hint = "Connect it, or delete it.";
        out.push_back(std::move(d));
    }
    if (!t.ids.empty() && ends.outputs.empty()) {
        Diagnostic d;
        d.code = code::kNoOutput;
        d.message =
            "The model has no output: no connected layer other than an Input ends it, so there is no tensor to return.";
        d.hint = "Add a layer after an Input; a layer whose output feeds nothing becomes a model output.";
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace sf
