#include "Wrapper.h"

#include "graph/LayerCatalogue.h"
#include "io/KerasExport.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>

namespace sf::wrapper {

using nlohmann::json;

Node innerNode(const Node& wrapper, const NestedLayer& layer)
{
    return asNode(layer, wrapper.id);
}

const LayerType& typeOf(const NestedLayer& layer)
{
    return *LayerCatalogue::instance().type(layer.className);
}

RuleResult inferInner(RuleContext& ctx, const std::string& argument, const NestedLayer& layer, const TensorInfo& input)
{
    const Node node = innerNode(ctx.node, layer);
    const LayerType& type = typeOf(layer);
    std::vector<Diagnostic> found;
    RuleContext inner{ctx.graph, ctx.report, node, type.spec(), {RuleInput{&input, 0, ctx.inputs[0].source}},
                      found,     ctx.watched};
    RuleResult result = type.inferShape(inner);
    for (Diagnostic& d : found) {
        std::vector<QuickFix> fixes;
        for (QuickFix& fix : d.fixes) {
            if (auto* set = std::get_if<SetArgument>(&fix.action); set && set->node == ctx.node.id) {
                fix.action = SetArgument{ctx.node.id, argument, withArgument(layer, set->name, set->value)};
                fix.title += " in `" + argument + "`";
            } else if (std::holds_alternative<ReplaceLayer>(fix.action) ||
                       std::holds_alternative<RenameLayer>(fix.action)) {
                continue;
            }
            fixes.push_back(std::move(fix));
        }
        d.fixes = std::move(fixes);
        ctx.diagnostics.push_back(std::move(d));
    }
    return result;
}

std::vector<WeightSpec> innerWeights(const Node& wrapper, const NestedLayer& layer, const std::string& prefix,
                                     const std::vector<Shape>& inputs)
{
    std::vector<WeightSpec> weights = typeOf(layer).weights(innerNode(wrapper, layer), inputs);
    for (WeightSpec& w : weights)
        w.name = prefix + "/" + w.name;
    return weights;
}

std::optional<NestedLayer> readKerasLayer(const json& entry, const ParamSpec& spec, KerasLayerReading& reading,
                                          const std::vector<std::string>& derived)
{
    KerasLayerReading nested = reading.nested(spec.name);
    const json* cls = givenField(entry, "class_name");
    const std::string className = cls && cls->is_string() ? cls->get<std::string>() : std::string();
    const bool allowed =
        std::find(spec.layerClasses.begin(), spec.layerClasses.end(), className) != spec.layerClasses.end();
    if (!entry.is_object() || !allowed) {
        std::string classes;
        for (const std::string& c : spec.layerClasses)
            classes += (classes.empty() ? "" : ", ") + c;
        reading.problem(code::kUnsupportedArgument, spec.name,
                        "Layer " + reading.quoted() + ": `" + spec.name + "` is " +
                            (className.empty() ? briefJson(entry) : "a " + className) +
                            "; Shapeflow runs it with one of " + classes + ". The layer is invalid until it is set.");
        return std::nullopt;
    }
    const LayerType& type = *LayerCatalogue::instance().type(className);
    static const json kEmpty = json::object();
    const json* given = givenField(entry, "config");
    json config = given && given->is_object() ? *given : kEmpty;
    for (const std::string& field : derived)
        config.erase(field);
    const json* name = givenField(config, "name");
    const std::string layerName = name && name->is_string() ? name->get<std::string>() : type.spec().defaultName;
    ParamMap params = type.spec().defaults();
    const ParamMap read = type.readKerasArguments(config, nested);
    for (const auto& [key, value] : read.values())
        params.set(key, value);
    // Kept: what the file says that the export would not write again. Fields equal to what either
    // flavour's export writes for these arguments (Keras's defaults, dtype, trainable, Keras 3's
    // module) are not: they follow the flavour written.
    json kept = unmodelledFields(entry, config, &type);
    const Node node = asNode(NestedLayer(type.spec().className, layerName, params));
    if (kept.contains("config")) {
        json& keptConfig = kept["config"];
        for (const KerasFlavour flavour : {KerasFlavour::Keras2, KerasFlavour::Keras3}) {
            const json written = type.kerasConfig(node, flavour);
            for (auto field = keptConfig.begin(); field != keptConfig.end();)
                field = written.contains(field.key()) && written.at(field.key()) == field.value()
                            ? keptConfig.erase(field)
                            : std::next(field);
        }
        if (keptConfig.empty())
            kept.erase("config");
    }
    if (kept.contains("module") && kept["module"] == type.keras().module)
        kept.erase("module");
    if (kept.contains("registered_name") &&
        kept["registered_name"] ==
            (type.keras().registeredName.empty() ? json(nullptr) : json(type.keras().registeredName)))
        kept.erase("registered_name");
    return NestedLayer(type.spec().className, layerName, std::move(params), kept.empty() ? std::string() : kept.dump());
}

json kerasLayer(const NestedLayer& layer, KerasFlavour flavour)
{
    return kerasLayerEntry(asNode(layer), flavour);
}

} // namespace sf::wrapper
