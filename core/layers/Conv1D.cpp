#include "ActivationArgument.h"
#include "Convolution.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/convolutional/conv1d.py on base_conv.py: activation(conv(x, kernel) + bias),
/// (batch, steps, channels) to (batch, outputs, filters), the kernel (kernel_size, channels /
/// groups, filters). Keras 3 checks min_ndim=3 and then refuses a rank above 3 in
/// compute_conv_output_shape; tf.keras 2 (tf_keras/layers/convolutional/conv1d.py) takes the
/// same arguments and defaults and folds extra leading axes into the batch instead (Shapeflow
/// follows Keras 3: rank 3 only), words its errors slightly otherwise ("cannot contain 0(s)"),
/// and allows causal padding for Conv1D and SeparableConv1D both. TensorFlow.js
/// (tfjs-layers/src/layers/convolutional.ts) has no `groups`. None of the three supports
/// masking: Keras 3 warns and drops a mask, tf.keras refuses it (compute_mask's TypeError).
class Conv1D final : public Layer {
public:
    Conv1D()
        : Layer({"Conv1D",
                 "conv1d",
                 LayerCategory::Convolution,
                 "1-D convolution over the steps: activation(conv(x, kernel) + bias).",
                 {"inputs"},
                 false,
                 1,
                 conv::params(1, true, conv::groupsParam())},
                conv::kerasExtras({"kernel"}, 1, {.keras1 = {"Convolution1D", "AtrousConvolution1D"}}))
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Args a(arguments(ctx.node.params));
        if (!conv::checkFiltersPerGroup(ctx, a.filters, a.groups))
            return {};
        const auto steps = conv::outputSizes(ctx, {a.geometry}, false, a.filters);
        if (!steps)
            return {};
        const TensorInfo& in = ctx.in();
        const std::int64_t channels = in.shape.last().size();
        if (!conv::checkChannelsPerGroup(ctx, channels, a.groups)) // build
            return {};
        auto weights = checkedMultiply(a.geometry.kernel, channels / a.groups);
        if (weights)
            weights = checkedMultiply(*weights, a.filters);
        if (weights && a.useBias)
            *weights += a.filters;
        return conv::output(ctx, *steps, a.filters, false, weights,
                            "kernel_size=" + std::to_string(a.geometry.kernel) +
                                ", channels=" + std::to_string(channels) + ", filters=" + std::to_string(a.filters));
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        std::vector<WeightSpec> w{
            {"kernel", {a.geometry.kernel, inputs[0].last().size() / a.groups, a.filters}, Initializer::GlorotUniform}};
        if (a.useBias)
            w.push_back({"bias", {a.filters}, Initializer::Zeros});
        return w;
    }

    /// Per output element: 2 · kernel_size · channels / groups for the products and sums, 1 for
    /// the bias, and the activation's cost.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        if (!input || !input->last().isKnown())
            return Count::unknown();
        const Args a(arguments(node.params));
        const std::int64_t perElement = activationFlopsPerElement(a.activation) + (a.useBias ? 1 : 0);
        return sampleElementCount(output) *
               (Count::of(2 * a.geometry.kernel) * Count::of(input->last().size() / a.groups) + Count::of(perElement));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const Activation f = activationFromName(a.activation);
        const conv::PreActivation z = conv::preActivation(b, f);
        return std::make_unique<Conv1DOp>(conv::convolution1D(b, a.geometry, a.groups, a.filters), b.weights[0],
                                          a.useBias ? b.weights[1] : nullptr, f, z.value, z.grad);
    }

    /// LoRA (base_conv.py's lora_rank, which get_config writes when set) changes the kernel the
    /// layer uses: refused by name rather than read as a plain Conv1D.
    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        conv::refuseLora(config, reading);
        return Layer::readKerasArguments(config, reading);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        return conv::cardSummary(a.filters, {a.geometry}, false, a.activation,
                                 a.groups != 1 ? "groups " + std::to_string(a.groups) : std::string());
    }

private:
    struct Args {
        std::int64_t filters;
        Conv1DGeometry geometry;
        std::int64_t groups;
        std::string activation;
        bool useBias;
        explicit Args(const Arguments& a)
            : filters(a.integer("filters")), geometry(conv::geometry(a, 0)), groups(a.integer("groups")),
              activation(a.text("activation")), useBias(a.boolean("use_bias"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeConv1D()
{
    return std::make_unique<Conv1D>();
}

} // namespace sf
