#include "RuleHelpers.h"
#include "Rules.h"
#include "shape/DiagnosticCodes.h"

namespace sf::rules {

RuleResult flatten(RuleContext& ctx)
{
    const TensorInfo& in = ctx.in();
    if (!expectMinRank(ctx, 0, 1))
        return {};
    warnIfMaskDropped(ctx, in);

    Dim flat = Dim::unknown(ctx.node.id);
    if (!in.shape.firstUnknownAfterBatch()) {
        const auto elements = in.shape.sampleElements();
        if (!elements) {
            ctx.error(code::kSizeOverflow,
                      "Layer " + ctx.quoted() + " cannot flatten " + in.shape.toKeras() +
                          ": the number of values per sample does not fit in 64 bits.",
                      "Check the sizes upstream.");
            return {};
        }
        flat = Dim::known(*elements);
    }
    TensorInfo out;
    out.shape = Shape{in.shape[0], flat};
    out.dtype = in.dtype;
    return {out, 0};
}

} // namespace sf::rules
