#include "LayerName.h"

#include <algorithm>

namespace sf {

std::optional<std::string> layerNameProblem(std::string_view name)
{
    if (name.empty())
        return "A layer name cannot be empty. Received: name=''";
    if (name.find('/') != std::string_view::npos)
        return "Argument `name` must be a string and cannot contain character `/`. Received: "
               "name=" +
               std::string(name);
    return std::nullopt;
}

std::string acceptableLayerName(std::string_view name)
{
    std::string fixed(name.empty() ? std::string_view("layer") : name);
    std::replace(fixed.begin(), fixed.end(), '/', '_');
    return fixed;
}

} // namespace sf
