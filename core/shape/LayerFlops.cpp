#include "LayerFlops.h"

#include "graph/LayerRegistry.h"

namespace sf {

std::int64_t activationFlopsPerElement(const std::string& activation)
{
    if (activation == "linear")
        return 0;
    return activation == "softmax" ? 3 : 1;
}

Count forwardFlops(const Node& node, const Shape* input, const Shape& output)
{
    const Count outputElements = sampleElementCount(output);
    if (node.type == layer::kDense) {
        if (!input || !input->last().isKnown())
            return Count::unknown();
        const std::int64_t perElement =
            activationFlopsPerElement(node.params.text("activation")) + (node.params.boolean("use_bias") ? 1 : 0);
        return outputElements * (Count::of(2) * Count::of(input->last().size()) + Count::of(perElement));
    }
    if (node.type == layer::kActivation)
        return outputElements * Count::of(activationFlopsPerElement(node.params.text("activation")));
    if (node.type == layer::kMasking)
        return outputElements * Count::of(2);
    if (node.type == layer::kGlobalAveragePooling1D)
        return input ? sampleElementCount(*input) + outputElements : Count::unknown();
    return LayerRegistry::instance().find(node.type) ? Count::of(0) : Count::unknown();
}

} // namespace sf
