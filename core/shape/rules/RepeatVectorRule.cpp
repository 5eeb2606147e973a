#include "RuleHelpers.h"
#include "Rules.h"

namespace sf::rules {

RuleResult repeatVector(RuleContext& ctx)
{
    const TensorInfo& in = ctx.in();
    if (!expectRank(ctx, 0, 2))
        return {};
    warnIfMaskDropped(ctx, in);
    TensorInfo out;
    out.shape = Shape{in.shape[0], Dim::known(ctx.node.params.integer("n")), in.shape[1]};
    out.dtype = in.dtype;
    return {out, 0};
}

} // namespace sf::rules
