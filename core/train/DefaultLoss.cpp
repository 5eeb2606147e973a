#include "DefaultLoss.h"

#include "shape/ShapeInference.h"

namespace sf {

LossSpec defaultLossFor(const Graph& graph)
{
    const ShapeReport report = inferShapes(graph);
    LossSpec spec{LossKind::MeanSquaredError, false};
    if (report.modelOutputs().empty())
        return spec;
    const std::string& activation = graph.node(report.modelOutputs().front())->params.text("activation");
    if (activation == "sigmoid")
        spec.kind = LossKind::BinaryCrossentropy;
    else if (activation == "softmax")
        spec.kind = LossKind::CategoricalCrossentropy;
    return spec;
}

} // namespace sf
