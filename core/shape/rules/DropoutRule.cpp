#include "Rules.h"
#include "shape/DiagnosticCodes.h"

namespace sf::rules {

RuleResult dropout(RuleContext& ctx)
{
    // Keras 3 and tf.keras both accept 0 <= rate <= 1 (regularization/dropout.py); 1 drops
    // everything.
    if (ctx.node.params.real("rate") >= 1.0)
        ctx.warning(code::kDropoutDropsAll,
                    "Layer " + ctx.quoted() +
                        " has rate=1.0: while training it sets every value to 0, so nothing before "
                        "it learns from what follows.",
                    "A rate below 1 keeps some values; 0.5 is usual.");
    return {ctx.in(), 0};
}

} // namespace sf::rules
