#include "RuleHelpers.h"
#include "Rules.h"
#include "shape/DiagnosticCodes.h"

namespace sf::rules {

RuleResult repeatToBatch(RuleContext& ctx)
{
    if (ctx.inputs.size() < 2)
        return {}; // the unconnected port is already reported
    const TensorInfo& x = ctx.in(0);
    const TensorInfo& reference = ctx.in(1);
    if (!expectMinRank(ctx, 0, 1) || !expectMinRank(ctx, 1, 1))
        return {};
    const Dim& batch = x.shape[0];
    if (!batch.isKnown() || batch.size() != 1) {
        ctx.error(
            code::kRepeatToBatchInput,
            "Input 0 (`x`) of layer " + ctx.quoted() +
                " must have a fixed batch size of 1, to be repeated to the batch of `reference`. Received: x.shape=" +
                x.shape.toKeras(),
            batch.isBatch()
                ? "This tensor already has the model's batch; connect it directly and remove " + ctx.quoted() + "."
                : "Only a batch of 1 can be repeated to any batch size.",
            ctx.inputs[0].port);
        return {};
    }
    warnIfMaskDropped(ctx, x);
    std::vector<Dim> dims = x.shape.dims();
    dims[0] = reference.shape[0];
    TensorInfo out;
    out.shape = Shape(std::move(dims));
    out.dtype = x.dtype;
    return {out, 0};
}

} // namespace sf::rules
