#include "RuleHelpers.h"
#include "Rules.h"
#include "graph/LayerRegistry.h"
#include "shape/DiagnosticCodes.h"

namespace sf::rules {

RuleResult embedding(RuleContext& ctx)
{
    const TensorInfo& in = ctx.in();
    const std::int64_t inputDim = ctx.node.params.integer("input_dim");
    const std::int64_t outputDim = ctx.node.params.integer("output_dim");
    if (!checkWeightCount(ctx, checkedMultiply(inputDim, outputDim),
                          "input_dim=" + std::to_string(inputDim) + ", output_dim=" + std::to_string(outputDim)))
        return {};

    if (in.dtype == DType::Float32) {
        const PortRef source = ctx.inputs[0].source;
        // tf.keras >= 2.10 writes a float32 Input before an Embedding by itself: a note, not a warning.
        Diagnostic& d = ctx.info(
            code::kEmbeddingFloatInput,
            "Layer " + ctx.quoted() + " (Embedding) receives float32 values from " + ctx.quoted(source.node) +
                ". Keras casts them to int32 before the lookup, so fractional values are truncated to token ids.",
            "Token ids should come from an Input with dtype='int32'.", ctx.inputs[0].port);
        const Node* producer = ctx.graph.node(source.node);
        if (producer && producer->type == layer::kInput)
            d.fixes.push_back({"Set dtype='int32' on input " + ctx.quoted(source.node),
                               SetArgument{source.node, "dtype", std::string("int32")}});
    }

    std::vector<Dim> dims = in.shape.dims();
    dims.push_back(Dim::known(outputDim));
    TensorInfo out;
    out.shape = Shape(std::move(dims));
    out.dtype = DType::Float32;
    out.maskFrom = ctx.node.params.boolean("mask_zero") ? ctx.node.id : NodeId{};
    return {out, inputDim * outputDim};
}

} // namespace sf::rules
