#include "ModelAnalysis.h"

#include "LayerFlops.h"

namespace sf {

namespace {

/// The input shapes of the layer at `index`, in port order; empty when it has none or one is
/// unconnected or unknown.
std::vector<Shape> inputShapes(const ShapeReport& report, int index)
{
    const Topology& t = report.topology();
    std::vector<Shape> shapes;
    for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(index)]) {
        const TensorInfo* in = slot.producer < 0
                                   ? nullptr
                                   : report.tensorAt({t.ids[static_cast<std::size_t>(slot.producer)], slot.output});
        if (!in)
            return {};
        shapes.push_back(in->shape);
    }
    return shapes;
}

} // namespace

Count weightMemory(std::int64_t params)
{
    return Count::of(params) * Count::of(bytesPerElement(DType::Float32));
}

std::int64_t bytesPerElement(DType dtype)
{
    switch (dtype) {
    case DType::Float32:
    case DType::Int32:
        return 4;
    }
    return 4;
}

Count AnalysisRow::activationBytesAt(std::int64_t batch) const
{
    if (!layer.outputShape || layer.outputShape->rank() == 0)
        return Count::unknown();
    const Dim& batchAxis = (*layer.outputShape)[0];
    if (batchAxis.isUnknown())
        return Count::unknown();
    return activationBytesPerSample * Count::of(batchAxis.isKnown() ? batchAxis.size() : batch);
}

void AnalysisTotal::add(Count amount)
{
    if (amount.isUnknown())
        ++unknownLayers;
    else
        sum += amount;
}

ModelAnalysis ModelAnalysis::of(const Graph& graph, const ShapeReport& report)
{
    ModelAnalysis analysis;
    ModelSummary summary = ModelSummary::of(graph, report);
    analysis.rows.reserve(summary.rows.size());
    for (SummaryRow& layer : summary.rows) {
        AnalysisRow row;
        const std::optional<TensorInfo>& output = report.outputOf(layer.node);
        if (output) {
            row.trainableParams = Count::of(layer.params - layer.nonTrainableParams);
            row.nonTrainableParams = Count::of(layer.nonTrainableParams);
            row.weightBytes = weightMemory(layer.params);
            row.activationBytesPerSample =
                sampleElementCount(output->shape) * Count::of(bytesPerElement(output->dtype));
            row.flops = forwardFlops(*graph.node(layer.node),
                                     inputShapes(report, report.topology().indexOf.at(layer.node)), output->shape);
        }
        row.layer = std::move(layer);
        analysis.rows.push_back(std::move(row));
    }
    return analysis;
}

AnalysisTotals ModelAnalysis::totals(std::int64_t batch) const
{
    AnalysisTotals totals;
    for (const AnalysisRow& row : rows) {
        totals.trainableParams.add(row.trainableParams);
        totals.nonTrainableParams.add(row.nonTrainableParams);
        totals.weightBytes.add(row.weightBytes);
        totals.activationBytesPerSample.add(row.activationBytesPerSample);
        totals.activationBytesAtBatch.add(row.activationBytesAt(batch));
        totals.flops.add(row.flops);
    }
    return totals;
}

} // namespace sf
