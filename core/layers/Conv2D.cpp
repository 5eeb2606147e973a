#include "ActivationArgument.h"
#include "Convolution.h"
#include "ImageFormat.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/convolutional/conv2d.py on base_conv.py with rank=2: activation(conv(x,
/// kernel) + bias), (batch, rows, cols, channels) to (batch, out rows, out cols, filters), or with
/// data_format="channels_first" (batch, channels, rows, cols) to (batch, filters, out rows, out
/// cols); the kernel (rows, cols, channels / groups, filters) whatever the data_format. Keras 3's
/// data_format=None is the backend's image_data_format, channels_last, and get_config writes the
/// resolved name; tf.keras 2 (tf_keras/layers/convolutional/conv2d.py) writes the same, and
/// TensorFlow.js's 'channelsLast' reaches the file as 'channels_last' (serialization_utils.ts
/// turns string values to snake case). Keras 3 checks min_ndim=4 and refuses a higher rank in
/// compute_conv_output_shape (tf.keras folds extra leading axes into the batch; Shapeflow follows
/// Keras 3); padding is valid or same only (causal is 1-D's). TensorFlow.js has no `groups`.
/// No mask support in any of them (Keras 3 drops the mask with a warning).
class Conv2D final : public Layer {
public:
    Conv2D()
        : Layer({"Conv2D",
                 "conv2d",
                 LayerCategory::Convolution,
                 "2-D convolution over an image: activation(conv(x, kernel) + bias).",
                 {"inputs"},
                 false,
                 1,
                 conv::params(2, false, conv::groupsParam())},
                conv::kerasExtras({"kernel"}, 2, {.keras1 = {"Convolution2D", "AtrousConvolution2D"}}))
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Args a(arguments(ctx.node.params));
        if (!conv::checkFiltersPerGroup(ctx, a.filters, a.groups))
            return {};
        const auto sizes = conv::outputSizes(ctx, a.axes, a.channelsFirst, a.filters);
        if (!sizes)
            return {};
        const std::int64_t channels = conv::channels(ctx, a.channelsFirst);
        if (!conv::checkChannelsPerGroup(ctx, channels, a.groups))
            return {};
        auto weights = checkedMultiply(conv::windowSize(a.axes), channels / a.groups);
        if (weights)
            weights = checkedMultiply(*weights, a.filters);
        if (weights && a.useBias)
            *weights += a.filters;
        return conv::output(ctx, *sizes, a.filters, a.channelsFirst, weights,
                            "kernel_size=(" + std::to_string(a.axes[0].kernel) + ", " +
                                std::to_string(a.axes[1].kernel) + "), channels=" + std::to_string(channels) +
                                ", filters=" + std::to_string(a.filters));
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        const std::int64_t channels = (a.channelsFirst ? inputs[0][1] : inputs[0].last()).size();
        std::vector<WeightSpec> w{{"kernel",
                                   {a.axes[0].kernel, a.axes[1].kernel, channels / a.groups, a.filters},
                                   Initializer::GlorotUniform}};
        if (a.useBias)
            w.push_back({"bias", {a.filters}, Initializer::Zeros});
        return w;
    }

    /// Per output element: 2 · rows · cols · channels / groups for the products and sums, 1 for
    /// the bias, and the activation's cost.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        const Args a(arguments(node.params));
        if (!input || input->rank() != 4)
            return Count::unknown();
        const Dim& channels = a.channelsFirst ? (*input)[1] : input->last();
        if (!channels.isKnown())
            return Count::unknown();
        const std::int64_t perElement = activationFlopsPerElement(a.activation) + (a.useBias ? 1 : 0);
        return sampleElementCount(output) *
               (Count::of(2 * conv::windowSize(a.axes)) * Count::of(channels.size() / a.groups) +
                Count::of(perElement));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        return conv::conv2DOp(b, {a.axes, a.channelsFirst, a.groups, 0, false, a.activation, a.useBias});
    }

    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        conv::refuseLora(config, reading);
        image::readKeras1DimOrdering(config);
        return Layer::readKerasArguments(config, reading);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        return conv::cardSummary(a.filters, a.axes, a.channelsFirst, a.activation,
                                 a.groups != 1 ? "groups " + std::to_string(a.groups) : std::string());
    }

private:
    struct Args {
        std::int64_t filters;
        std::vector<Conv1DGeometry> axes;
        bool channelsFirst;
        std::int64_t groups;
        std::string activation;
        bool useBias;
        explicit Args(const Arguments& a)
            : filters(a.integer("filters")), axes(conv::geometries(a, 2)), channelsFirst(conv::channelsFirst(a, 2)),
              groups(a.integer("groups")), activation(a.text("activation")), useBias(a.boolean("use_bias"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeConv2D()
{
    return std::make_unique<Conv2D>();
}

} // namespace sf
