#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/DropoutOp.h"
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
        rules::warnDropsAll(ctx, arguments(ctx.node.params).real("rate"), "value", "0.5");
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
