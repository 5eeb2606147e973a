#include "Rules.h"

namespace sf::rules {

RuleResult shapePreserving(RuleContext& ctx)
{
    return {ctx.in(), 0};
}

} // namespace sf::rules
