#include "DefaultLoss.h"

#include "shape/CheckedModel.h"

namespace sf {

LossSpec defaultLossFor(const CheckedModel& model)
{
    const Graph& graph = model.graph();
    const ShapeReport& report = model.report();
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
