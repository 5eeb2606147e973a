#include "ModelSummary.h"

#include "Trainable.h"
#include "graph/OpaqueLayer.h"

namespace sf {

ModelSummary ModelSummary::of(const Graph& graph, const ShapeReport& report)
{
    ModelSummary summary;
    summary.totalParams = report.totalParams();
    const Topology& t = report.topology();
    for (NodeId id : report.layerOrder()) {
        const Node& node = *graph.node(id);
        const NodeReport& r = *report.node(id);
        SummaryRow row;
        row.node = id;
        row.name = node.name;
        row.className = node.type;
        if (r.output) {
            row.outputShape = r.output->shape;
            for (const TensorInfo& more : r.moreOutputs)
                row.moreOutputShapes.push_back(more.shape);
        }
        // An opaque layer's weights are unknown even when its output shape is stated.
        if (!r.output || isOpaque(node))
            ++summary.unknownLayers;
        row.params = r.params;
        row.trainable = isTrainable(node);
        row.nonTrainableParams = row.trainable ? r.nonTrainableParams : r.params;
        summary.nonTrainableParams += row.nonTrainableParams;
        for (const Topology::InputSlot& slot : t.inputs[static_cast<std::size_t>(t.indexOf.at(id))])
            if (slot.producer >= 0)
                row.connectedTo.push_back(graph.node(t.ids[static_cast<std::size_t>(slot.producer)])->name + "[0][" +
                                          std::to_string(slot.output) + "]");
        if (const Node* shared = graph.node(node.sharesWeightsWith))
            row.sharesWeightsWith = shared->name;
        summary.rows.push_back(std::move(row));
    }
    return summary;
}

std::string outputShapesText(const SummaryRow& row, bool display)
{
    if (!row.outputShape)
        return "?";
    const auto text = [display](const Shape& shape) { return display ? shape.toDisplay() : shape.toKeras(); };
    if (row.moreOutputShapes.empty())
        return text(*row.outputShape);
    std::string list = "[" + text(*row.outputShape);
    for (const Shape& more : row.moreOutputShapes)
        list += ", " + text(more);
    return list + "]";
}

std::string totalParamsText(const ModelSummary& summary)
{
    std::string text = "Total params: " + withThousands(summary.totalParams);
    if (summary.unknownLayers > 0)
        text += " + " + std::to_string(summary.unknownLayers) + (summary.unknownLayers == 1 ? " layer" : " layers") +
                " of unknown size";
    return text;
}

std::string withThousands(std::int64_t value)
{
    std::string digits = std::to_string(value < 0 ? -value : value);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), ",");
    return value < 0 ? "-" + digits : digits;
}

} // namespace sf
