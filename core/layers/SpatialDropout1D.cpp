#include "Layer.h"
#include "RandomNoise.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/regularization/spatial_dropout.py: Dropout with noise shape (batch, 1,
/// channels), so that while training a channel is dropped (or kept and scaled by 1 / (1 - rate))
/// for every step of a sample at once; the identity at inference. Input rank 3 (InputSpec(ndim=3));
/// Dropout's supports_masking. Keras 3's constructor takes rate, seed, name and dtype only, and
/// its get_config writes only those, dtype as a plain name: no `trainable`, which it would refuse.
/// tf.keras 2 (tf_keras/layers/regularization/spatial_dropout1d.py) and TensorFlow.js (core.ts)
/// take Dropout's arguments, write `noise_shape` (ignored: the layer sets its own) and `trainable`,
/// which an import does not keep, so that the layer exports to Keras 3. `seed` is kept as
/// imported; Shapeflow's noise comes from the training run's seed.
class SpatialDropout1D final : public Layer {
public:
    SpatialDropout1D()
        : Layer({"SpatialDropout1D",
                 "spatial_dropout1d",
                 LayerCategory::Regularization,
                 "Drops whole channels of a sequence, the same at every step, while training.",
                 {"inputs"},
                 false,
                 1,
                 {{"rate",
                   ParamKind::Real,
                   0.5,
                   ValueRule::Rate,
                   {},
                   "Fraction of the channels to drop.",
                   true,
                   "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                   "Received: rate={}"}}},
                {.derivedFields = {"noise_shape", "trainable"}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        if (!rules::expectRank(ctx, 0, 3))
            return {};
        if (arguments(ctx.node.params).real("rate") >= 1.0)
            ctx.warning(code::kDropoutDropsAll,
                        "Layer " + ctx.quoted() +
                            " has rate=1.0: while training it sets every channel to 0, so nothing before "
                            "it learns from what follows.",
                        "A rate below 1 keeps some channels; 0.1 to 0.3 is usual.");
        return {ctx.in(), 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // the identity

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const double rate = arguments(b.node.params).real("rate");
        const auto scale = static_cast<float>(1.0 / (1.0 - rate));
        auto draw = [rate, scale](float* factors, Index count, std::mt19937& rng) {
            std::bernoulli_distribution keep(1.0 - rate);
            std::generate_n(factors, count, [&] { return keep(rng) ? scale : 0.0f; });
        };
        return std::make_unique<MultiplicativeNoiseOp>(draw, rate > 0.0, b.shape[1],
                                                       b.scratch({b.shape[0], b.shape[2]}, b.batched));
    }

    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        json config = Layer::kerasConfig(node, flavour);
        if (flavour == KerasFlavour::Keras3) {
            config.erase("trainable");
            config["dtype"] = "float32";
        }
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "rate " + cardNumber(arguments(params).real("rate"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeSpatialDropout1D()
{
    return std::make_unique<SpatialDropout1D>();
}

} // namespace sf
