#include "ParamJson.h"

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
        if (auto d = dimList(j, false); d && (noneAllowed || !d->empty()))
            return ParamValue(*d);
        return std::nullopt;
    }
    }
    return std::nullopt;
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
    case ParamKind::Shape:
        return "a list of integers or nulls";
    case ParamKind::TargetShape:
        return "a list of integers";
    case ParamKind::IntTuple:
        return "an integer or a list of " + std::to_string(spec.arity) + " integers";
    case ParamKind::Axes:
        return std::holds_alternative<std::monostate>(spec.defaultValue) ? "null, an integer or a list of integers"
                                                                         : "an integer or a list of integers";
    }
    return "a value";
}

} // namespace sf
