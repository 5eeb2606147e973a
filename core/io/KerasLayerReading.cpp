#include "KerasLayerReading.h"

#include "FileFormatError.h"
#include "graph/LayerType.h"

#include <algorithm>

namespace sf {

std::string briefJson(const nlohmann::json& value)
{
    std::string text = value.dump();
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

const nlohmann::json* givenField(const nlohmann::json& object, const char* key)
{
    if (!object.is_object() || !object.contains(key) || object.at(key).is_null())
        return nullptr;
    return &object.at(key);
}

nlohmann::json unmodelledFields(const nlohmann::json& entry, const nlohmann::json& config, const LayerType* type,
                                const std::vector<std::string>& dropped)
{
    nlohmann::json kept = nlohmann::json::object();
    for (const auto& [key, value] : entry.items())
        if (key != "class_name" && key != "config" && key != "name" && key != "inbound_nodes")
            kept[key] = value;
    nlohmann::json keptConfig = nlohmann::json::object();
    for (const auto& [key, value] : config.items())
        if (!(type && type->modelsKerasField(key)) && std::find(dropped.begin(), dropped.end(), key) == dropped.end())
            keptConfig[key] = value;
    if (!keptConfig.empty())
        kept["config"] = std::move(keptConfig);
    return kept;
}

void KerasLayerReading::problem(std::string code, const std::string& field, std::string message, Severity severity)
{
    m_problems.push_back(
        {std::move(code), m_layer, field.empty() ? m_path : m_path + ".config." + field, std::move(message), severity});
}

void KerasLayerReading::fail(const std::string& field, const std::string& what) const
{
    throw FileFormatError(m_source + ": " + m_path + ".config." + field + ": " + what);
}

} // namespace sf
