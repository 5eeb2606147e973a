#include "LayerCatalogue.h"

#include <algorithm>
#include <cassert>

namespace sf {

LayerCatalogue::LayerCatalogue(std::vector<std::unique_ptr<const LayerType>> types) : m_types(std::move(types))
{
    assert(std::count_if(m_types.begin(), m_types.end(), [](const auto& t) { return t->spec().isInput(); }) == 1);
    for (const auto& t : m_types)
        m_specs.emplace_back(t->spec());
}

const LayerType* LayerCatalogue::type(std::string_view className) const
{
    for (const auto& t : m_types)
        if (t->spec().className == className)
            return t.get();
    return nullptr;
}

const LayerType* LayerCatalogue::typeOfKerasClass(std::string_view className) const
{
    if (const LayerType* t = type(className))
        return t;
    for (const auto& t : m_types)
        if (std::ranges::find(t->keras().classAliases, className) != t->keras().classAliases.end())
            return t.get();
    return nullptr;
}

const LayerSpec* LayerCatalogue::find(std::string_view className) const
{
    const LayerType* t = type(className);
    return t ? &t->spec() : nullptr;
}

const LayerType& LayerCatalogue::input() const
{
    return **std::find_if(m_types.begin(), m_types.end(), [](const auto& t) { return t->spec().isInput(); });
}

bool isInputLayer(const Node& node)
{
    const LayerSpec* spec = LayerCatalogue::instance().find(node.type);
    return spec && spec->isInput();
}

} // namespace sf
