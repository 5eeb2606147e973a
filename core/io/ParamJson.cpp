#include "ParamJson.h"

#include "graph/LayerCatalogue.h"
#include "graph/ParamMap.h"

#include <algorithm>
#include <cmath>

namespace sf {

nlohmann::json paramToJson(const ParamValue& value)
{
    struct ToJson {
        nlohmann::json operator()(std::monostate) const { return nullptr; }
        nlohmann::json operator()(bool b) const { return b; }
        nlohmann::json operator()(std::int64_t i) const { return i; }
        nlohmann::json operator()(double d) const { return d; }
        nlohmann::json operator()(const std::string& s) const { return s; }
        nlohmann::json operator()(const DimList& dims) const
        {
            nlohmann::json array = nlohmann::json::array();
            for (const auto& d : dims)
                array.push_back(d ? nlohmann::json(*d) : nlohmann::json(nullptr));
            return array;
        }
        nlohmann::json operator()(const NestedLayer& layer) const
        {
            nlohmann::json arguments = nlohmann::json::object();
            for (const auto& [key, value] : layer.arguments().values())
                arguments[key] = paramToJson(value);
            nlohmann::json j = {{"class_name", layer.className}, {"name", layer.name}, {"arguments", arguments}};
            if (!layer.kerasFields.empty())
                j["keras_fields"] = nlohmann::json::parse(layer.kerasFields, nullptr, false);
            return j;
        }
    };
    return std::visit(ToJson{}, value);
}

namespace {

std::optional<std::int64_t> integral(const nlohmann::json& j)
{
    if (j.is_number_integer())
        return j.get<std::int64_t>();
    if (j.is_number_float()) {
        const double d = j.get<double>();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18)
            return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

std::optional<DimList> dimList(const nlohmann::json& j, bool allowNull)
{
    if (!j.is_array())
        return std::nullopt;
    DimList dims;
    for (const auto& entry : j) {
        if (entry.is_null() && allowNull) {
            dims.emplace_back(std::nullopt);
            continue;
        }
        auto i = integral(entry);
        if (!i)
            return std::nullopt;
        dims.emplace_back(*i);
    }
    return dims;
}

/// A nested layer as paramToJson writes it: a class the catalogue knows, a name, and arguments its
/// spec declares, each of its kind; nullopt otherwise.
std::optional<NestedLayer> nestedLayer(const nlohmann::json& j)
{
    if (!j.is_object() || !j.contains("class_name") || !j.at("class_name").is_string() || !j.contains("name") ||
        !j.at("name").is_string())
        return std::nullopt;
    const LayerSpec* spec = LayerCatalogue::instance().find(j.at("class_name").get<std::string>());
    // No layer in a layer in a layer: a file's nesting stays one deep.
    const bool wraps = spec && std::any_of(spec->params.begin(), spec->params.end(),
                                           [](const ParamSpec& p) { return p.kind == ParamKind::Layer; });
    if (!spec || spec->isInput() || wraps)
        return std::nullopt;
    ParamMap params = spec->defaults();
    if (j.contains("arguments")) {
        if (!j.at("arguments").is_object())
            return std::nullopt;
        for (const auto& [key, value] : j.at("arguments").items()) {
            const ParamSpec* p = spec->param(key);
            auto parsed = p ? paramFromJson(value, *p) : std::nullopt;
            if (!parsed)
                return std::nullopt;
            params.set(key, std::move(*parsed));
        }
    }
    std::string kept;
    if (j.contains("keras_fields")) {
        if (!j.at("keras_fields").is_object())
            return std::nullopt;
        kept = j.at("keras_fields").dump();
    }
    return NestedLayer(spec->className, j.at("name").get<std::string>(), std::move(params), std::move(kept));
}

} // namespace

std::optional<ParamValue> paramFromJson(const nlohmann::json& j, const ParamSpec& spec)
{
    switch (spec.kind) {
    case ParamKind::Integer:
        if (auto i = integral(j))
            return ParamValue(*i);
        return std::nullopt;
    case ParamKind::OptionalInteger:
        if (j.is_null())
            return ParamValue(std::monostate{});
        if (auto i = integral(j))
            return ParamValue(*i);
        return std::nullopt;
    case ParamKind::Real:
        if (j.is_number())
            return ParamValue(j.get<double>());
        return std::nullopt;
    case ParamKind::OptionalReal:
        if (j.is_null())
            return ParamValue(std::monostate{});
        if (j.is_number())
            return ParamValue(j.get<double>());
        return std::nullopt;
    case ParamKind::Boolean:
        if (j.is_boolean())
            return ParamValue(j.get<bool>());
        return std::nullopt;
    case ParamKind::Choice:
        if (j.is_string())
            return ParamValue(j.get<std::string>());
        return std::nullopt;
    case ParamKind::OptionalChoice:
        if (j.is_null())
            return ParamValue(std::monostate{});
        if (j.is_string())
            return ParamValue(j.get<std::string>());
        return std::nullopt;
    case ParamKind::Layer:
        if (j.is_null() && std::holds_alternative<std::monostate>(spec.defaultValue))
            return ParamValue(std::monostate{});
        if (auto layer = nestedLayer(j))
            return ParamValue(std::move(*layer));
        return std::nullopt;
    case ParamKind::Shape:
        if (auto d = dimList(j, true))
            return ParamValue(*d);
        return std::nullopt;
    case ParamKind::TargetShape:
        if (auto d = dimList(j, false))
            return ParamValue(*d);
        return std::nullopt;
    case ParamKind::IntTuple: // one integer stands for all, as Keras's standardize_tuple reads it
        if (j.is_null() && std::holds_alternative<std::monostate>(spec.defaultValue))
            return ParamValue(std::monostate{}); // None: the layer's own choice (pooling strides)
        if (auto i = integral(j))
            return ParamValue(DimList(static_cast<std::size_t>(spec.arity), *i));
        if (auto d = dimList(j, false); d && std::ssize(*d) == spec.arity)
            return ParamValue(*d);
        return std::nullopt;
    case ParamKind::Axes: { // an int stays an int and a list a list, as Keras writes them back
        const bool noneAllowed = std::holds_alternative<std::monostate>(spec.defaultValue);
        if (j.is_null() && noneAllowed)
            return ParamValue(std::monostate{});
        if (auto i = integral(j))
            return ParamValue(*i);
        if (auto d = dimList(j, false); d && (noneAllowed || spec.emptyAxes || !d->empty()))
            return ParamValue(*d);
        return std::nullopt;
    }
    }
    return std::nullopt;
}

std::optional<DimList> pairsFromKeras(const nlohmann::json& j)
{
    if (auto i = integral(j))
        return DimList(4, *i);
    if (!j.is_array() || j.size() != 2)
        return std::nullopt;
    DimList ends;
    for (const auto& entry : j) { // each axis: one int for both ends, or (before, after)
        if (auto i = integral(entry)) {
            ends.insert(ends.end(), 2, *i);
            continue;
        }
        auto pair = dimList(entry, false);
        if (!pair || pair->size() != 2)
            return std::nullopt;
        ends.insert(ends.end(), pair->begin(), pair->end());
    }
    return ends;
}

nlohmann::json pairsToKeras(const DimList& ends)
{
    nlohmann::json pairs = nlohmann::json::array();
    for (std::size_t i = 0; i + 1 < ends.size(); i += 2)
        pairs.push_back(paramToJson(DimList{ends[i], ends[i + 1]}));
    return pairs;
}

std::string describeExpectedJson(const ParamSpec& spec)
{
    switch (spec.kind) {
    case ParamKind::Integer:
        return "an integer";
    case ParamKind::OptionalInteger:
        return "an integer or null";
    case ParamKind::Real:
        return "a number";
    case ParamKind::OptionalReal:
        return "a number or null";
    case ParamKind::Boolean:
        return "true or false";
    case ParamKind::Choice:
        return "a string";
    case ParamKind::OptionalChoice:
        return "a string or null";
    case ParamKind::Layer:
        return std::string("a layer {\"class_name\", \"name\", \"arguments\"}") +
               (std::holds_alternative<std::monostate>(spec.defaultValue) ? " or null" : "");
    case ParamKind::Shape:
        return "a list of integers or nulls";
    case ParamKind::TargetShape:
        return "a list of integers";
    case ParamKind::IntTuple:
        if (spec.pairs)
            return "an integer, a list of 2 integers or a list of 2 lists of 2 integers";
        return "an integer or a list of " + std::to_string(spec.arity) + " integers";
    case ParamKind::Axes:
        return std::holds_alternative<std::monostate>(spec.defaultValue) ? "null, an integer or a list of integers"
                                                                         : "an integer or a list of integers";
    }
    return "a value";
}

} // namespace sf
