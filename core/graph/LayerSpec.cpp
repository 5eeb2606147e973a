#include "LayerSpec.h"

namespace sf {

std::string_view toString(LayerCategory category)
{
    switch (category) {
    case LayerCategory::Input:
        return "Input";
    case LayerCategory::Core:
        return "Core";
    case LayerCategory::Reshaping:
        return "Reshaping";
    case LayerCategory::Merging:
        return "Merging";
    case LayerCategory::Regularization:
        return "Regularization";
    case LayerCategory::Pooling:
        return "Pooling";
    case LayerCategory::Recurrent:
        return "Recurrent";
    case LayerCategory::Activations:
        return "Activations";
    case LayerCategory::Convolution:
        return "Convolution";
    case LayerCategory::Normalization:
        return "Normalization";
    case LayerCategory::Attention:
        return "Attention";
    case LayerCategory::Preprocessing:
        return "Preprocessing";
    }
    return "Core";
}

const ParamSpec* LayerSpec::param(std::string_view name) const
{
    for (const ParamSpec& p : params)
        if (p.name == name)
            return &p;
    return nullptr;
}

ParamMap LayerSpec::defaults() const
{
    ParamMap map;
    for (const ParamSpec& p : params)
        map.set(p.name, p.defaultValue);
    return map;
}

} // namespace sf
