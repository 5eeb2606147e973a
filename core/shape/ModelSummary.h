#pragma once

#include "ShapeReport.h"
#include "graph/Graph.h"

#include <optional>
#include <string>
#include <vector>

namespace sf {

/// One row of a `model.summary()` table.
struct SummaryRow {
    NodeId node;
    std::string name;
    std::string className;
    std::optional<Shape> outputShape;    ///< nullopt when it cannot be inferred
    std::vector<Shape> moreOutputShapes; ///< the shapes of output ports 1, 2... (an RNN's state)
    std::int64_t params = 0;
    bool trainable = true;                ///< false: Keras counts `params` as non-trainable (see isTrainable)
    std::int64_t nonTrainableParams = 0;  ///< all of `params` in a frozen layer, else its weights kept out of training
    std::vector<std::string> connectedTo; ///< Keras style: `embedding[0][0]`
    std::string sharesWeightsWith;        ///< the first call's name, for a shared layer
};

/// The summary Keras prints, from a graph and its report, layers in model order.
struct ModelSummary {
    std::vector<SummaryRow> rows;
    std::int64_t totalParams = 0;
    std::int64_t nonTrainableParams = 0; ///< the part of totalParams that training leaves alone
    /// Layers whose weight count is unknown: their output is (an error, or an opaque layer upstream
    /// with no shape), or they are opaque layers (graph/OpaqueLayer.h), whose weights Shapeflow
    /// cannot count. totalParams leaves them out, and is then only a lower bound.
    int unknownLayers = 0;

    static ModelSummary of(const Graph& graph, const ShapeReport& report);
};

/// The row's output shape as Keras prints it: `(None, 5, 4)`, or a list of them for a layer of
/// several outputs, `[(None, 5, 4), (None, 4)]`; `?` when unknown. With `display`, as the window
/// shows a shape (Shape::toDisplay).
std::string outputShapesText(const SummaryRow& row, bool display = false);

/// "Total params: 1,921", with " + N layers of unknown size" when the total is only a lower bound.
std::string totalParamsText(const ModelSummary& summary);

/// `1,921`: a count with thousands separators, as Keras prints parameter totals.
std::string withThousands(std::int64_t value);

} // namespace sf
