#include "Layer.h"
#include "RandomNoise.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <cmath>

namespace sf {

namespace {

/// keras/src/layers/regularization/gaussian_dropout.py: while training, multiplies each value by
/// noise from N(1, sqrt(rate / (1 - rate))); the identity at inference; supports_masking. Keras 3
/// accepts 0 <= rate <= 1 and at rate=1 draws with an infinite standard deviation, where tf.keras 2
/// (tf_keras/layers/regularization/gaussian_dropout.py, no check of rate) and TensorFlow.js
/// (noise.ts) add no noise unless 0 < rate < 1: Shapeflow refuses rate=1 rather than pick one.
/// `seed` is kept as imported; Shapeflow's noise comes from the training run's seed.
class GaussianDropout final : public Layer {
public:
    GaussianDropout()
        : Layer({"GaussianDropout",
                 "gaussian_dropout",
                 LayerCategory::Regularization,
                 "Multiplies each value by noise around 1 while training.",
                 {"inputs"},
                 false,
                 1,
                 {{"rate",
                   ParamKind::Real,
                   0.1,
                   ValueRule::Rate,
                   {},
                   "Drop probability it imitates: the noise's standard deviation is sqrt(rate / (1 - rate)).",
                   true,
                   "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                   "Received: rate={}"}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        if (arguments(ctx.node.params).real("rate") >= 1.0) {
            Diagnostic& d = ctx.error(code::kGaussianDropoutRateOne,
                                      "Layer " + ctx.quoted() +
                                          " has rate=1.0: its noise's standard deviation sqrt(rate / (1 - rate)) "
                                          "is infinite in Keras 3, while tf.keras and TensorFlow.js add no noise.",
                                      "A rate below 1 gives finite noise; 0.1 to 0.5 is usual.");
            d.fixes.push_back({"Set `rate` to 0.5", SetArgument{ctx.node.id, "rate", 0.5}});
            return {};
        }
        return {ctx.in(), 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // the identity

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const double rate = arguments(b.node.params).real("rate");
        // At rate 0 the op draws nothing; the distribution still needs a positive deviation.
        const auto stddev = rate > 0.0 ? static_cast<float>(std::sqrt(rate / (1.0 - rate))) : 1.0f;
        auto draw = [stddev](float* factors, Index count, std::mt19937& rng) {
            std::normal_distribution<float> noise(1.0f, stddev);
            std::generate_n(factors, count, [&] { return noise(rng); });
        };
        return std::make_unique<MultiplicativeNoiseOp>(draw, rate > 0.0, 1, b.scratch(b.shape, b.batched));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "rate " + cardNumber(arguments(params).real("rate"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeGaussianDropout()
{
    return std::make_unique<GaussianDropout>();
}

} // namespace sf
