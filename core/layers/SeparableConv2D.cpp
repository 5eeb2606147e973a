#include "ActivationArgument.h"
#include "Convolution.h"
#include "ImageFormat.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/convolutional/separable_conv2d.py on base_separable_conv.py with rank=2: a
/// depthwise convolution (each input channel with depth_multiplier filters of its own, kernel
/// (rows, cols, channels, depth_multiplier)), then a pointwise one (kernel (1, 1, channels *
/// depth_multiplier, filters)), then bias and activation. Keras 3 does not check strides > 1
/// against dilation_rate > 1 itself; tf.keras 2 (tf_keras/layers/convolutional/
/// separable_conv2d.py) does (Conv's _validate_init), as Shapeflow does. tf.keras and
/// TensorFlow.js (SeparableConv2D in convolutional.ts) name and shape the weights alike. Padding
/// valid or same. No mask support.
class SeparableConv2D final : public Layer {
public:
    SeparableConv2D()
        : Layer({"SeparableConv2D",
                 "separable_conv2d",
                 LayerCategory::Convolution,
                 "Depthwise then pointwise 2-D convolution: fewer weights than a Conv2D of the same window.",
                 {"inputs"},
                 false,
                 1,
                 conv::params(2, false, conv::depthMultiplierParam())},
                conv::kerasExtras({"depthwise", "pointwise"}, 2, {.keras1 = {"SeparableConvolution2D"}}))
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Args a(arguments(ctx.node.params));
        const auto sizes = conv::outputSizes(ctx, a.axes, a.channelsFirst, a.filters);
        if (!sizes)
            return {};
        const std::int64_t channels = conv::channels(ctx, a.channelsFirst);
        const auto depthwise = checkedMultiply(channels, a.depthMultiplier);
        std::optional<std::int64_t> weights;
        if (depthwise) {
            const auto first = checkedMultiply(*depthwise, conv::windowSize(a.axes));
            const auto second = checkedMultiply(*depthwise, a.filters);
            if (first && second && *first <= rules::kMaxLayerWeights && *second <= rules::kMaxLayerWeights)
                weights = *first + *second + (a.useBias ? a.filters : 0);
        }
        return conv::output(ctx, *sizes, a.filters, a.channelsFirst, weights,
                            "kernel_size=(" + std::to_string(a.axes[0].kernel) + ", " +
                                std::to_string(a.axes[1].kernel) + "), channels=" + std::to_string(channels) +
                                ", depth_multiplier=" + std::to_string(a.depthMultiplier) +
                                ", filters=" + std::to_string(a.filters));
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        const std::int64_t channels = (a.channelsFirst ? inputs[0][1] : inputs[0].last()).size();
        std::vector<WeightSpec> w{
            {"depthwise_kernel",
             {a.axes[0].kernel, a.axes[1].kernel, channels, a.depthMultiplier},
             Initializer::GlorotUniform},
            {"pointwise_kernel", {1, 1, channels * a.depthMultiplier, a.filters}, Initializer::GlorotUniform}};
        if (a.useBias)
            w.push_back({"bias", {a.filters}, Initializer::Zeros});
        return w;
    }

    /// Per output pixel: 2 · rows · cols per depthwise output (channels · depth_multiplier of
    /// them), then per output element 2 · channels · depth_multiplier, 1 for the bias and the
    /// activation's cost.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        const Args a(arguments(node.params));
        if (!input || input->rank() != 4 || output.rank() != 4)
            return Count::unknown();
        const Dim& channels = a.channelsFirst ? (*input)[1] : input->last();
        const Dim& rows = output[a.channelsFirst ? 2 : 1];
        const Dim& cols = output[a.channelsFirst ? 3 : 2];
        if (!channels.isKnown() || !rows.isKnown() || !cols.isKnown())
            return Count::unknown();
        const Count depthwise = Count::of(channels.size()) * Count::of(a.depthMultiplier);
        const std::int64_t perElement = activationFlopsPerElement(a.activation) + (a.useBias ? 1 : 0);
        return Count::of(rows.size()) * Count::of(cols.size()) * depthwise * Count::of(2 * conv::windowSize(a.axes)) +
               sampleElementCount(output) * (Count::of(2) * depthwise + Count::of(perElement));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        return conv::conv2DOp(b, {a.axes, a.channelsFirst, 1, a.depthMultiplier, true, a.activation, a.useBias});
    }

    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override
    {
        image::readKeras1DimOrdering(config); // legacy_separable_conv2d_support
        return Layer::readKerasArguments(config, reading);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        return conv::cardSummary(a.filters, a.axes, a.channelsFirst, a.activation,
                                 a.depthMultiplier != 1 ? "depth ×" + std::to_string(a.depthMultiplier)
                                                        : std::string());
    }

private:
    struct Args {
        std::int64_t filters;
        std::vector<Conv1DGeometry> axes;
        bool channelsFirst;
        std::int64_t depthMultiplier;
        std::string activation;
        bool useBias;
        explicit Args(const Arguments& a)
            : filters(a.integer("filters")), axes(conv::geometries(a, 2)), channelsFirst(conv::channelsFirst(a, 2)),
              depthMultiplier(a.integer("depth_multiplier")), activation(a.text("activation")),
              useBias(a.boolean("use_bias"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeSeparableConv2D()
{
    return std::make_unique<SeparableConv2D>();
}

} // namespace sf
