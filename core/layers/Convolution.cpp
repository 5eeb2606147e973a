#include "Convolution.h"

#include "ActivationArgument.h"
#include "ImageFormat.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/Conv2DOp.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"

namespace sf::conv {

std::vector<ParamSpec> params(int rank, bool causal, ParamSpec extra)
{
    std::vector<std::string> paddings{"valid", "same"};
    if (causal)
        paddings.push_back("causal");
    const DimList one(static_cast<std::size_t>(rank), std::int64_t{1});
    const DimList three(static_cast<std::size_t>(rank), std::int64_t{3});
    const bool image = rank == 2;
    std::vector<ParamSpec> p{
        {"filters",
         ParamKind::Integer,
         std::int64_t{32},
         ValueRule::Positive,
         {},
         "Number of output channels.",
         true,
         "Invalid value for argument `filters`. Expected a strictly positive value. Received filters={}."},
        {"kernel_size",
         ParamKind::IntTuple,
         three,
         ValueRule::Positive,
         {},
         image ? "Rows and columns of each window." : "Steps in each window.",
         true},
        {"strides",
         ParamKind::IntTuple,
         one,
         ValueRule::Positive,
         {},
         image ? "Rows and columns between windows." : "Steps between windows."},
        {"padding", ParamKind::Choice, std::string("valid"), ValueRule::Any, paddings,
         causal  ? "valid: whole windows only; same: ceil(steps / strides) outputs, padded evenly; causal: "
                   "padded before only, so no output sees a later step."
         : image ? "valid: whole windows only; same: ceil(size / strides) outputs on each axis, padded evenly."
                 : "valid: whole windows only; same: ceil(steps / strides) outputs, padded evenly."}};
    if (image)
        p.push_back(image::dataFormatParam());
    p.push_back({"dilation_rate",
                 ParamKind::IntTuple,
                 one,
                 ValueRule::Positive,
                 {},
                 image ? "Rows and columns between the taps of a window." : "Steps between the taps of a window."});
    p.push_back(std::move(extra));
    p.push_back(activationParam("linear", "Applied to the output.", false));
    p.push_back({"use_bias", ParamKind::Boolean, true, ValueRule::Any, {}, "Add a bias vector."});
    for (ParamSpec& spec : p)
        if (spec.kind == ParamKind::IntTuple)
            spec.arity = rank;
    return p;
}

ParamSpec groupsParam()
{
    return {"groups",
            ParamKind::Integer,
            std::int64_t{1},
            ValueRule::Positive,
            {},
            "Channel groups convolved apart, each into filters / groups outputs.",
            false,
            "The number of groups must be a positive integer. Received: groups={}."};
}

ParamSpec depthMultiplierParam()
{
    return {"depth_multiplier",
            ParamKind::Integer,
            std::int64_t{1},
            ValueRule::Positive,
            {},
            "Depthwise filters per input channel.",
            false,
            "Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received "
            "depth_multiplier={}."};
}

bool checkFiltersPerGroup(RuleContext& ctx, std::int64_t filters, std::int64_t groups)
{
    if (filters % groups == 0)
        return true;
    Diagnostic& d = ctx.error(code::kInvalidArgument,
                              "The number of filters must be evenly divisible by the number of groups. "
                              "Received: groups=" +
                                  std::to_string(groups) + ", filters=" + std::to_string(filters) + ".",
                              "Each of the groups makes filters / groups of the outputs.");
    d.fixes.push_back({"Set groups=1 on " + ctx.quoted(), SetArgument{ctx.node.id, "groups", std::int64_t{1}}});
    return false;
}

bool checkChannelsPerGroup(RuleContext& ctx, std::int64_t channels, std::int64_t groups)
{
    if (channels % groups == 0)
        return true;
    Diagnostic& d =
        ctx.error(code::kInvalidArgument,
                  "The number of input channels must be evenly divisible by the number of groups. Received groups=" +
                      std::to_string(groups) + ", but the input has " + std::to_string(channels) +
                      " channels (full input shape is " + ctx.in().shape.toKeras() + ").",
                  "Each of the groups reads channels / groups of the input's channels.", ctx.inputs[0].port);
    d.fixes.push_back({"Set groups=1 on " + ctx.quoted(), SetArgument{ctx.node.id, "groups", std::int64_t{1}}});
    return false;
}

void refuseLora(const nlohmann::json& config, KerasLayerReading& reading)
{
    if (const nlohmann::json* rank = givenField(config, "lora_rank"); rank && !rank->is_null())
        reading.problem(code::kUnsupportedArgument, "lora_rank",
                        "Layer " + reading.quoted() + " has lora_rank=" + rank->dump() +
                            ": its kernel is adapted by LoRA, which Shapeflow does not model.");
}

namespace {

/// Keras 1's argument names of a convolution with kernels named `kernels`, and the Keras 2 names
/// Keras 2's legacy interfaces gave them.
std::vector<std::pair<std::string, std::string>> keras1Arguments(const std::vector<std::string>& kernels, int rank)
{
    std::vector<std::pair<std::string, std::string>> names = {{"nb_filter", "filters"},
                                                              {"border_mode", "padding"},
                                                              {"b_regularizer", "bias_regularizer"},
                                                              {"b_constraint", "bias_constraint"},
                                                              {"bias", "use_bias"},
                                                              {"atrous_rate", "dilation_rate"}};
    if (rank == 1)
        names.insert(names.end(), {{"filter_length", "kernel_size"}, {"subsample_length", "strides"}});
    else
        names.emplace_back("subsample", "strides");
    if (kernels == std::vector<std::string>{"kernel"})
        names.insert(names.end(), {{"init", "kernel_initializer"},
                                   {"W_regularizer", "kernel_regularizer"},
                                   {"W_constraint", "kernel_constraint"}});
    else
        for (const std::string& kernel : kernels) // separable_conv2d_args_preprocessor
            names.emplace_back("init", kernel + "_initializer");
    return names;
}

} // namespace

KerasExtras kerasExtras(const std::vector<std::string>& kernels, int rank, const ClassNames& names)
{
    nlohmann::json fields = {{"bias_initializer", {{"class_name", "Zeros"}, {"config", nlohmann::json::object()}}},
                             {"bias_regularizer", nullptr},
                             {"activity_regularizer", nullptr},
                             {"bias_constraint", nullptr}};
    if (rank == 1)
        fields["data_format"] = "channels_last";
    for (const std::string& kernel : kernels) {
        const std::string name = kernel == "kernel" ? "kernel_" : kernel + "_";
        fields[name + "initializer"] = {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}};
        fields[name + "regularizer"] = nullptr;
        fields[name + "constraint"] = nullptr;
    }
    KerasExtras extras{.defaultFields = std::move(fields), .channelsLastOnly = rank == 1};
    extras.classAliases = names.keras1;
    extras.classAliases.insert(extras.classAliases.end(), names.aliases.begin(), names.aliases.end());
    if (!names.keras1.empty()) {
        extras.keras1Arguments = keras1Arguments(kernels, rank);
        if (rank == 1)
            extras.derivedFields = {"input_dim", "input_length"};
        else
            extras.keras1Tuples = {{{"nb_row", "nb_col"}, "kernel_size"}};
    }
    return extras;
}

Conv1DGeometry geometry(const Arguments& a, std::size_t axis)
{
    const std::string& padding = a.text("padding");
    return {*a.dims("kernel_size").at(axis), *a.dims("strides").at(axis), *a.dims("dilation_rate").at(axis),
            padding == "same"     ? Conv1DGeometry::Padding::Same
            : padding == "causal" ? Conv1DGeometry::Padding::Causal
                                  : Conv1DGeometry::Padding::Valid};
}

std::vector<Conv1DGeometry> geometries(const Arguments& a, int rank)
{
    std::vector<Conv1DGeometry> axes;
    for (std::size_t axis = 0; axis < static_cast<std::size_t>(rank); ++axis)
        axes.push_back(geometry(a, axis));
    return axes;
}

bool channelsFirst(const Arguments& a, int rank)
{
    return rank == 2 && image::channelsFirst(a);
}

namespace {

/// A Python tuple's repr: `(2,)`, `(2, 2)`.
std::string pyTuple(const std::vector<std::string>& items)
{
    std::string text = "(";
    for (std::size_t i = 0; i < items.size(); ++i)
        text += (i ? ", " : "") + items[i];
    return text + (items.size() == 1 ? ",)" : ")");
}

std::string pyTuple(const std::vector<Conv1DGeometry>& axes, Index Conv1DGeometry::*field)
{
    std::vector<std::string> items;
    for (const Conv1DGeometry& g : axes)
        items.push_back(std::to_string(g.*field));
    return pyTuple(items);
}

/// A numpy array's str: `[1 1]`.
std::string numpyArray(const std::vector<Conv1DGeometry>& axes, Index Conv1DGeometry::*field)
{
    std::string text = "[";
    for (std::size_t i = 0; i < axes.size(); ++i)
        text += (i ? " " : "") + std::to_string(axes[i].*field);
    return text + "]";
}

/// The kernel shape compute_conv_output_shape words: kernel_size + (channels, filters).
std::string kernelShape(const std::vector<Conv1DGeometry>& axes, const Dim& channels, std::int64_t filters)
{
    std::vector<std::string> items;
    for (const Conv1DGeometry& g : axes)
        items.push_back(std::to_string(g.kernel));
    items.push_back(channels.isKnown() ? std::to_string(channels.size()) : "None");
    items.push_back(filters > 0 ? std::to_string(filters) : std::string("None"));
    return pyTuple(items);
}

std::string joined(const std::vector<Conv1DGeometry>& axes, Index Conv1DGeometry::*field)
{
    std::string text;
    for (std::size_t i = 0; i < axes.size(); ++i)
        text += (i ? "×" : "") + std::to_string(axes[i].*field);
    return text;
}

} // namespace

bool checkInput(RuleContext& ctx, const std::vector<Conv1DGeometry>& axes, bool channelsFirst, std::int64_t filters)
{
    const TensorInfo& in = ctx.in();
    const int rank = static_cast<int>(axes.size()) + 2;
    const bool image = axes.size() == 2;
    if (!rules::expectMinRank(ctx, 0, rank))
        return false;
    const Dim& channels = channelsFirst ? in.shape[1] : in.shape.last();
    if (in.shape.rank() > rank) {
        // compute_conv_output_shape: the kernel, kernel_size + (channels, filters), has the rank
        // the input must have.
        ctx.error(code::kInputRank,
                  "Kernel shape must have the same length as input, but received kernel of shape " +
                      kernelShape(axes, channels, filters) + " and input of shape " + in.shape.toKeras() + ".",
                  "A " + ctx.node.type + " layer takes " +
                      (image ? (channelsFirst ? "(batch, channels, rows, cols)" : "(batch, rows, cols, channels)")
                             : "(batch, steps, channels)") +
                      " inputs.",
                  ctx.inputs[0].port);
        return false;
    }
    if (!channelsFirst && !rules::requireKnownLastDim(ctx, in))
        return false;
    if (channelsFirst && !channels.isKnown()) { // tf.keras's _get_input_channel
        ctx.error(code::kUnknownAxisDim,
                  "The channel dimension of the inputs should be defined. The input_shape received is " +
                      in.shape.toKeras() +
                      ", where axis 1 (0-based) is the channel dimension, which found to be `None`.",
                  "With data_format='channels_first' the kernel takes its size from axis 1.", ctx.inputs[0].port);
        return false;
    }
    bool strided = false;
    bool dilated = false;
    for (const Conv1DGeometry& g : axes) {
        strided = strided || g.strides > 1;
        dilated = dilated || g.dilation > 1;
    }
    if (strided && dilated) {
        Diagnostic& d = ctx.error(code::kInvalidArgument,
                                  "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                                  "strides=" +
                                      pyTuple(axes, &Conv1DGeometry::strides) +
                                      " and dilation_rate=" + pyTuple(axes, &Conv1DGeometry::dilation),
                                  "Layer " + ctx.quoted() + " either skips " + (image ? "pixels" : "steps") +
                                      " or spreads its taps, not both.");
        const DimList ones(axes.size(), std::int64_t{1});
        const std::string tuple = image ? "(1, 1)" : "(1,)";
        d.fixes.push_back(
            {"Set dilation_rate=" + tuple + " on " + ctx.quoted(), SetArgument{ctx.node.id, "dilation_rate", ones}});
        d.fixes.push_back({"Set strides=" + tuple + " on " + ctx.quoted(), SetArgument{ctx.node.id, "strides", ones}});
        return false;
    }
    return true;
}

std::optional<std::vector<Dim>> outputSizes(RuleContext& ctx, const std::vector<Conv1DGeometry>& axes,
                                            bool channelsFirst, std::int64_t filters)
{
    if (!checkInput(ctx, axes, channelsFirst, filters))
        return std::nullopt;
    const TensorInfo& in = ctx.in();
    const bool image = axes.size() == 2;
    const Dim& channels = channelsFirst ? in.shape[1] : in.shape.last();
    std::vector<Dim> sizes;
    bool tooLarge = false;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        const Dim& size = in.shape[static_cast<int>(i) + (channelsFirst ? 2 : 1)];
        if (!size.isKnown()) {
            sizes.push_back(Dim::unknown(ctx.node.id));
            continue;
        }
        const Index outputs = axes[i].outputSteps(size.size());
        tooLarge = tooLarge || outputs <= 0;
        sizes.push_back(Dim::known(std::max<Index>(outputs, 1)));
    }
    if (tooLarge) {
        // compute_conv_output_shape's words: the input shape and kernel shape as tuples, the
        // dilation as the numpy array it has become, the strides as the tuple they are.
        std::string hint;
        if (image) {
            std::string spans;
            std::string imageSize;
            for (std::size_t i = 0; i < axes.size(); ++i) {
                spans += (i ? "×" : "") + std::to_string(axes[i].span());
                const Dim& size = in.shape[static_cast<int>(i) + (channelsFirst ? 2 : 1)];
                imageSize += (i ? "×" : "") + (size.isKnown() ? std::to_string(size.size()) : std::string("None"));
            }
            hint = "A window spanning " + spans + " pixels does not fit in a " + imageSize +
                   " image: pad to the same size, or use a smaller kernel_size or dilation_rate.";
        } else {
            hint = "A window spanning " + std::to_string(axes[0].span()) + " steps does not fit in " +
                   std::to_string(in.shape[1].size()) +
                   " steps: pad to the same length, or use a smaller kernel_size or dilation_rate.";
        }
        rules::windowTooLarge(ctx,
                              "Computed output size would be zero or negative. Received `inputs shape=" +
                                  in.shape.toKeras() + "`, `kernel shape=" + kernelShape(axes, channels, filters) +
                                  "`, `dilation_rate=" + numpyArray(axes, &Conv1DGeometry::dilation) +
                                  "`, `strides=" + pyTuple(axes, &Conv1DGeometry::strides) + "`, `padding=valid`.",
                              hint);
        return std::nullopt;
    }
    return sizes;
}

std::int64_t channels(const RuleContext& ctx, bool channelsFirst)
{
    const TensorInfo& in = ctx.in();
    return channelsFirst ? in.shape[1].size() : in.shape.last().size();
}

RuleResult output(RuleContext& ctx, const std::vector<Dim>& sizes, std::int64_t filters, bool channelsFirst,
                  std::optional<std::int64_t> weights, const std::string& received)
{
    if (!rules::checkWeightCount(ctx, weights, received))
        return {};
    std::vector<Dim> dims{ctx.in().shape[0]};
    if (channelsFirst)
        dims.push_back(Dim::known(filters));
    dims.insert(dims.end(), sizes.begin(), sizes.end());
    if (!channelsFirst)
        dims.push_back(Dim::known(filters));
    TensorInfo out;
    out.shape = Shape(dims);
    out.dtype = DType::Float32;
    return {out, *weights};
}

std::int64_t windowSize(const std::vector<Conv1DGeometry>& axes)
{
    std::int64_t size = 1;
    for (const Conv1DGeometry& g : axes)
        size *= g.kernel;
    return size;
}

GroupedConv1D convolution1D(OpBuild& b, const Conv1DGeometry& g, Index groups, Index filters)
{
    const std::vector<Index>& in = b.inputs[0]->value.shape;
    return {g, groups, GroupedConv1D::buffersFor(g, in[0], in[1], in[2], filters, [&](const std::vector<Index>& shape) {
                return b.scratch(shape, b.batched);
            })};
}

std::unique_ptr<Op> conv2DOp(OpBuild& b, const Conv2DOpSpec& spec)
{
    const Activation f = activationFromName(spec.activation);
    const PreActivation z = preActivation(b, f);
    const bool first = spec.channelsFirst;
    const std::vector<Index>& shape = b.inputs[0]->value.shape;
    // Both channels_last: (batch, rows, cols, channels).
    const std::vector<Index> in{shape[0], shape[first ? 2 : 1], shape[first ? 3 : 2], shape[first ? 1 : 3]};
    const std::vector<Index> out{b.shape[0], b.shape[first ? 2 : 1], b.shape[first ? 3 : 2], b.shape[first ? 1 : 3]};
    const Conv2DOp::Sizes sizes{in[1] * in[2], in[3], out[1], out[2], out[3]};
    Conv2DOp::ChannelsFirst cf;
    if (first) {
        cf.input = b.scratch(in, b.batched);
        cf.inputGrad = b.scratch(in, b.batched);
        cf.output = b.scratch(out, b.batched);
        cf.outputGrad = b.scratch(out, b.batched);
    }
    const auto scratch = [&](const std::vector<Index>& s) { return b.scratch(s, false); };
    const Conv2DGeometry g{spec.axes[0], spec.axes[1]};
    Parameter* bias = spec.useBias ? b.weights[spec.separable ? 2 : 1] : nullptr;
    if (spec.transposed) {
        // The convolution run backwards: its image is the output, its windows the input's pixels.
        const GroupedConv2D::Extent e{out[0], out[1], out[2], out[3], in[3]};
        const GroupedConv2D::Frame frame{in[1], in[2], spec.crop[0], spec.crop[1]};
        return std::make_unique<Conv2DOp>(GroupedConv2D::makeTransposed(g, frame, e, scratch), e, sizes, true,
                                          b.weights[0], bias, f, z.value, z.grad, cf, Conv2DOp::Pointwise{});
    }
    const Index filters = spec.depthMultiplier > 0 ? in[3] * spec.depthMultiplier : out[3];
    const GroupedConv2D::Extent e{in[0], in[1], in[2], in[3], filters};
    Conv2DOp::Pointwise p;
    if (spec.separable) {
        p.kernel = b.weights[1];
        p.inner = b.scratch({out[0], out[1], out[2], filters}, b.batched);
        p.innerGrad = b.scratch({out[0], out[1], out[2], filters}, b.batched);
    }
    // One group per channel: Keras's (rows, cols, channels, depth_multiplier) kernel is the
    // grouped (rows, cols, 1, channels * depth_multiplier) one, filter c * depth_multiplier + m
    // reading channel c.
    const Index groups = spec.depthMultiplier > 0 ? in[3] : spec.groups;
    return std::make_unique<Conv2DOp>(GroupedConv2D::make(g, groups, e, scratch), e, sizes, false, b.weights[0], bias,
                                      f, z.value, z.grad, cf, p);
}

PreActivation preActivation(OpBuild& b, Activation f)
{
    if (f == Activation::Linear)
        return {&b.output.value, nullptr};
    if (derivativeFromOutput(f)) // f in place over the output, f' over its gradient: two buffers fewer
        return {&b.output.value, &b.output.grad};
    return {b.scratch(b.shape, b.batched), b.scratch(b.shape, b.batched)};
}

std::string cardSummary(std::int64_t filters, const std::vector<Conv1DGeometry>& axes, bool channelsFirst,
                        const std::string& activation, const std::string& extra)
{
    const Conv1DGeometry& g = axes.front();
    const bool image = axes.size() == 2;
    std::string text = std::to_string(filters) + (image ? " " : " × ") + joined(axes, &Conv1DGeometry::kernel);
    bool strided = false;
    bool dilated = false;
    for (const Conv1DGeometry& a : axes) {
        strided = strided || a.strides != 1;
        dilated = dilated || a.dilation != 1;
    }
    if (strided)
        text += " · strides " + joined(axes, &Conv1DGeometry::strides);
    if (dilated)
        text += " · dilation " + joined(axes, &Conv1DGeometry::dilation);
    if (g.padding == Conv1DGeometry::Padding::Same)
        text += " · same";
    else if (g.padding == Conv1DGeometry::Padding::Causal)
        text += " · causal";
    if (channelsFirst)
        text += " · channels_first";
    text += " · " + activation;
    return extra.empty() ? text : text + " · " + extra;
}

} // namespace sf::conv
