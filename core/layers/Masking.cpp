#include "Layer.h"
#include "engine/OpBuild.h"
#include "engine/ops/MaskingOp.h"
#include "shape/LayerFlops.h"
#include "shape/RuleContext.h"

namespace sf {

namespace {

/// keras/src/layers/core/masking.py: masks the steps whose values all equal mask_value, and zeroes
/// them.
class Masking final : public Layer {
public:
    Masking()
        : Layer({"Masking",
                 "masking",
                 LayerCategory::Core,
                 "Masks the time steps whose values all equal mask_value.",
                 {"inputs"},
                 false,
                 1,
                 {{"mask_value", ParamKind::Real, 0.0, ValueRule::Any, {}, "Value marking padding."}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override { return {ctx.in(), 0}; }
    MaskRule maskRule(const Node&) const override { return MaskRule::Makes; }

    /// The comparison with mask_value and the multiplication by the mask.
    Count flops(const Node&, const Shape*, const Shape& output) const override
    {
        return sampleElementCount(output) * Count::of(2);
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<MaskingOp>(static_cast<float>(maskValue(b.node.params)), b.madeMask);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "mask_value " + cardNumber(maskValue(params));
    }

private:
    double maskValue(const ParamMap& params) const { return arguments(params).real("mask_value"); }
};

} // namespace

std::unique_ptr<const LayerType> makeMasking()
{
    return std::make_unique<Masking>();
}

} // namespace sf
