#include "Convolution1D.h"

#include "ActivationArgument.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

namespace sf::conv1d {

std::vector<ParamSpec> params(bool causal, ParamSpec extra)
{
    std::vector<std::string> paddings{"valid", "same"};
    if (causal)
        paddings.push_back("causal");
    return {
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
         DimList{std::int64_t{3}},
         ValueRule::Positive,
         {},
         "Steps in each window.",
         true},
        {"strides", ParamKind::IntTuple, DimList{std::int64_t{1}}, ValueRule::Positive, {}, "Steps between windows."},
        {"padding", ParamKind::Choice, std::string("valid"), ValueRule::Any, paddings,
         causal ? "valid: whole windows only; same: ceil(steps / strides) outputs, padded evenly; causal: "
                  "padded before only, so no output sees a later step."
                : "valid: whole windows only; same: ceil(steps / strides) outputs, padded evenly."},
        {"dilation_rate",
         ParamKind::IntTuple,
         DimList{std::int64_t{1}},
         ValueRule::Positive,
         {},
         "Steps between the taps of a window."},
        std::move(extra),
        activationParam("linear", "Applied to the output.", false),
        {"use_bias", ParamKind::Boolean, true, ValueRule::Any, {}, "Add a bias vector."}};
}

KerasExtras kerasExtras(const std::vector<std::string>& kernels)
{
    nlohmann::json fields = {{"data_format", "channels_last"},
                             {"bias_initializer", {{"class_name", "Zeros"}, {"config", nlohmann::json::object()}}},
                             {"bias_regularizer", nullptr},
                             {"activity_regularizer", nullptr},
                             {"bias_constraint", nullptr}};
    for (const std::string& kernel : kernels) {
        const std::string name = kernel == "kernel" ? "kernel_" : kernel + "_";
        fields[name + "initializer"] = {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}};
        fields[name + "regularizer"] = nullptr;
        fields[name + "constraint"] = nullptr;
    }
    return {.defaultFields = std::move(fields), .channelsLastOnly = true};
}

Conv1DGeometry geometry(const Arguments& a)
{
    const std::string& padding = a.text("padding");
    return {*a.dims("kernel_size").front(), *a.dims("strides").front(), *a.dims("dilation_rate").front(),
            padding == "same"     ? Conv1DGeometry::Padding::Same
            : padding == "causal" ? Conv1DGeometry::Padding::Causal
                                  : Conv1DGeometry::Padding::Valid};
}

namespace {

std::string tuple(std::int64_t value)
{
    return "(" + std::to_string(value) + ",)";
}

} // namespace

std::optional<Dim> outputSteps(RuleContext& ctx, const Conv1DGeometry& g, std::int64_t filters)
{
    const TensorInfo& in = ctx.in();
    if (!rules::expectMinRank(ctx, 0, 3))
        return std::nullopt;
    if (in.shape.rank() > 3) {
        // compute_conv_output_shape: the kernel (kernel_size, channels, filters) has rank 3.
        const std::string channels = in.shape.last().isKnown() ? std::to_string(in.shape.last().size()) : "None";
        ctx.error(code::kInputRank,
                  "Kernel shape must have the same length as input, but received kernel of shape (" +
                      std::to_string(g.kernel) + ", " + channels + ", " + std::to_string(filters) +
                      ") and input of shape " + in.shape.toKeras() + ".",
                  "A " + ctx.node.type + " layer takes (batch, steps, channels) inputs.", ctx.inputs[0].port);
        return std::nullopt;
    }
    if (!rules::requireKnownLastDim(ctx, in))
        return std::nullopt;
    if (g.strides > 1 && g.dilation > 1) {
        Diagnostic& d = ctx.error(code::kInvalidArgument,
                                  "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                                  "strides=" +
                                      tuple(g.strides) + " and dilation_rate=" + tuple(g.dilation),
                                  "Layer " + ctx.quoted() + " either skips steps or spreads its taps, not both.");
        d.fixes.push_back({"Set dilation_rate=(1,) on " + ctx.quoted(),
                           SetArgument{ctx.node.id, "dilation_rate", DimList{std::int64_t{1}}}});
        d.fixes.push_back(
            {"Set strides=(1,) on " + ctx.quoted(), SetArgument{ctx.node.id, "strides", DimList{std::int64_t{1}}}});
        return std::nullopt;
    }
    const Dim& steps = in.shape[1];
    if (!steps.isKnown())
        return Dim::unknown(ctx.node.id);
    const Index outputs = g.outputSteps(steps.size());
    if (outputs <= 0) {
        // compute_conv_output_shape's words: the input shape and kernel shape as tuples, the
        // dilation as the numpy array it has become, the strides as the tuple they are.
        rules::windowTooLarge(
            ctx,
            "Computed output size would be zero or negative. Received `inputs shape=" + in.shape.toKeras() +
                "`, `kernel shape=(" + std::to_string(g.kernel) + ", " + std::to_string(in.shape.last().size()) + ", " +
                std::to_string(filters) + ")`, `dilation_rate=[" + std::to_string(g.dilation) +
                "]`, `strides=" + tuple(g.strides) + "`, `padding=valid`.",
            "A window spanning " + std::to_string(g.span()) + " steps does not fit in " + std::to_string(steps.size()) +
                " steps: pad to the same length, or use a smaller kernel_size or dilation_rate.");
        return std::nullopt;
    }
    return Dim::known(outputs);
}

RuleResult output(RuleContext& ctx, const Dim& steps, std::int64_t filters, std::optional<std::int64_t> weights,
                  const std::string& received)
{
    if (!rules::checkWeightCount(ctx, weights, received))
        return {};
    TensorInfo out;
    out.shape = Shape{ctx.in().shape[0], steps, Dim::known(filters)};
    out.dtype = DType::Float32;
    return {out, *weights};
}

GroupedConv1D convolution(OpBuild& b, const Conv1DGeometry& g, Index groups, Index filters)
{
    const std::vector<Index>& in = b.inputs[0]->value.shape;
    return {g, groups, GroupedConv1D::buffersFor(g, in[0], in[1], in[2], filters, [&](const std::vector<Index>& shape) {
                return b.scratch(shape, b.batched);
            })};
}

PreActivation preActivation(OpBuild& b, Activation f)
{
    if (f == Activation::Linear)
        return {&b.output.value, nullptr};
    return {b.scratch(b.shape, b.batched), b.scratch(b.shape, b.batched)};
}

std::string cardSummary(std::int64_t filters, const Conv1DGeometry& g, const std::string& activation,
                        const std::string& extra)
{
    std::string text = std::to_string(filters) + " × " + std::to_string(g.kernel);
    if (g.strides != 1)
        text += " · strides " + std::to_string(g.strides);
    if (g.dilation != 1)
        text += " · dilation " + std::to_string(g.dilation);
    if (g.padding == Conv1DGeometry::Padding::Same)
        text += " · same";
    else if (g.padding == Conv1DGeometry::Padding::Causal)
        text += " · causal";
    text += " · " + activation;
    return extra.empty() ? text : text + " · " + extra;
}

} // namespace sf::conv1d
