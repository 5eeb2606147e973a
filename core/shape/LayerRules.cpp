#include "LayerRules.h"

#include "graph/LayerRegistry.h"
#include "rules/Rules.h"

#include <array>
#include <utility>

namespace sf {

ShapeRule findShapeRule(std::string_view className)
{
    static const std::array<std::pair<std::string_view, ShapeRule>, 12> kRules = {{
        {layer::kInput, &rules::inputLayer},
        {layer::kEmbedding, &rules::embedding},
        {layer::kFlatten, &rules::flatten},
        {layer::kConcatenate, &rules::concatenate},
        {layer::kDense, &rules::dense},
        {layer::kReshape, &rules::reshape},
        {layer::kRepeatVector, &rules::repeatVector},
        {layer::kDropout, &rules::dropout},
        {layer::kActivation, &rules::shapePreserving},
        {layer::kMasking, &rules::masking},
        {layer::kGlobalAveragePooling1D, &rules::globalAveragePooling1D},
        {layer::kRepeatToBatch, &rules::repeatToBatch},
    }};
    for (const auto& [name, rule] : kRules)
        if (name == className)
            return rule;
    return nullptr;
}

} // namespace sf
