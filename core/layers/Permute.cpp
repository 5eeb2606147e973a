#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <numeric>

namespace sf {

namespace {

/// Each sample's axes reordered: output axis i is input axis order[i] (0-based, the batch axis
/// left out). Walks the output in order with a counter per axis.
class PermuteOp final : public Op {
public:
    explicit PermuteOp(std::vector<Index> order) : m_order(std::move(order)) {}

    void forward(const ForwardContext&) override
    {
        walk([](float* out, float* in) { *out = *in; }, output->value.data, inputs[0]->value.data);
    }

    void backward() override
    {
        if (inputs[0]->grad.data)
            walk([](float* out, float* in) { *in += *out; }, output->grad.data, inputs[0]->grad.data);
    }

private:
    /// Calls visit(output element, input element) for every element, in output order.
    template <class Visit> void walk(Visit visit, float* out, float* in) const
    {
        const std::vector<Index>& inShape = inputs[0]->value.shape; // (batch, sample axes...)
        const std::size_t axes = m_order.size();
        std::vector<Index> inStrides(axes, 1);
        for (std::size_t a = axes; a-- > 1;)
            inStrides[a - 1] = inStrides[a] * inShape[a + 1];
        std::vector<Index> outShape(axes), stride(axes);
        for (std::size_t i = 0; i < axes; ++i) {
            outShape[i] = inShape[static_cast<std::size_t>(m_order[i]) + 1];
            stride[i] = inStrides[static_cast<std::size_t>(m_order[i])];
        }
        const Index sample = std::accumulate(outShape.begin(), outShape.end(), Index{1}, std::multiplies<>());
        std::vector<Index> at(axes, 0);
        for (Index b = 0; b < inShape[0]; ++b) {
            std::fill(at.begin(), at.end(), 0);
            Index from = b * sample;
            for (Index i = 0; i < sample; ++i) {
                visit(out + b * sample + i, in + from);
                for (std::size_t a = axes; a-- > 0;) { // the next output index, odometer style
                    from += stride[a];
                    if (++at[a] < outShape[a])
                        break;
                    from -= stride[a] * outShape[a];
                    at[a] = 0;
                }
            }
        }
    }

    std::vector<Index> m_order;
};

/// keras/src/layers/reshaping/permute.py: Permute(dims) reorders each sample's axes, `dims` the
/// 1-based input axis for each output axis (a permutation of 1..n; the batch axis stays), for
/// inputs of rank n + 1. tf.keras 2 (tf_keras/layers/reshaping/permute.py) and TensorFlow.js
/// (tfjs-layers/src/layers/core.ts) take the same argument and words. No mask support in Keras 3
/// or tf.keras.
class Permute final : public Layer {
public:
    Permute()
        : Layer({"Permute",
                 "permute",
                 LayerCategory::Reshaping,
                 "Reorders each sample's axes: dims=(2, 1) swaps steps and features.",
                 {"inputs"},
                 false,
                 1,
                 {{"dims",
                   ParamKind::Shape,
                   DimList{std::int64_t{2}, std::int64_t{1}},
                   ValueRule::Any,
                   {},
                   "For each output axis, the input axis it takes (1-based, the batch axis left out).",
                   true}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const DimList& dims = arguments(ctx.node.params).dims("dims");
        std::vector<std::int64_t> sorted;
        for (const auto& d : dims)
            sorted.push_back(d.value_or(0));
        std::sort(sorted.begin(), sorted.end());
        std::vector<std::int64_t> expected(dims.size());
        std::iota(expected.begin(), expected.end(), std::int64_t{1});
        if (dims.empty() || sorted != expected) {
            ctx.error(code::kInvalidArgument,
                      "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be "
                      "consecutive and start from 1. Received dims=" +
                          toKerasTuple(dims),
                      "Layer " + ctx.quoted() + ": list each axis 1.." +
                          std::to_string(std::max<std::size_t>(dims.size(), 1)) + " once.");
            return {};
        }
        if (!rules::expectRank(ctx, 0, static_cast<int>(dims.size()) + 1))
            return {};
        const TensorInfo& in = ctx.in();
        std::vector<Dim> out{in.shape[0]};
        for (const auto& d : dims)
            out.push_back(in.shape[static_cast<int>(*d)]);
        TensorInfo result;
        result.shape = Shape(std::move(out));
        result.dtype = in.dtype;
        return {result, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }
    Count flops(const Node&, const Shape*, const Shape&) const override { return Count::of(0); }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        std::vector<Index> order;
        for (const auto& d : arguments(b.node.params).dims("dims"))
            order.push_back(*d - 1);
        return std::make_unique<PermuteOp>(std::move(order));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return toKerasTuple(arguments(params).dims("dims"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makePermute()
{
    return std::make_unique<Permute>();
}

} // namespace sf
