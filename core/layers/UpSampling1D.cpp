#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

namespace sf {

namespace {

/// Each step repeated `size` times in a row: out[b, t * size + r] = in[b, t].
class UpSampling1DOp final : public Op {
public:
    explicit UpSampling1DOp(Index size) : m_size(size) {}

    void forward(const ForwardContext&) override
    {
        const TensorView& x = inputs[0]->value;
        const Index rows = x.shape[0] * x.shape[1], channels = x.shape[2];
        for (Index row = 0; row < rows; ++row)
            for (Index r = 0; r < m_size; ++r)
                std::copy_n(x.data + row * channels, channels, output->value.data + (row * m_size + r) * channels);
    }

    void backward() override
    {
        const TensorView& dx = inputs[0]->grad;
        if (!dx.data)
            return;
        const Index rows = dx.shape[0] * dx.shape[1], channels = dx.shape[2];
        for (Index row = 0; row < rows; ++row)
            for (Index r = 0; r < m_size; ++r) {
                const float* g = output->grad.data + (row * m_size + r) * channels;
                for (Index c = 0; c < channels; ++c)
                    dx.data[row * channels + c] += g[c];
            }
    }

private:
    Index m_size;
};

/// keras/src/layers/reshaping/up_sampling1d.py: UpSampling1D(size=2) repeats each step `size` times
/// (ops.repeat along axis 1), (batch, steps, channels) to (batch, steps * size, channels). Keras 3
/// refuses a size of 0 or less with its own words; tf.keras 2 (tf_keras/layers/reshaping/
/// up_sampling1d.py) takes int(size) without a check. TensorFlow.js has UpSampling2D only. No
/// mask support in either Keras.
class UpSampling1D final : public Layer {
public:
    UpSampling1D()
        : Layer({"UpSampling1D",
                 "up_sampling1d",
                 LayerCategory::Reshaping,
                 "Repeats each step `size` times along the sequence.",
                 {"inputs"},
                 false,
                 1,
                 {{"size",
                   ParamKind::Integer,
                   std::int64_t{2},
                   ValueRule::Positive,
                   {},
                   "Times each step is repeated.",
                   false,
                   "Argument `size` should be a positive integer. Received: size={}"}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        if (!rules::expectRank(ctx, 0, 3))
            return {};
        const TensorInfo& in = ctx.in();
        const std::int64_t size = arguments(ctx.node.params).integer("size");
        Dim steps = Dim::unknown(ctx.node.id);
        if (in.shape[1].isKnown()) {
            const auto repeated = checkedMultiply(in.shape[1].size(), size);
            if (!repeated) {
                ctx.error(code::kSizeOverflow,
                          "Layer " + ctx.quoted() + ": size=" + std::to_string(size) +
                              " makes sequences longer than fit in 64 bits.",
                          {});
                return {};
            }
            steps = Dim::known(*repeated);
        }
        TensorInfo out;
        out.shape = Shape{in.shape[0], steps, in.shape[2]};
        out.dtype = in.dtype;
        return {out, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<UpSampling1DOp>(arguments(b.node.params).integer("size"));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "× " + std::to_string(arguments(params).integer("size"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeUpSampling1D()
{
    return std::make_unique<UpSampling1D>();
}

} // namespace sf
