#include "ArgumentValidator.h"

#include "DiagnosticCodes.h"
#include "graph/LayerCatalogue.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace sf {

namespace {

/// What Keras would say it expected, or empty when `value` is acceptable.
std::string expectation(const ParamSpec& spec, const ParamValue& value)
{
    auto numberRule = [&](double x, bool integral) -> std::string {
        const std::string kind = integral ? "integer" : "number";
        switch (spec.rule) {
        case ValueRule::Any:
            return std::isfinite(x) ? "" : "a finite " + kind;
        case ValueRule::Positive:
            return x > 0 ? "" : "a positive " + kind;
        case ValueRule::NonNegative:
            return x >= 0 ? "" : "a non-negative " + kind;
        case ValueRule::Rate:
            return (x >= 0 && x <= 1) ? "" : "a float value between 0 and 1";
        }
        return "";
    };
    switch (spec.kind) {
    case ParamKind::Integer:
        if (const auto* i = std::get_if<std::int64_t>(&value))
            return numberRule(static_cast<double>(*i), true);
        return spec.rule == ValueRule::Positive ? "a positive integer" : "an integer";
    case ParamKind::OptionalInteger:
        if (std::holds_alternative<std::monostate>(value))
            return "";
        if (const auto* i = std::get_if<std::int64_t>(&value))
            return numberRule(static_cast<double>(*i), true).empty() ? "" : "None or a positive integer";
        return "None or a positive integer";
    case ParamKind::OptionalReal: {
        if (std::holds_alternative<std::monostate>(value))
            return "";
        const auto* d = std::get_if<double>(&value);
        const auto* i = std::get_if<std::int64_t>(&value);
        if (!d && !i)
            return "None or a number";
        const std::string problem = numberRule(d ? *d : static_cast<double>(*i), false);
        return problem.empty() ? "" : "None or " + problem;
    }
    case ParamKind::Real:
        if (const auto* d = std::get_if<double>(&value))
            return numberRule(*d, false);
        if (const auto* i = std::get_if<std::int64_t>(&value))
            return numberRule(static_cast<double>(*i), false);
        return spec.rule == ValueRule::Rate ? "a float value between 0 and 1" : "a number";
    case ParamKind::Boolean:
        return std::holds_alternative<bool>(value) ? "" : "True or False";
    case ParamKind::Choice:
    case ParamKind::OptionalChoice: {
        const bool takesNone = spec.kind == ParamKind::OptionalChoice;
        const auto* s = std::get_if<std::string>(&value);
        if ((takesNone && std::holds_alternative<std::monostate>(value)) ||
            (s && std::find(spec.choices.begin(), spec.choices.end(), *s) != spec.choices.end()))
            return "";
        std::string list;
        for (const std::string& c : spec.choices)
            list += (list.empty() ? "'" : ", '") + c + "'";
        return "one of " + list + (takesNone ? " or None" : "");
    }
    case ParamKind::Layer: {
        const auto* layer = std::get_if<NestedLayer>(&value);
        if ((std::holds_alternative<std::monostate>(value) &&
             std::holds_alternative<std::monostate>(spec.defaultValue)) ||
            (layer && std::find(spec.layerClasses.begin(), spec.layerClasses.end(), layer->className) !=
                          spec.layerClasses.end()))
            return ""; // its own arguments are checked by its own spec
        std::string list;
        for (std::size_t i = 0; i < spec.layerClasses.size(); ++i)
            list += (i == 0 ? "" : i + 1 == spec.layerClasses.size() ? " or " : ", ") + spec.layerClasses[i];
        return "a layer of class " + list;
    }
    case ParamKind::Shape: {
        const auto* dims = std::get_if<DimList>(&value);
        const bool ok = dims && std::all_of(dims->begin(), dims->end(), [](const auto& d) { return !d || *d > 0; });
        return ok ? "" : "a tuple of positive integers or None";
    }
    case ParamKind::TargetShape: {
        const auto* dims = std::get_if<DimList>(&value);
        const bool entriesOk =
            dims && std::all_of(dims->begin(), dims->end(), [](const auto& d) { return d && (*d > 0 || *d == -1); });
        const bool oneInferred =
            dims && std::count_if(dims->begin(), dims->end(), [](const auto& d) { return d && *d == -1; }) <= 1;
        return entriesOk && oneInferred ? "" : "a tuple of positive integers with at most one -1";
    }
    case ParamKind::IntTuple: {
        if (std::holds_alternative<std::monostate>(value) && std::holds_alternative<std::monostate>(spec.defaultValue))
            return ""; // None where Keras's default is None
        const auto* dims = std::get_if<DimList>(&value);
        const bool sized = dims && std::ssize(*dims) == spec.arity;
        const bool valuesOk = sized && std::all_of(dims->begin(), dims->end(), [&](const auto& d) {
                                  return d && numberRule(static_cast<double>(*d), true).empty();
                              });
        return valuesOk ? "" : "a tuple of " + std::to_string(spec.arity) + " integers";
    }
    case ParamKind::Axes: {
        const bool noneAllowed = std::holds_alternative<std::monostate>(spec.defaultValue);
        if (std::holds_alternative<std::int64_t>(value) ||
            (noneAllowed && std::holds_alternative<std::monostate>(value)))
            return "";
        const auto* dims = std::get_if<DimList>(&value);
        const bool ok = dims && (noneAllowed || spec.emptyAxes || !dims->empty()) &&
                        std::all_of(dims->begin(), dims->end(), [](const auto& d) { return d.has_value(); });
        return ok ? "" : noneAllowed ? "None, an int or a list/tuple of ints" : "an int or a list/tuple of ints";
    }
    }
    return "";
}

/// Keras's standardize_tuple message: "The `kernel_size` argument must be a tuple of 1 integers.
/// Received kernel_size=(0,), including values {0} that do not satisfy `value > 0`".
std::string intTupleProblem(const ParamSpec& spec, const ParamValue& value)
{
    const auto* ends = std::get_if<DimList>(&value);
    if (spec.pairs && ends && ends->size() == 4) {
        // Keras checks each axis's (before, after) pair by standardize_tuple as the "1st entry of
        // padding" and the "2nd entry of padding"; the first refused one is the message.
        for (std::size_t axis = 0; axis < 2; ++axis) {
            const DimList pair{(*ends)[2 * axis], (*ends)[2 * axis + 1]};
            if (std::all_of(pair.begin(), pair.end(), [](const auto& d) { return d && *d >= 0; }))
                continue;
            ParamSpec entry = spec;
            entry.name = (axis == 0 ? "1st entry of " : "2nd entry of ") + spec.name;
            entry.arity = 2;
            entry.pairs = false;
            return intTupleProblem(entry, pair);
        }
    }
    std::string message = "The `" + spec.name + "` argument must be a tuple of " + std::to_string(spec.arity) +
                          " integers. Received " + spec.name + "=" + toKerasLiteral(value);
    const auto* dims = std::get_if<DimList>(&value);
    if (!dims || std::ssize(*dims) != spec.arity)
        return message;
    const bool allowZero = spec.rule == ValueRule::NonNegative;
    std::set<std::int64_t> unqualified;
    for (const auto& d : *dims)
        if (d && (allowZero ? *d < 0 : *d <= 0))
            unqualified.insert(*d);
    std::string values;
    for (std::int64_t v : unqualified)
        values += (values.empty() ? "" : ", ") + std::to_string(v);
    return message + ", including values {" + values + "} that do not satisfy `value " + (allowZero ? ">= 0" : "> 0") +
           "`";
}

} // namespace

std::optional<std::string> argumentProblem(const ParamSpec& spec, const ParamValue& value)
{
    const std::string expected = expectation(spec, value);
    if (expected.empty())
        return std::nullopt;
    if (const auto at = spec.invalidMessage.find("{}"); at != std::string::npos)
        return std::string(spec.invalidMessage).replace(at, 2, toKerasLiteral(value));
    if (spec.kind == ParamKind::IntTuple)
        return intTupleProblem(spec, value);
    return "Received an invalid value for `" + spec.name + "`, expected " + expected + ". Received: " + spec.name +
           "=" + toKerasLiteral(value);
}

namespace {

/// Where an argument lives: the node's own, or one of a layer given as its argument, whose fixes
/// set the whole nested layer again.
struct ArgumentPlace {
    NodeId node;
    std::string layer;     ///< `Layer "bi" (Bidirectional)`, or its nested layer's description
    std::string outerName; ///< the node's argument holding the nested layer; empty for the node's own
    const NestedLayer* nested = nullptr;

    SetArgument reset(const std::string& name, const ParamValue& value) const
    {
        if (!nested)
            return {node, name, value};
        return {node, outerName, withArgument(*nested, name, value)};
    }
};

bool validate(const ArgumentPlace& place, const LayerSpec& spec, const ParamMap& params, std::vector<Diagnostic>& out)
{
    bool valid = true;
    for (const ParamSpec& p : spec.params) {
        static const ParamValue kMissing;
        const ParamValue* value = params.find(p.name);
        const std::string expected = expectation(p, value ? *value : kMissing);
        if (expected.empty()) {
            const auto* nested = value ? std::get_if<NestedLayer>(value) : nullptr;
            if (const LayerSpec* inner = nested ? LayerCatalogue::instance().find(nested->className) : nullptr) {
                const ArgumentPlace innerPlace{place.node,
                                               "Its `" + p.name + "` " + nested->className + " \"" + nested->name +
                                                   "\", in l" + place.layer.substr(1),
                                               p.name, nested};
                valid = validate(innerPlace, *inner, nested->arguments(), out) && valid;
            }
            continue;
        }
        valid = false;
        Diagnostic d;
        if (!value || std::holds_alternative<std::monostate>(*value)) {
            // An imported file without an argument Keras requires: an error here, never a quiet default.
            d.code = code::kMissingArgument;
            d.node = place.node;
            d.message = place.layer + " " +
                        (p.required ? "is missing the required argument `" : "has no usable value for `") + p.name +
                        "`, expected " + expected + ". Received: " + p.name + "=None";
            d.hint = p.description;
            d.fixes.push_back(
                {"Set `" + p.name + "` to " + toKerasLiteral(p.defaultValue), place.reset(p.name, p.defaultValue)});
            out.push_back(std::move(d));
            continue;
        }
        d.code = code::kInvalidArgument;
        d.node = place.node;
        d.message = *argumentProblem(p, *value);
        d.hint = place.layer + ": " + p.description;
        d.fixes.push_back(
            {"Reset `" + p.name + "` to " + toKerasLiteral(p.defaultValue), place.reset(p.name, p.defaultValue)});
        out.push_back(std::move(d));
    }
    return valid;
}

} // namespace

bool validateArguments(const Node& node, const LayerSpec& spec, std::vector<Diagnostic>& out)
{
    return validate({node.id, "Layer \"" + node.name + "\" (" + spec.className + ")"}, spec, node.params, out);
}

} // namespace sf
