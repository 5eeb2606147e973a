#pragma once

#include "Layer.h"
#include "shape/Count.h"

#include <utility>

namespace sf {

/// The advanced activation layers (ReLU, LeakyReLU, ELU; PReLU with its weight): one value in,
/// one value out, the output the input's shape and dtype, and the mask passed on (Keras 3 sets
/// supports_masking on each).
class ElementwiseActivation : public Layer {
public:
    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }
    /// A comparison and a multiply-add per value: 2, as Keras's relu family is counted here.
    Count flops(const Node&, const Shape*, const Shape& output) const override;

protected:
    using Layer::Layer;
    RuleResult outputShape(RuleContext& ctx) const override;
};

/// y = f.value(x) value by value, dx += f.slope(x) * dy: the op of an activation without weights.
/// `F` holds the arguments; slope() at a kink is the one-sided slope Keras's gradient takes.
template <class F> class ElementwiseOp final : public Op {
public:
    explicit ElementwiseOp(F f) : m_f(std::move(f)) {}

    void forward(const ForwardContext&) override
    {
        const float* x = inputs[0]->value.data;
        float* y = output->value.data;
        for (Index i = 0, n = output->value.size(); i < n; ++i)
            y[i] = m_f.value(x[i]);
    }

    void backward() override
    {
        if (!inputs[0]->grad.data)
            return;
        const float* x = inputs[0]->value.data;
        const float* dy = output->grad.data;
        float* dx = inputs[0]->grad.data;
        for (Index i = 0, n = output->value.size(); i < n; ++i)
            dx[i] += m_f.slope(x[i]) * dy[i];
    }

private:
    F m_f;
};

} // namespace sf
