#include "RuleHelpers.h"
#include "Rules.h"

namespace sf::rules {

RuleResult dense(RuleContext& ctx)
{
    const TensorInfo& in = ctx.in();
    if (!expectMinRank(ctx, 0, 2) || !requireKnownLastDim(ctx, in))
        return {};
    const std::int64_t units = ctx.node.params.integer("units");
    const bool useBias = ctx.node.params.boolean("use_bias");
    const std::int64_t inputDim = in.shape.last().size();
    auto weights = checkedMultiply(inputDim, units);
    if (weights && useBias)
        *weights += units;
    if (!checkWeightCount(ctx, weights, "input_dim=" + std::to_string(inputDim) + ", units=" + std::to_string(units)))
        return {};

    std::vector<Dim> dims = in.shape.dims();
    dims.back() = Dim::known(units);
    TensorInfo out;
    out.shape = Shape(std::move(dims));
    out.dtype = DType::Float32;
    out.maskFrom = in.maskFrom; // Keras's Dense supports masking and passes the mask on
    return {out, *weights};
}

} // namespace sf::rules
