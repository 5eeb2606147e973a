#include "ActivationArgument.h"
#include "Convolution.h"
#include "ImageFormat.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <algorithm>

namespace sf {

namespace {

using nlohmann::json;

/// Keras 1's Deconvolution2D wrote its `output_shape`, batch included, which only repeats what
/// the arguments make of its input; Keras 2's legacy_deconv2d_support dropped it.
KerasExtras kerasExtras()
{
    KerasExtras extras =
        conv::kerasExtras({"kernel"}, 2, {.keras1 = {"Deconvolution2D"}, .aliases = {"Convolution2DTranspose"}});
    extras.derivedFields.push_back("output_shape");
    return extras;
}

/// One axis of a transposed convolution (keras/src/backend/common/backend_utils.py): the output
/// size (_get_output_shape_given_tf_padding) and the output rows before the first input pixel's
/// window, which the JAX and NumPy backends place (_convert_conv_transpose_padding_args_from_keras
/// _to_jax: the input dilated by strides and padded `left` before, convolved with the flipped
/// kernel, so input pixel i's window starts at output i * strides - (span - 1 - left)).
struct TransposedAxis {
    Index size;
    Index crop;
};

TransposedAxis transposedAxis(Index input, const Conv1DGeometry& g, std::optional<Index> outputPadding)
{
    const Index span = g.span();
    if (g.padding == Conv1DGeometry::Padding::Valid) {
        const Index extra = outputPadding ? *outputPadding : std::max(span, g.strides) - span;
        return {(input - 1) * g.strides + span + extra, 0};
    }
    const Index padding = outputPadding ? span + span % 2 - 2 + *outputPadding : g.strides + span - 2;
    const Index left = std::min(padding / 2 + padding % 2, span - 1);
    const Index size = outputPadding ? (input - 1) * g.strides + span % 2 + *outputPadding : input * g.strides;
    return {size, span - 1 - left};
}

/// keras/src/layers/convolutional/conv2d_transpose.py on base_conv_transpose.py with rank=2: each
/// input pixel spreads its channels through the (rows, cols, filters, channels) kernel over a
/// window of the output, windows `strides` apart (the gradient of a Conv2D with respect to its
/// input), then bias and activation. Keras 3 checks output_padding < strides (twice, the first
/// message being the one raised) and strides > 1 against dilation_rate > 1; the output size is
/// _get_output_shape_given_tf_padding's, which tf.keras 2 (tf_keras/layers/convolutional/
/// conv2d_transpose.py, conv_utils.deconv_output_length) computes alike. Where the windows sit
/// when the padding is uneven follows the JAX and NumPy backends; the TensorFlow backend may put
/// an odd row on the other side for an even window with "same" padding. tf.keras refuses an
/// input of a rank other than 4 and has no `groups`, as Keras 3 has none. TensorFlow.js
/// (Conv2DTranspose in convolutional.ts) has no output_padding and no dilation_rate. No mask
/// support.
class Conv2DTranspose final : public Layer {
public:
    Conv2DTranspose()
        : Layer({"Conv2DTranspose",
                 "conv2d_transpose",
                 LayerCategory::Convolution,
                 "Transposed 2-D convolution: each input pixel spreads over a window of a larger image.",
                 {"inputs"},
                 false,
                 1,
                 params()},
                kerasExtras())
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Args a(arguments(ctx.node.params));
        if (!a.outputPadding.empty())
            for (std::size_t i = 0; i < 2; ++i)
                if (a.outputPadding[i] >= a.axes[i].strides) {
                    Diagnostic& d = ctx.error(
                        code::kInvalidArgument,
                        "`output_padding` must be strictly less than `strides` for all dimensions. At dimension " +
                            std::to_string(i) + ", `output_padding` is " + std::to_string(a.outputPadding[i]) +
                            " but `strides` is " + std::to_string(a.axes[i].strides) +
                            ". Received: output_padding=" + pair(a.outputPadding[0], a.outputPadding[1]) +
                            ", strides=" + pair(a.axes[0].strides, a.axes[1].strides),
                        "The extra rows or columns output_padding adds must fit between two windows.");
                    d.fixes.push_back({"Set output_padding=None on " + ctx.quoted(),
                                       SetArgument{ctx.node.id, "output_padding", std::monostate{}}});
                    return {};
                }
        if (!conv::checkInput(ctx, a.axes, a.channelsFirst, a.filters))
            return {};
        const TensorInfo& in = ctx.in();
        std::vector<Dim> sizes;
        for (std::size_t i = 0; i < 2; ++i) {
            const Dim& size = in.shape[static_cast<int>(i) + (a.channelsFirst ? 2 : 1)];
            if (!size.isKnown()) {
                sizes.push_back(Dim::unknown(ctx.node.id));
                continue;
            }
            const TransposedAxis t = transposedAxis(size.size(), a.axes[i], padding(a, i));
            if (t.size <= 0) {
                ctx.error(code::kInvalidArgument,
                          "The output of " + ctx.quoted() + " would have " + std::to_string(t.size) +
                              (i == 0 ? " rows" : " columns") + " for the input shape " + in.shape.toKeras() + ".",
                          "With padding='same', an even window and output_padding 0 leave no output for an input "
                          "of size 1: set output_padding to None or 1, or use padding='valid'.",
                          ctx.inputs[0].port);
                return {};
            }
            sizes.push_back(Dim::known(t.size));
        }
        const std::int64_t channels = conv::channels(ctx, a.channelsFirst);
        auto weights = checkedMultiply(conv::windowSize(a.axes), channels);
        if (weights)
            weights = checkedMultiply(*weights, a.filters);
        if (weights && a.useBias)
            *weights += a.filters;
        return conv::output(ctx, sizes, a.filters, a.channelsFirst, weights,
                            "kernel_size=" + pair(a.axes[0].kernel, a.axes[1].kernel) +
                                ", channels=" + std::to_string(channels) + ", filters=" + std::to_string(a.filters));
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        const std::int64_t channels = (a.channelsFirst ? inputs[0][1] : inputs[0].last()).size();
        std::vector<WeightSpec> w{
            {"kernel", {a.axes[0].kernel, a.axes[1].kernel, a.filters, channels}, Initializer::GlorotUniform}};
        if (a.useBias)
            w.push_back({"bias", {a.filters}, Initializer::Zeros});
        return w;
    }

    /// Per input pixel: 2 · rows · cols · filters · channels for the products and sums; per output
    /// element 1 for the bias and the activation's cost.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        const Args a(arguments(node.params));
        if (!input || input->rank() != 4)
            return Count::unknown();
        const std::int64_t perElement = activationFlopsPerElement(a.activation) + (a.useBias ? 1 : 0);
        return sampleElementCount(*input) * Count::of(2 * conv::windowSize(a.axes)) * Count::of(a.filters) +
               sampleElementCount(output) * Count::of(perElement);
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const std::vector<Index>& in = b.inputs[0]->value.shape;
        conv::Conv2DOpSpec spec{a.axes, a.channelsFirst, 1, 0, false, a.activation, a.useBias};
        spec.transposed = true;
        for (std::size_t i = 0; i < 2; ++i)
            spec.crop[i] = transposedAxis(in[i + (a.channelsFirst ? 2 : 1)], a.axes[i], padding(a, i)).crop;
        return conv::conv2DOp(b, spec);
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
                                 a.outputPadding.empty() ? std::string()
                                                         : "output_padding " + std::to_string(a.outputPadding[0]) +
                                                               "×" + std::to_string(a.outputPadding[1]));
    }

private:
    /// Keras's order: filters, kernel_size, strides, padding, output_padding, data_format,
    /// dilation_rate, activation, use_bias.
    static std::vector<ParamSpec> params()
    {
        std::vector<ParamSpec> p =
            conv::params(2, false,
                         {"output_padding",
                          ParamKind::IntTuple,
                          std::monostate{},
                          ValueRule::NonNegative,
                          {},
                          "Extra rows and columns after the last window, each less than the strides; None: "
                          "as the padding implies.",
                          false,
                          {},
                          2});
        const auto at = [&](const char* name) {
            return std::find_if(p.begin(), p.end(), [&](const ParamSpec& s) { return s.name == name; });
        };
        ParamSpec outputPadding = *at("output_padding");
        p.erase(at("output_padding"));
        p.insert(at("data_format"), std::move(outputPadding));
        return p;
    }

    static std::string pair(Index a, Index b) { return "(" + std::to_string(a) + ", " + std::to_string(b) + ")"; }

    struct Args {
        std::int64_t filters;
        std::vector<Conv1DGeometry> axes;
        std::vector<Index> outputPadding; ///< empty for None
        bool channelsFirst;
        std::string activation;
        bool useBias;
        explicit Args(const Arguments& a)
            : filters(a.integer("filters")), axes(conv::geometries(a, 2)), channelsFirst(conv::channelsFirst(a, 2)),
              activation(a.text("activation")), useBias(a.boolean("use_bias"))
        {
            for (const auto& d : a.dims("output_padding"))
                outputPadding.push_back(d.value_or(0));
        }
    };

    static std::optional<Index> padding(const Args& a, std::size_t axis)
    {
        if (a.outputPadding.empty())
            return std::nullopt;
        return a.outputPadding[axis];
    }
};

} // namespace

std::unique_ptr<const LayerType> makeConv2DTranspose()
{
    return std::make_unique<Conv2DTranspose>();
}

} // namespace sf
