#include "Rules.h"

namespace sf::rules {

RuleResult inputLayer(RuleContext& ctx)
{
    const auto batchSize = ctx.node.params.optionalInteger("batch_size");
    std::vector<Dim> dims;
    dims.push_back(batchSize ? Dim::known(*batchSize) : Dim::batch());
    for (const auto& entry : ctx.node.params.dims("shape"))
        dims.push_back(entry ? Dim::known(*entry) : Dim::unknown(ctx.node.id));
    TensorInfo out;
    out.shape = Shape(std::move(dims));
    out.dtype = ctx.node.params.text("dtype") == "int32" ? DType::Int32 : DType::Float32;
    return {out, 0};
}

} // namespace sf::rules
