#include "ActivationArgument.h"

#include <algorithm>
#include <cctype>

namespace sf {

ParamSpec activationParam(std::string defaultName, std::string description, bool required, std::string name)
{
    return {std::move(name),        ParamKind::Choice, std::move(defaultName), ValueRule::Any, activationNames(),
            std::move(description), required};
}

bool isActivationParam(const ParamSpec& p)
{
    return p.kind == ParamKind::Choice && p.choices == activationNames();
}

std::optional<std::string> activationFromKeras(const nlohmann::json& value)
{
    std::string name;
    if (value.is_string())
        name = value.get<std::string>();
    else if (value.is_object()) {
        if (value.contains("config") && value.at("config").is_string())
            name = value.at("config").get<std::string>();
        else if (value.contains("class_name") && value.at("class_name").is_string())
            name = value.at("class_name").get<std::string>();
    }
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "silu")
        name = "swish";
    const auto& names = activationNames();
    if (std::find(names.begin(), names.end(), name) != names.end())
        return name;
    return std::nullopt;
}

} // namespace sf
