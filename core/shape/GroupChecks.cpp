#include "GroupChecks.h"

#include "DiagnosticCodes.h"
#include "graph/OpaqueLayer.h"

#include <set>

namespace sf {

namespace {

/// The shape a group's input declares, as Keras 3's Functional checks a call against it: its batch
/// axis None whatever the InputLayer's batch size (functional.py input_spec,
/// shape_with_no_batch_size); nullopt when it declares none.
std::optional<StatedShape> declaredShape(const GroupInput& input)
{
    const ParamValue* shape = input.layer.params.find("shape");
    const auto* dims = shape ? std::get_if<DimList>(shape) : nullptr;
    if (!dims)
        return std::nullopt;
    StatedShape out{std::nullopt};
    out.insert(out.end(), dims->begin(), dims->end());
    return out;
}

StatedShape statedOf(const Shape& shape)
{
    StatedShape out;
    for (const Dim& d : shape.dims())
        out.push_back(d.isKnown() ? std::optional<std::int64_t>(d.size()) : std::nullopt);
    return out;
}

/// Whether Keras takes `found` for `declared`: the same rank (or one more or fewer trailing axis of
/// size 1, which Keras 3's Functional squeezes or adds, functional.py _adjust_input_rank) and
/// every axis both know the same size.
bool compatible(StatedShape declared, StatedShape found)
{
    if (found.size() == declared.size() + 1 && found.back() == 1)
        found.pop_back();
    else if (found.size() + 1 == declared.size() && declared.back() == 1)
        declared.pop_back();
    if (found.size() != declared.size())
        return false;
    for (std::size_t a = 0; a < found.size(); ++a)
        if (found[a] && declared[a] && *found[a] != *declared[a])
            return false;
    return true;
}

} // namespace

std::vector<Diagnostic> checkGroups(const Graph& graph, const ShapeReport& report)
{
    std::vector<Diagnostic> out;
    std::set<GroupId> said; // one border diagnostic per group and layer
    std::set<std::pair<GroupId, NodeId>> named;
    for (const BorderCrossing& crossing : borderCrossings(graph)) {
        const bool fromMember =
            crossing.kind == BorderCrossing::Kind::OutOf || crossing.kind == BorderCrossing::Kind::ModelOutput;
        const NodeId layer = fromMember ? crossing.connection.from.node : crossing.connection.to.node;
        if (!named.emplace(crossing.group, layer).second)
            continue;
        const NodeGroup& group = *graph.group(crossing.group);
        Diagnostic d;
        d.code = code::kNestedBorderCrossed;
        d.node = layer;
        d.related = fromMember ? crossing.connection.to.node : crossing.connection.from.node;
        if (!fromMember)
            d.port = crossing.connection.to.port;
        d.message = borderCrossingMessage(graph, crossing);
        d.hint = "Connect it through the nested model's inputs and outputs, or ungroup \"" + group.name +
                 "\": its layers stay, and are written as layers of the model around it.";
        d.fixes.push_back({"Ungroup \"" + group.name + "\"", UngroupLayers{crossing.group}});
        out.push_back(std::move(d));
    }
    for (const auto& [id, group] : graph.groups())
        for (std::size_t i = 0; i < group.inputs.size(); ++i) {
            const GroupInput& input = group.inputs[i];
            const std::optional<StatedShape> declared = declaredShape(input);
            if (!declared || input.feeds.empty())
                continue;
            const auto fed = graph.connectionInto(input.feeds.front());
            const TensorInfo* tensor = fed ? report.tensorAt(fed->from) : nullptr;
            if (!tensor)
                continue;
            const StatedShape found = statedOf(tensor->shape);
            if (compatible(*declared, found))
                continue;
            Diagnostic d;
            d.code = code::kNestedInputIncompatible;
            d.node = input.feeds.front().node;
            d.port = input.feeds.front().port;
            d.related = fed->from.node;
            const std::string model = "'" + group.name + "'";
            // Keras 3's words: input_spec.py assert_input_compatibility for the same rank, and
            // functional.py _adjust_input_rank for another.
            d.message = found.size() == declared->size()
                            ? "Input " + std::to_string(i) + " with name '" + input.layer.name + "' of layer " + model +
                                  " is incompatible with the layer: expected shape=" + formatStatedShape(*declared) +
                                  ", found shape=" + formatStatedShape(found)
                            : "Invalid input shape for input with name '" + input.layer.name + "' of the model " +
                                  model + ". Expected shape " + formatStatedShape(*declared) +
                                  ", but input has incompatible shape " + formatStatedShape(found);
            d.hint = "Feed \"" + group.name + "\" a tensor of the shape its input \"" + input.layer.name +
                     "\" declares, or change that input's shape.";
            out.push_back(std::move(d));
        }
    return out;
}

} // namespace sf
