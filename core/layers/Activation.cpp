#include "ActivationArgument.h"
#include "Layer.h"
#include "engine/OpBuild.h"
#include "engine/ops/ActivationOp.h"
#include "shape/LayerFlops.h"
#include "shape/RuleContext.h"

namespace sf {

namespace {

/// keras/src/layers/activations/activation.py: an activation function, element-wise.
class ActivationLayer final : public Layer {
public:
    ActivationLayer()
        : Layer({"Activation",
                 "activation",
                 LayerCategory::Core,
                 "Applies an activation function element-wise.",
                 {"inputs"},
                 false,
                 1,
                 {activationParam("relu", "Function to apply.", true)}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override { return {ctx.in(), 0}; }
    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }

    Count flops(const Node& node, const Shape*, const Shape& output) const override
    {
        return sampleElementCount(output) * Count::of(activationFlopsPerElement(activation(node.params)));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<ActivationOp>(activationFromName(activation(b.node.params)),
                                              b.scratch(b.shape, b.batched));
    }

    std::string cardSummary(const ParamMap& params) const override { return activation(params); }

private:
    const std::string& activation(const ParamMap& params) const { return arguments(params).text("activation"); }
};

} // namespace

std::unique_ptr<const LayerType> makeActivation()
{
    return std::make_unique<ActivationLayer>();
}

} // namespace sf
