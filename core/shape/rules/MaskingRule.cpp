#include "Rules.h"

namespace sf::rules {

RuleResult masking(RuleContext& ctx)
{
    TensorInfo out = ctx.in();
    out.maskFrom = ctx.node.id;
    return {out, 0};
}

} // namespace sf::rules
