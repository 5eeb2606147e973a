#include "LayerFlops.h"

#include "graph/LayerCatalogue.h"

namespace sf {

std::int64_t activationFlopsPerElement(const std::string& activation)
{
    if (activation == "linear")
        return 0;
    return activation == "softmax" ? 3 : 1;
}

Count forwardFlops(const Node& node, const std::vector<Shape>& inputs, const Shape& output)
{
    const LayerType* type = LayerCatalogue::instance().type(node.type);
    return type ? type->flopsOfInputs(node, inputs, output) : Count::unknown();
}

} // namespace sf
