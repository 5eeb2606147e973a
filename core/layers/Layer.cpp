#include "Layer.h"

#include "ActivationArgument.h"
#include "RuleHelpers.h"
#include "io/KerasLayerReading.h"
#include "io/ParamJson.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <cstdio>

namespace sf {

using nlohmann::json;

namespace {

/// Whether None is one of the argument's values (ReLU's max_value, a pooling's strides).
bool takesNone(const ParamSpec& p)
{
    switch (p.kind) {
    case ParamKind::OptionalInteger:
    case ParamKind::OptionalReal:
    case ParamKind::OptionalChoice:
        return true;
    case ParamKind::IntTuple:
    case ParamKind::Axes:
    case ParamKind::Layer:
        return std::holds_alternative<std::monostate>(p.defaultValue);
    case ParamKind::Integer:
    case ParamKind::Real:
    case ParamKind::Boolean:
    case ParamKind::Choice:
    case ParamKind::Shape:
    case ParamKind::TargetShape:
        return false;
    }
    return false;
}

} // namespace

RuleResult Layer::inferShape(RuleContext& ctx) const
{
    RuleResult result = outputShape(ctx);
    if (!result.output)
        return result;
    const NodeId inputMask = ctx.inputs.empty() ? NodeId{} : ctx.in().maskFrom;
    switch (maskRule(ctx.node)) {
    case MaskRule::Passes:
        result.output->maskFrom = inputMask;
        break;
    case MaskRule::Makes:
        result.output->maskFrom = ctx.node.id;
        break;
    case MaskRule::Drops:
        if (inputMask.isValid())
            rules::warnMaskDropped(ctx, ctx.in());
        result.output->maskFrom = {};
        break;
    case MaskRule::Consumes:
        result.output->maskFrom = {};
        break;
    case MaskRule::Custom:
        break;
    }
    return result;
}

ParamMap Layer::readKerasArguments(json& config, KerasLayerReading& reading) const
{
    if (const json* format = givenField(config, "data_format");
        m_keras.channelsLastOnly && format && format->is_string() && *format == "channels_first")
        reading.problem(code::kUnsupportedArgument, "data_format",
                        "Layer " + reading.quoted() +
                            " uses data_format='channels_first'; Shapeflow pools channels_last "
                            "(steps on axis 1).");
    ParamMap params;
    for (const ParamSpec& p : m_spec.params) {
        if (isCallArgument(p.name))
            continue; // read from the call (KerasExtras::modelledCallArguments)
        const json* value = givenField(config, p.name.c_str());
        if (!value && isActivationParam(p) && config.is_object() && config.contains(p.name)) {
            params.set(p.name, std::string("linear")); // activations.get(None) is linear, also for Activation
            continue;
        }
        if (!value) {
            if (p.required) // inference reports `missing-argument` at the layer
                params.set(p.name, std::monostate{});
            continue; // Keras leaves defaults out at times; ours are Keras's
        }
        if (isActivationParam(p)) {
            if (auto a = activationFromKeras(*value)) {
                params.set(p.name, *a);
            } else {
                params.set(p.name, std::monostate{}); // refused, never another activation
                reading.problem(code::kUnsupportedArgument, p.name,
                                "Layer " + reading.quoted() + " uses " + p.name + " " + briefJson(*value) +
                                    ", which Shapeflow does not support; the layer is invalid until it is set.");
            }
            continue;
        }
        if (p.pairs) { // Keras's ((top, bottom), (left, right)) and its short forms
            if (auto ends = pairsFromKeras(*value)) {
                params.set(p.name, *ends);
            } else {
                params.set(p.name, std::monostate{});
                reading.problem(code::kUnsupportedArgument, p.name,
                                "Layer " + reading.quoted() + ": `" + p.name + "` should be " +
                                    describeExpectedJson(p) + ", got " + briefJson(*value) +
                                    "; the layer is invalid until it is set.");
            }
            continue;
        }
        if (auto parsed = paramFromJson(*value, p)) {
            params.set(p.name, *parsed);
        } else {
            // Invalid at the layer, never a made-up value: None, or where None is a value the
            // argument takes (ReLU's max_value), the file's text, which it does not take.
            params.set(p.name, takesNone(p) ? ParamValue(briefJson(*value)) : ParamValue(std::monostate{}));
            reading.problem(code::kUnsupportedArgument, p.name,
                            "Layer " + reading.quoted() + ": `" + p.name + "` should be " + describeExpectedJson(p) +
                                ", got " + briefJson(*value) + "; the layer is invalid until it is set.");
        }
    }
    return params;
}

bool Layer::modelsKerasField(const std::string& key) const
{
    const auto& derived = m_keras.derivedFields;
    return key == "name" || (m_spec.param(key) && !isCallArgument(key)) ||
           std::find(derived.begin(), derived.end(), key) != derived.end();
}

bool Layer::isCallArgument(const std::string& name) const
{
    const auto& called = m_keras.modelledCallArguments;
    return std::find(called.begin(), called.end(), name) != called.end();
}

json Layer::kerasConfig(const Node& node, KerasFlavour flavour) const
{
    json config = m_keras.defaultFields;
    for (const ParamSpec& p : m_spec.params)
        if (const ParamValue* value = node.params.find(p.name); value && !isCallArgument(p.name))
            config[p.name] = p.pairs && std::holds_alternative<DimList>(*value)
                                 ? pairsToKeras(std::get<DimList>(*value))
                                 : paramToJson(*value);
    config["trainable"] = true;
    if (flavour == KerasFlavour::Keras2)
        config["dtype"] = "float32";
    else
        config["dtype"] = {{"module", "keras"},
                           {"class_name", "DTypePolicy"},
                           {"config", {{"name", "float32"}}},
                           {"registered_name", nullptr}};
    return config;
}

std::string cardNumber(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

} // namespace sf
