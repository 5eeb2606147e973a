#include "ParamMap.h"

namespace sf {

NestedLayer::NestedLayer(std::string className, std::string name, ParamMap params, std::string kerasFields)
    : className(std::move(className)), name(std::move(name)),
      params(std::make_shared<const ParamMap>(std::move(params))), kerasFields(std::move(kerasFields))
{
}

bool NestedLayer::operator==(const NestedLayer& other) const
{
    return className == other.className && name == other.name && *params == *other.params &&
           kerasFields == other.kerasFields;
}

NestedLayer withArgument(const NestedLayer& layer, const std::string& name, ParamValue value)
{
    ParamMap params = layer.arguments();
    params.set(name, std::move(value));
    return {layer.className, layer.name, std::move(params), layer.kerasFields};
}

void ParamMap::set(std::string_view name, ParamValue value)
{
    auto it = m_values.find(name);
    if (it == m_values.end())
        m_values.emplace(std::string(name), std::move(value));
    else
        it->second = std::move(value);
}

const ParamValue* ParamMap::find(std::string_view name) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? nullptr : &it->second;
}

std::int64_t ParamMap::integer(std::string_view name) const
{
    const ParamValue* v = find(name);
    if (const auto* i = v ? std::get_if<std::int64_t>(v) : nullptr)
        return *i;
    return 0;
}

double ParamMap::real(std::string_view name) const
{
    const ParamValue* v = find(name);
    if (!v)
        return 0.0;
    if (const auto* d = std::get_if<double>(v))
        return *d;
    if (const auto* i = std::get_if<std::int64_t>(v))
        return static_cast<double>(*i);
    return 0.0;
}

bool ParamMap::boolean(std::string_view name) const
{
    const ParamValue* v = find(name);
    const auto* b = v ? std::get_if<bool>(v) : nullptr;
    return b && *b;
}

const std::string& ParamMap::text(std::string_view name) const
{
    static const std::string kEmpty;
    const ParamValue* v = find(name);
    const auto* s = v ? std::get_if<std::string>(v) : nullptr;
    return s ? *s : kEmpty;
}

const DimList& ParamMap::dims(std::string_view name) const
{
    static const DimList kEmpty;
    const ParamValue* v = find(name);
    const auto* d = v ? std::get_if<DimList>(v) : nullptr;
    return d ? *d : kEmpty;
}

std::optional<std::int64_t> ParamMap::optionalInteger(std::string_view name) const
{
    const ParamValue* v = find(name);
    if (const auto* i = v ? std::get_if<std::int64_t>(v) : nullptr)
        return *i;
    return std::nullopt;
}

const NestedLayer* ParamMap::layer(std::string_view name) const
{
    const ParamValue* v = find(name);
    return v ? std::get_if<NestedLayer>(v) : nullptr;
}

} // namespace sf
