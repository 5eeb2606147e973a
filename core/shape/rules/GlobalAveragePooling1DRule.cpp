#include "RuleHelpers.h"
#include "Rules.h"

namespace sf::rules {

RuleResult globalAveragePooling1D(RuleContext& ctx)
{
    const TensorInfo& in = ctx.in();
    if (!expectRank(ctx, 0, 3))
        return {};
    TensorInfo out;
    out.shape = Shape{in.shape[0], in.shape[2]};
    out.dtype = DType::Float32;
    // The mask is consumed: masked steps are left out of the mean, and none is passed on.
    return {out, 0};
}

} // namespace sf::rules
