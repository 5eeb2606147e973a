#include "Layer.h"
#include "engine/OpBuild.h"

#include <algorithm>
#include <random>

namespace sf {

namespace {

/// While training, y = x + noise from N(0, stddev); the identity at inference.
class GaussianNoiseOp final : public Op {
public:
    explicit GaussianNoiseOp(float stddev) : m_stddev(stddev) {}

    void forward(const ForwardContext& ctx) override
    {
        const float* x = inputs[0]->value.data;
        float* y = output->value.data;
        const Index n = output->value.size();
        if (!ctx.training || m_stddev <= 0.0f) {
            std::copy(x, x + n, y);
            return;
        }
        std::normal_distribution<float> noise(0.0f, m_stddev);
        for (Index i = 0; i < n; ++i)
            y[i] = x[i] + noise(*ctx.rng);
    }

    void backward() override // the noise does not depend on x
    {
        if (!inputs[0]->grad.data)
            return;
        const float* dy = output->grad.data;
        float* dx = inputs[0]->grad.data;
        for (Index i = 0, n = output->value.size(); i < n; ++i)
            dx[i] += dy[i];
    }

private:
    float m_stddev;
};

/// keras/src/layers/regularization/gaussian_noise.py: while training, adds noise from
/// N(0, stddev) to each value; the identity at inference; supports_masking. Keras 3 refuses a
/// stddev outside [0, 1] with the message below; tf.keras 2
/// (tf_keras/layers/regularization/gaussian_noise.py) and TensorFlow.js (noise.ts) check nothing,
/// so a tf.keras file's stddev=2 is refused here as Keras 3 would refuse it. `seed` (Keras 3 and
/// tf.keras; TensorFlow.js has none) is kept as imported; Shapeflow's noise comes from the
/// training run's seed.
class GaussianNoise final : public Layer {
public:
    GaussianNoise()
        : Layer({"GaussianNoise",
                 "gaussian_noise",
                 LayerCategory::Regularization,
                 "Adds zero-mean Gaussian noise to each value while training.",
                 {"inputs"},
                 false,
                 1,
                 {{"stddev",
                   ParamKind::Real,
                   0.1,
                   ValueRule::Rate,
                   {},
                   "Standard deviation of the noise.",
                   true,
                   "Invalid value received for argument `stddev`. Expected a float value between 0 and 1. "
                   "Received: stddev={}"}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override { return {ctx.in(), 0}; }
    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); } // the identity

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<GaussianNoiseOp>(static_cast<float>(arguments(b.node.params).real("stddev")));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "stddev " + cardNumber(arguments(params).real("stddev"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeGaussianNoise()
{
    return std::make_unique<GaussianNoise>();
}

} // namespace sf
