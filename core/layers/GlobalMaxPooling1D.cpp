#include "GlobalPooling1D.h"
#include "engine/OpBuild.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// The largest value of each channel over the steps; backward sends each output's gradient to
/// the step it came from. `argmax` (batch, d) keeps that step, as a float.
class GlobalMaxPooling1DOp final : public Op {
public:
    explicit GlobalMaxPooling1DOp(TensorView* argmax) : m_argmax(argmax) {}

    void forward(const ForwardContext&) override
    {
        const TensorView& x = inputs[0]->value;
        const Index batch = x.shape[0], steps = x.shape[1], d = x.shape[2];
        for (Index b = 0; b < batch; ++b)
            for (Index j = 0; j < d; ++j) {
                const float* column = x.data + b * steps * d + j;
                Index best = 0;
                for (Index t = 1; t < steps; ++t)
                    if (column[t * d] > column[best * d])
                        best = t;
                output->value.data[b * d + j] = column[best * d];
                m_argmax->data[b * d + j] = static_cast<float>(best);
            }
    }

    void backward() override
    {
        float* dx = inputs[0]->grad.data;
        if (!dx)
            return;
        const TensorView& x = inputs[0]->value;
        const Index batch = x.shape[0], steps = x.shape[1], d = x.shape[2];
        for (Index b = 0; b < batch; ++b)
            for (Index j = 0; j < d; ++j) {
                const auto t = static_cast<Index>(m_argmax->data[b * d + j]);
                dx[(b * steps + t) * d + j] += output->grad.data[b * d + j];
            }
    }

private:
    TensorView* m_argmax;
};

/// keras/src/layers/pooling/global_max_pooling1d.py: the largest value over the steps, per
/// channel. Its call takes no mask: in Keras 3 a mask stops there with a warning (tf.keras 2 refuses
/// it), so masked steps take part in the maximum.
class GlobalMaxPooling1D final : public GlobalPooling1DLayer {
public:
    GlobalMaxPooling1D()
        : GlobalPooling1DLayer("GlobalMaxPooling1D", "global_max_pooling1d",
                               "The largest value over the steps axis: (batch, steps, d) to (batch, d).", "max")
    {
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    /// A comparison per step and channel.
    Count flops(const Node&, const Shape* input, const Shape&) const override
    {
        return input ? sampleElementCount(*input) : Count::unknown();
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<GlobalMaxPooling1DOp>(b.scratch(b.shape, b.batched));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeGlobalMaxPooling1D()
{
    return std::make_unique<GlobalMaxPooling1D>();
}

} // namespace sf
