#include "Arguments.h"

#include <algorithm>
#include <stdexcept>

namespace sf {

void Arguments::expect(std::string_view name, std::initializer_list<ParamKind> kinds) const
{
    const ParamSpec* p = m_spec.param(name);
    if (!p)
        throw std::logic_error(m_spec.className + " has no argument `" + std::string(name) + "`");
    if (std::find(kinds.begin(), kinds.end(), p->kind) == kinds.end())
        throw std::logic_error(m_spec.className + "'s argument `" + std::string(name) + "` is read as another kind");
}

std::int64_t Arguments::integer(std::string_view name) const
{
    expect(name, {ParamKind::Integer});
    return m_params.integer(name);
}

double Arguments::real(std::string_view name) const
{
    expect(name, {ParamKind::Real});
    return m_params.real(name);
}

bool Arguments::boolean(std::string_view name) const
{
    expect(name, {ParamKind::Boolean});
    return m_params.boolean(name);
}

const std::string& Arguments::text(std::string_view name) const
{
    expect(name, {ParamKind::Choice});
    return m_params.text(name);
}

const DimList& Arguments::dims(std::string_view name) const
{
    expect(name, {ParamKind::Shape, ParamKind::TargetShape, ParamKind::IntTuple});
    return m_params.dims(name);
}

std::optional<std::vector<std::int64_t>> Arguments::axes(std::string_view name) const
{
    expect(name, {ParamKind::Axes});
    const ParamValue* value = m_params.find(name);
    if (!value || std::holds_alternative<std::monostate>(*value))
        return std::nullopt;
    if (const auto* one = std::get_if<std::int64_t>(value))
        return std::vector<std::int64_t>{*one};
    std::vector<std::int64_t> list;
    for (const auto& d : m_params.dims(name))
        list.push_back(d.value_or(0));
    return list;
}

bool Arguments::isList(std::string_view name) const
{
    expect(name, {ParamKind::Axes});
    const ParamValue* value = m_params.find(name);
    return value && std::holds_alternative<DimList>(*value);
}

std::optional<std::int64_t> Arguments::optionalInteger(std::string_view name) const
{
    expect(name, {ParamKind::OptionalInteger});
    return m_params.optionalInteger(name);
}

std::optional<double> Arguments::optionalReal(std::string_view name) const
{
    expect(name, {ParamKind::OptionalReal});
    const ParamValue* v = m_params.find(name);
    if (!v || std::holds_alternative<std::monostate>(*v))
        return std::nullopt;
    return m_params.real(name);
}

std::optional<std::string> Arguments::optionalText(std::string_view name) const
{
    expect(name, {ParamKind::OptionalChoice});
    const ParamValue* v = m_params.find(name);
    if (const auto* text = v ? std::get_if<std::string>(v) : nullptr)
        return *text;
    return std::nullopt;
}

const NestedLayer* Arguments::layer(std::string_view name) const
{
    expect(name, {ParamKind::Layer});
    return m_params.layer(name);
}

} // namespace sf
