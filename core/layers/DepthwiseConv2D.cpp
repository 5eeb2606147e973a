#include "ActivationArgument.h"
#include "Convolution.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/LayerFlops.h"

#include <algorithm>

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/convolutional/depthwise_conv2d.py on base_depthwise_conv.py with rank=2: each
/// input channel convolved with depth_multiplier filters of its own, output channel c *
/// depth_multiplier + m from channel c, then bias (channels * depth_multiplier) and activation.
/// Keras 3 names the (rows, cols, channels, depth_multiplier) kernel `kernel`; tf.keras 2
/// (tf_keras/layers/convolutional/depthwise_conv2d.py) names it `depthwise_kernel`, writes
/// Conv2D's config without filters and the kernel_* fields (so with `groups: 1`), and refuses
/// an input of a rank other than 4 ("Inputs to `DepthwiseConv` should have rank 4") where Keras 3
/// checks min_ndim=4 and then refuses a higher rank in compute_conv_output_shape. Keras 3 does not
/// check strides > 1 against dilation_rate > 1 itself (its backends refuse it when run); tf.keras
/// does (Conv's _validate_init), and so does Shapeflow. TensorFlow.js (depthwiseConv2d in
/// convolutional_depthwise.ts) names the kernel `depthwise_kernel` too. Padding valid or same. No
/// mask support.
class DepthwiseConv2D final : public Layer {
public:
    DepthwiseConv2D()
        : Layer({"DepthwiseConv2D",
                 "depthwise_conv2d",
                 LayerCategory::Convolution,
                 "Each channel convolved apart with depth_multiplier filters of its own.",
                 {"inputs"},
                 false,
                 1,
                 params()},
                conv::kerasExtras({"depthwise"}, 2))
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Args a(arguments(ctx.node.params));
        const TensorInfo& in = ctx.in();
        // For compute_conv_output_shape's words: the filters are channels * depth_multiplier.
        std::int64_t filters = -1;
        if (in.shape.rank() >= 2) {
            const Dim& channels = a.channelsFirst ? in.shape[1] : in.shape.last();
            if (channels.isKnown())
                filters = checkedMultiply(channels.size(), a.depthMultiplier).value_or(-1);
        }
        const auto sizes = conv::outputSizes(ctx, a.axes, a.channelsFirst, filters);
        if (!sizes)
            return {};
        const std::int64_t channels = conv::channels(ctx, a.channelsFirst);
        const auto outputs = checkedMultiply(channels, a.depthMultiplier);
        std::optional<std::int64_t> weights;
        if (outputs)
            weights = checkedMultiply(*outputs, conv::windowSize(a.axes));
        if (weights && a.useBias)
            *weights += *outputs;
        return conv::output(ctx, *sizes, outputs.value_or(0), a.channelsFirst, weights,
                            "kernel_size=(" + std::to_string(a.axes[0].kernel) + ", " +
                                std::to_string(a.axes[1].kernel) + "), channels=" + std::to_string(channels) +
                                ", depth_multiplier=" + std::to_string(a.depthMultiplier));
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        const std::int64_t channels = (a.channelsFirst ? inputs[0][1] : inputs[0].last()).size();
        std::vector<WeightSpec> w{
            {"kernel", {a.axes[0].kernel, a.axes[1].kernel, channels, a.depthMultiplier}, Initializer::GlorotUniform}};
        if (a.useBias)
            w.push_back({"bias", {channels * a.depthMultiplier}, Initializer::Zeros});
        return w;
    }

    /// Per output element: 2 · rows · cols for the products and sums, 1 for the bias, and the
    /// activation's cost.
    Count flops(const Node& node, const Shape*, const Shape& output) const override
    {
        const Args a(arguments(node.params));
        const std::int64_t perElement = activationFlopsPerElement(a.activation) + (a.useBias ? 1 : 0);
        return sampleElementCount(output) * Count::of(2 * conv::windowSize(a.axes) + perElement);
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        return conv::conv2DOp(b, {a.axes, a.channelsFirst, 1, a.depthMultiplier, false, a.activation, a.useBias});
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        std::string text =
            conv::cardSummary(0, a.axes, a.channelsFirst, a.activation,
                              a.depthMultiplier != 1 ? "depth ×" + std::to_string(a.depthMultiplier) : std::string());
        return text.substr(text.find(' ') + 1); // no filters: the window first
    }

private:
    /// Keras's order: kernel_size, strides, padding, depth_multiplier, data_format,
    /// dilation_rate, activation, use_bias (no filters, no groups).
    static std::vector<ParamSpec> params()
    {
        std::vector<ParamSpec> p = conv::params(2, false, conv::depthMultiplierParam());
        p.erase(p.begin()); // filters
        const auto at = [&](const char* name) {
            return std::find_if(p.begin(), p.end(), [&](const ParamSpec& s) { return s.name == name; });
        };
        ParamSpec depth = *at("depth_multiplier");
        p.erase(at("depth_multiplier"));
        p.insert(at("data_format"), std::move(depth));
        return p;
    }

    struct Args {
        std::vector<Conv1DGeometry> axes;
        bool channelsFirst;
        std::int64_t depthMultiplier;
        std::string activation;
        bool useBias;
        explicit Args(const Arguments& a)
            : axes(conv::geometries(a, 2)), channelsFirst(conv::channelsFirst(a, 2)),
              depthMultiplier(a.integer("depth_multiplier")), activation(a.text("activation")),
              useBias(a.boolean("use_bias"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeDepthwiseConv2D()
{
    return std::make_unique<DepthwiseConv2D>();
}

} // namespace sf
