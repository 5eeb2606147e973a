#include "Layer.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sf {

namespace {

/// exp(x - max) / sum(exp(x - max)) along one axis of any rank: the tensor seen as (outer, n,
/// inner), n the axis. The output keeps y for the backward pass: dx += y * (dy - sum(dy * y)).
class SoftmaxOp final : public Op {
public:
    explicit SoftmaxOp(int axis) : m_axis(axis) {}

    void forward(const ForwardContext&) override
    {
        const Extent e = extent();
        const float* x = inputs[0]->value.data;
        float* y = output->value.data;
        for (Index o = 0; o < e.outer; ++o)
            for (Index i = 0; i < e.inner; ++i) {
                const Index base = o * e.n * e.inner + i;
                float top = x[base];
                for (Index k = 1; k < e.n; ++k)
                    top = std::max(top, x[base + k * e.inner]);
                double sum = 0.0;
                for (Index k = 0; k < e.n; ++k)
                    sum += y[base + k * e.inner] = std::exp(x[base + k * e.inner] - top);
                for (Index k = 0; k < e.n; ++k)
                    y[base + k * e.inner] = static_cast<float>(y[base + k * e.inner] / sum);
            }
    }

    void backward() override
    {
        if (!inputs[0]->grad.data)
            return;
        const Extent e = extent();
        const float* y = output->value.data;
        const float* dy = output->grad.data;
        float* dx = inputs[0]->grad.data;
        for (Index o = 0; o < e.outer; ++o)
            for (Index i = 0; i < e.inner; ++i) {
                const Index base = o * e.n * e.inner + i;
                double dot = 0.0;
                for (Index k = 0; k < e.n; ++k)
                    dot += static_cast<double>(dy[base + k * e.inner]) * y[base + k * e.inner];
                for (Index k = 0; k < e.n; ++k) {
                    const Index at = base + k * e.inner;
                    dx[at] += static_cast<float>(y[at] * (dy[at] - dot));
                }
            }
    }

private:
    struct Extent {
        Index outer;
        Index n;
        Index inner;
    };
    Extent extent() const
    {
        const std::vector<Index>& shape = output->value.shape; // axis 0 at the running batch
        const auto product = [](auto begin, auto end) {
            return std::accumulate(begin, end, Index{1}, std::multiplies<>());
        };
        return {product(shape.begin(), shape.begin() + m_axis), shape[static_cast<std::size_t>(m_axis)],
                product(shape.begin() + m_axis + 1, shape.end())};
    }

    int m_axis;
};

/// keras/src/layers/activations/softmax.py: softmax along `axis`. A mask (supports_masking) is
/// applied by broadcasting it against the inputs (`where(mask, inputs, -1e9)`), which for
/// Shapeflow's (batch, steps) masks of (batch, steps, ...) tensors does not broadcast: refused,
/// as Keras refuses it when it runs.
class Softmax final : public Layer {
public:
    Softmax()
        : Layer({"Softmax",
                 "softmax",
                 LayerCategory::Activations,
                 "Softmax along one axis: positive values that sum to 1.",
                 {"inputs"},
                 false,
                 1,
                 {{"axis",
                   ParamKind::Integer,
                   std::int64_t{-1},
                   ValueRule::Any,
                   {},
                   "Axis to normalize; -1 is the last."}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        const int rank = in.shape.rank();
        const std::int64_t axis = arguments(ctx.node.params).integer("axis");
        if (axis < -rank || axis >= rank) {
            ctx.error(code::kInvalidArgument,
                      "Layer " + ctx.quoted() + " has axis=" + std::to_string(axis) +
                          ", out of bounds for inputs of rank " + std::to_string(rank) +
                          ". Received: input.shape=" + in.shape.toKeras(),
                      "Use -1 to normalize along the last axis.");
            return {};
        }
        if (in.maskFrom.isValid()) {
            std::vector<Dim> maskDims(in.shape.dims().begin(), in.shape.dims().end() - 1);
            Diagnostic& d = ctx.error(code::kMaskNotBroadcastable,
                                      "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or "
                                      "match the corresponding input dimension. Received: inputs.shape=" +
                                          in.shape.toKeras() + ", mask.shape=" + Shape(std::move(maskDims)).toKeras(),
                                      "The mask made by " + ctx.quoted(in.maskFrom) +
                                          " reaches this Softmax, which Keras applies by broadcasting it against the "
                                          "inputs. Consume the mask first (GlobalAveragePooling1D), or use "
                                          "Activation('softmax'), which passes the mask on untouched.",
                                      ctx.inputs[0].port);
            d.related = in.maskFrom;
            return {};
        }
        return {in, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }

    Count flops(const Node&, const Shape*, const Shape& output) const override
    {
        return sampleElementCount(output) * Count::of(activationFlopsPerElement("softmax"));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const auto rank = static_cast<int>(b.shape.size());
        const auto axis = static_cast<int>(arguments(b.node.params).integer("axis"));
        return std::make_unique<SoftmaxOp>(axis < 0 ? axis + rank : axis);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "axis " + std::to_string(arguments(params).integer("axis"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeSoftmax()
{
    return std::make_unique<Softmax>();
}

} // namespace sf
