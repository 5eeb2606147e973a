#include "ElementwiseActivation.h"
#include "engine/OpBuild.h"

#include <cmath>

namespace sf {

namespace {

/// keras/src/layers/activations/elu.py: y = x for x > 0, alpha * (exp(x) - 1) otherwise. Keras 3
/// checks nothing of `alpha` and its get_config leaves it out (a saved ELU comes back with
/// alpha=1.0); Shapeflow writes it, which ELU(alpha=...) reads. tf.keras 2
/// (tf_keras/layers/activation/elu.py) writes it and refuses None; TensorFlow.js
/// (advanced_activations.ts) refuses any alpha other than 1.0 (NotImplementedError) and does not
/// pass a mask on.
struct ELUFunction {
    float alpha;
    float value(float x) const { return x > 0.0f ? x : alpha * std::expm1(x); }
    float slope(float x) const { return x > 0.0f ? 1.0f : alpha * std::exp(x); }
};

class ELU final : public ElementwiseActivation {
public:
    ELU()
        : ElementwiseActivation({"ELU",
                                 "elu",
                                 LayerCategory::Activations,
                                 "Exponential linear unit: x above 0, alpha·(exp(x) − 1) below.",
                                 {"inputs"},
                                 false,
                                 1,
                                 {{"alpha", ParamKind::Real, 1.0, ValueRule::Any, {}, "Scale of the negative part."}}})
    {
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<ElementwiseOp<ELUFunction>>(
            ELUFunction{static_cast<float>(arguments(b.node.params).real("alpha"))});
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "alpha " + cardNumber(arguments(params).real("alpha"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeELU()
{
    return std::make_unique<ELU>();
}

} // namespace sf
