#include "Layer.h"
#include "engine/OpBuild.h"
#include "engine/ops/DropoutOp.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"
#include "shape/RuleContext.h"

namespace sf {

namespace {

/// keras/src/layers/regularization/dropout.py: while training, zeroes each value with probability
/// `rate` and scales the rest by 1 / (1 - rate); the identity at inference.
class Dropout final : public Layer {
public:
    Dropout()
        : Layer({"Dropout",
                 "dropout",
                 LayerCategory::Regularization,
                 "Zeroes a fraction of the values while training.",
                 {"inputs"},
                 false,
                 1,
                 {{"rate", ParamKind::Real, 0.5, ValueRule::Rate, {}, "Fraction of the values to drop.", true}}},
                {.keras1Arguments = {{"p", "rate"}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        // Keras 3 and tf.keras both accept 0 <= rate <= 1 (regularization/dropout.py); 1 drops
        // everything.
        if (arguments(ctx.node.params).real("rate") >= 1.0)
            ctx.warning(code::kDropoutDropsAll,
                        "Layer " + ctx.quoted() +
                            " has rate=1.0: while training it sets every value to 0, so nothing before "
                            "it learns from what follows.",
                        "A rate below 1 keeps some values; 0.5 is usual.");
        return {ctx.in(), 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // the identity

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<DropoutOp>(static_cast<float>(arguments(b.node.params).real("rate")),
                                           b.scratch(b.shape, b.batched));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "rate " + cardNumber(arguments(params).real("rate"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeDropout()
{
    return std::make_unique<Dropout>();
}

} // namespace sf
