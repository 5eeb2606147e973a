#include "ActivationArgument.h"
#include "Convolution.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/convolutional/separable_conv1d.py on base_separable_conv.py: a depthwise
/// convolution (each input channel convolved with depth_multiplier filters of its own, kernel
/// (kernel_size, channels, depth_multiplier)), then a pointwise one (kernel (1, channels *
/// depth_multiplier, filters)), then bias and activation. Keras 3 allows padding "valid" and
/// "same" only (standardize_padding without allow_causal) and does not check strides against
/// dilation_rate itself; tf.keras 2 (tf_keras/layers/convolutional/separable_conv1d.py) also
/// allows "causal" and refuses strides > 1 with dilation_rate > 1 (Conv's _validate_init), as
/// Shapeflow does since the backends cannot run it. TensorFlow.js has no SeparableConv1D (only
/// SeparableConv2D). No mask support in any of them.
class SeparableConv1D final : public Layer {
public:
    SeparableConv1D()
        : Layer({"SeparableConv1D",
                 "separable_conv1d",
                 LayerCategory::Convolution,
                 "Depthwise then pointwise 1-D convolution: fewer weights than a Conv1D of the same window.",
                 {"inputs"},
                 false,
                 1,
                 conv::params(1, false, conv::depthMultiplierParam())},
                conv::kerasExtras({"depthwise", "pointwise"}, 1, {.aliases = {"SeparableConvolution1D"}}))
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Args a(arguments(ctx.node.params));
        const auto steps = conv::outputSizes(ctx, {a.geometry}, false, a.filters);
        if (!steps)
            return {};
        const TensorInfo& in = ctx.in();
        const std::int64_t channels = in.shape.last().size();
        const auto depthwise = checkedMultiply(channels, a.depthMultiplier);
        std::optional<std::int64_t> weights;
        if (depthwise) {
            const auto first = checkedMultiply(*depthwise, a.geometry.kernel);
            const auto second = checkedMultiply(*depthwise, a.filters);
            if (first && second && *first <= rules::kMaxLayerWeights && *second <= rules::kMaxLayerWeights)
                weights = *first + *second + (a.useBias ? a.filters : 0);
        }
        return conv::output(
            ctx, *steps, a.filters, false, weights,
            "kernel_size=" + std::to_string(a.geometry.kernel) + ", channels=" + std::to_string(channels) +
                ", depth_multiplier=" + std::to_string(a.depthMultiplier) + ", filters=" + std::to_string(a.filters));
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        const std::int64_t channels = inputs[0].last().size();
        std::vector<WeightSpec> w{
            {"depthwise_kernel", {a.geometry.kernel, channels, a.depthMultiplier}, Initializer::GlorotUniform},
            {"pointwise_kernel", {1, channels * a.depthMultiplier, a.filters}, Initializer::GlorotUniform}};
        if (a.useBias)
            w.push_back({"bias", {a.filters}, Initializer::Zeros});
        return w;
    }

    /// Per output step: 2 · kernel_size per depthwise output (channels · depth_multiplier of
    /// them), then per output element 2 · channels · depth_multiplier, 1 for the bias and the
    /// activation's cost.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        if (!input || !input->last().isKnown() || output.rank() != 3 || !output[1].isKnown())
            return Count::unknown();
        const Args a(arguments(node.params));
        const Count depthwise = Count::of(input->last().size()) * Count::of(a.depthMultiplier);
        const std::int64_t perElement = activationFlopsPerElement(a.activation) + (a.useBias ? 1 : 0);
        return Count::of(output[1].size()) * depthwise * Count::of(2 * a.geometry.kernel) +
               sampleElementCount(output) * (Count::of(2) * depthwise + Count::of(perElement));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const Activation f = activationFromName(a.activation);
        const Index channels = b.inputs[0]->value.shape[2];
        const Index depthwiseFilters = channels * a.depthMultiplier;
        const std::vector<Index> depthwiseShape{b.shape[0], b.shape[1], depthwiseFilters};
        const conv::PreActivation z = conv::preActivation(b, f);
        return std::make_unique<SeparableConv1DOp>(conv::convolution1D(b, a.geometry, channels, depthwiseFilters),
                                                   b.weights[0], b.weights[1], a.useBias ? b.weights[2] : nullptr, f,
                                                   b.scratch(depthwiseShape, b.batched),
                                                   b.scratch(depthwiseShape, b.batched), z.value, z.grad);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        return conv::cardSummary(a.filters, {a.geometry}, false, a.activation,
                                 a.depthMultiplier != 1 ? "depth ×" + std::to_string(a.depthMultiplier)
                                                        : std::string());
    }

private:
    struct Args {
        std::int64_t filters;
        Conv1DGeometry geometry;
        std::int64_t depthMultiplier;
        std::string activation;
        bool useBias;
        explicit Args(const Arguments& a)
            : filters(a.integer("filters")), geometry(conv::geometry(a, 0)),
              depthMultiplier(a.integer("depth_multiplier")), activation(a.text("activation")),
              useBias(a.boolean("use_bias"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeSeparableConv1D()
{
    return std::make_unique<SeparableConv1D>();
}

} // namespace sf
