#include "ShapeInference.h"

#include "ArgumentValidator.h"
#include "DiagnosticCodes.h"
#include "GroupChecks.h"
#include "ModelChecks.h"
#include "RuleContext.h"
#include "graph/LayerCatalogue.h"
#include "graph/OpaqueLayer.h"

#include <algorithm>
#include <numeric>

namespace sf {

namespace {

Diagnostic unconnectedInput(const Node& node, const LayerSpec& spec, int port)
{
    Diagnostic d;
    d.code = code::kUnconnectedInput;
    d.node = node.id;
    d.port = port;
    const std::string portName = port < static_cast<int>(spec.inputPorts.size())
                                     ? " (`" + spec.inputPorts[static_cast<std::size_t>(port)] + "`)"
                                     : "";
    d.message = "Input " + std::to_string(port) + portName + " of layer \"" + node.name + "\" is not connected.";
    d.hint = "Drag a connection from a layer's output to this port.";
    return d;
}

/// The layers an opaque node feeds, quoted and joined (`"dense", "add"`); the first is `first`.
std::string fedLayers(const Graph& graph, const Topology& t, int index, NodeId& first)
{
    std::string fed;
    for (int consumer : t.consumers[static_cast<std::size_t>(index)]) {
        const Node& c = *graph.node(t.ids[static_cast<std::size_t>(consumer)]);
        if (!first.isValid())
            first = c.id;
        if (fed.find("\"" + c.name + "\"") == std::string::npos)
            fed += (fed.empty() ? "\"" : ", \"") + c.name + "\"";
    }
    return fed;
}

/// An opaque node with no output shape: its output, and so everything after it, is unknown. The
/// message names the layers it feeds, whose own checks stay silent, and the first of them is
/// `related`, so that it is shown there too (a Concatenate short of a branch says why).
Diagnostic opaqueShapeNeeded(const Graph& graph, const Topology& t, int index)
{
    const Node& node = *graph.node(t.ids[static_cast<std::size_t>(index)]);
    Diagnostic d;
    d.code = code::kOpaqueShapeNeeded;
    d.node = node.id;
    const std::string fed = fedLayers(graph, t, index, d.related);
    d.message = "Layer \"" + node.name + "\" has class '" + node.type +
                "', which Shapeflow does not know (an opaque layer), and the file does not store its output "
                "shape, so its output shape is unknown" +
                (fed.empty() ? std::string(".")
                             : ", and so is everything after it: " + fed +
                                   " and the layers they feed have no shape or parameter count.");
    d.hint = "Type the shape of its output, batch axis first, e.g. (None, 10), in the Inspector's \"Output "
             "shape\" field of \"" +
             node.name + "\". Its Keras config is kept and written back on export.";
    return d;
}

/// An opaque node whose output shape is known: an info saying where the shape comes from and that
/// Shapeflow checks neither the layer nor its weights.
Diagnostic opaqueUnchecked(const Node& node, const Shape& output, bool fromInput)
{
    Diagnostic d;
    d.severity = Severity::Info;
    d.code = code::kUnsupportedLayer;
    d.node = node.id;
    d.message = "Layer \"" + node.name + "\" has class '" + node.type +
                "', which Shapeflow does not know (an opaque layer): it is not checked, its weights are not "
                "counted, and its output shape " +
                output.toKeras() +
                (fromInput ? " is its input's, as Keras's " + node.type + " keeps the shape."
                           : " is taken as stated (from the file, or typed in the Inspector).");
    d.hint = "Its Keras config is kept and written back on export; training and prediction need a layer Shapeflow "
             "runs in its place.";
    return d;
}

Shape shapeOf(const StatedShape& stated, NodeId node)
{
    std::vector<Dim> dims;
    for (std::size_t axis = 0; axis < stated.size(); ++axis)
        dims.push_back(stated[axis] ? Dim::known(*stated[axis]) : axis == 0 ? Dim::batch() : Dim::unknown(node));
    return Shape(std::move(dims));
}

} // namespace

const ShapeReport& ShapeInference::run(const Graph& graph)
{
    m_report = ShapeReport{};
    m_report.m_topology = Topology::of(graph);
    const Topology& t = m_report.m_topology;
    const std::size_t n = t.ids.size();
    m_report.m_nodes.assign(n, NodeReport{});
    m_watches.clear();

    const ModelEnds ends = findModelEnds(graph, t);
    m_report.m_inputs = ends.inputs;
    m_report.m_outputs = ends.outputs;
    m_report.m_modelDiagnostics = checkModel(graph, t, ends);

    m_position.assign(n, -1);
    for (std::size_t pos = 0; pos < t.order.size(); ++pos)
        m_position[static_cast<std::size_t>(t.order[pos])] = static_cast<int>(pos);
    m_names.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        m_names[i] = graph.node(t.ids[i])->name;

    for (int i : t.order)
        inferNode(graph, i);
    for (std::size_t i = 0; i < n; ++i)
        if (m_position[i] < 0)
            inferNode(graph, static_cast<int>(i)); // in or after a cycle: arguments are still checked

    if (!graph.groups().empty()) {
        const std::vector<Diagnostic> groups = checkGroups(graph, m_report);
        m_report.m_modelDiagnostics.insert(m_report.m_modelDiagnostics.end(), groups.begin(), groups.end());
    }
    return m_report; // totals were summed by inferNode
}

const ShapeReport& ShapeInference::update(const Graph& graph, NodeId changed)
{
    const Topology& t = m_report.m_topology;
    auto found = t.indexOf.find(changed);
    // A nested model's checks read shapes anywhere in it: a model with groups is checked whole.
    if (found == t.indexOf.end() || graph.nodes().size() != t.ids.size() || !graph.groups().empty())
        return run(graph);
    const int index = found->second;

    // Messages anywhere may name the renamed layer: a rename is rare, so it re-runs everything.
    if (graph.node(changed)->name != m_names[static_cast<std::size_t>(index)])
        return run(graph);

    m_needs.assign(t.ids.size(), 0);
    m_needs[static_cast<std::size_t>(index)] = 1;
    const int start = m_position[static_cast<std::size_t>(index)];
    if (start < 0) {
        inferNode(graph, index);
        return m_report;
    }
    for (std::size_t pos = static_cast<std::size_t>(start); pos < t.order.size(); ++pos) {
        const int i = t.order[pos];
        if (!m_needs[static_cast<std::size_t>(i)])
            continue;
        const bool changedOutput = inferNode(graph, i);
        if (changedOutput)
            for (int consumer : t.consumers[static_cast<std::size_t>(i)])
                m_needs[static_cast<std::size_t>(consumer)] = 1;
        for (const auto& [watched, watcher] : m_watches)
            if (watched == i)
                m_needs[static_cast<std::size_t>(watcher)] = 1;
    }
    return m_report;
}

bool ShapeInference::inferNode(const Graph& graph, int index)
{
    const Topology& t = m_report.m_topology;
    const auto i = static_cast<std::size_t>(index);
    NodeReport& r = m_report.m_nodes[i];
    const std::optional<TensorInfo> oldOutput = std::move(r.output);
    const std::vector<TensorInfo> oldMoreOutputs = std::move(r.moreOutputs);
    const std::int64_t oldParams = r.params;
    r.output.reset();
    r.moreOutputs.clear();
    r.params = 0;
    r.nonTrainableParams = 0;
    r.diagnostics.clear();
    std::erase_if(m_watches, [index](const auto& w) { return w.second == index; });

    auto finish = [&]() {
        m_report.m_totalParams += r.params - oldParams;
        return r.output != oldOutput || r.moreOutputs != oldMoreOutputs || r.params != oldParams;
    };

    const Node& node = *graph.node(t.ids[i]);
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    if (!type) {
        inferOpaque(graph, index);
        return finish();
    }
    const LayerSpec* spec = &type->spec();
    if (!validateArguments(node, *spec, r.diagnostics) || t.afterCycle[i] || isIsolated(graph, t, index))
        return finish();

    std::vector<RuleInput> inputs;
    inputs.reserve(t.inputs[i].size());
    bool complete = true;
    for (const Topology::InputSlot& slot : t.inputs[i]) {
        if (slot.producer < 0) {
            r.diagnostics.push_back(unconnectedInput(node, *spec, slot.port));
            complete = false;
            continue;
        }
        const PortRef source{t.ids[static_cast<std::size_t>(slot.producer)], slot.output};
        const TensorInfo* upstream = m_report.tensorAt(source);
        if (!upstream) {
            complete = false; // an error upstream is reported there, not again here
            continue;
        }
        inputs.push_back({upstream, slot.port, source});
    }
    if (!complete)
        return finish();

    std::vector<NodeId> watched;
    RuleContext ctx{graph, m_report, node, *spec, std::move(inputs), r.diagnostics, watched};
    RuleResult result = type->inferShape(ctx);
    for (NodeId w : watched)
        m_watches.emplace_back(t.indexOf.at(w), index);
    r.output = std::move(result.output);
    if (r.output)
        r.moreOutputs = std::move(result.moreOutputs);
    r.params = node.sharesWeightsWith.isValid() ? 0 : result.params;
    if (r.output && r.params > 0) {
        std::vector<Shape> inputShapes;
        for (const RuleInput& in : ctx.inputs)
            inputShapes.push_back(in.tensor->shape);
        for (const WeightSpec& w : type->weights(node, inputShapes))
            if (!w.trainable)
                r.nonTrainableParams +=
                    std::accumulate(w.shape.begin(), w.shape.end(), std::int64_t{1}, std::multiplies<>());
    }
    return finish();
}

void ShapeInference::inferOpaque(const Graph& graph, int index)
{
    const Topology& t = m_report.m_topology;
    NodeReport& r = m_report.m_nodes[static_cast<std::size_t>(index)];
    const Node& node = *graph.node(t.ids[static_cast<std::size_t>(index)]);
    switch (opaqueShapeSource(node)) {
    case OpaqueShapeSource::Stated:
        // A stated shape that is not valid (a hand-edited file) counts as missing.
        if (std::none_of(node.outputShapes.begin(), node.outputShapes.end(),
                         [](const StatedShape& s) { return statedShapeProblem(s).has_value(); })) {
            r.output = TensorInfo{shapeOf(node.outputShapes[0], node.id), DType::Float32, {}};
            for (std::size_t i = 1; i < node.outputShapes.size(); ++i)
                r.moreOutputs.push_back(TensorInfo{shapeOf(node.outputShapes[i], node.id), DType::Float32, {}});
            r.diagnostics.push_back(opaqueUnchecked(node, r.output->shape, false));
            return;
        }
        break;
    case OpaqueShapeSource::KeepsInput: {
        const auto& slots = t.inputs[static_cast<std::size_t>(index)];
        if (!slots.empty() && slots[0].producer >= 0) {
            const TensorInfo* in =
                m_report.tensorAt({t.ids[static_cast<std::size_t>(slots[0].producer)], slots[0].output});
            if (!in)
                return; // an error upstream is reported there, not again here
            r.output = TensorInfo{in->shape, in->dtype, {}};
            r.diagnostics.push_back(opaqueUnchecked(node, r.output->shape, true));
            return;
        }
        break;
    }
    case OpaqueShapeSource::Missing:
        break;
    }
    r.diagnostics.push_back(opaqueShapeNeeded(graph, t, index));
}

ShapeReport inferShapes(const Graph& graph)
{
    ShapeInference inference;
    return inference.run(graph);
}

} // namespace sf
