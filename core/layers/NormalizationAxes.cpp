#include "NormalizationAxes.h"

#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>

namespace sf::normalization {

std::vector<ParamSpec> commonParams(const std::string& epsilonText)
{
    // Keras takes any float for epsilon; a negative one can make variance + epsilon negative and the
    // output NaN, so Shapeflow refuses it (0 is Keras's to allow).
    return {{"epsilon", ParamKind::Real, 1e-3, ValueRule::NonNegative, {}, epsilonText},
            {"center", ParamKind::Boolean, true, ValueRule::Any, {}, "Add the learned offset beta."},
            {"scale", ParamKind::Boolean, true, ValueRule::Any, {}, "Multiply by the learned scale gamma."}};
}

nlohmann::json gammaBetaFields()
{
    return {{"beta_initializer", {{"class_name", "Zeros"}, {"config", nlohmann::json::object()}}},
            {"gamma_initializer", {{"class_name", "Ones"}, {"config", nlohmann::json::object()}}},
            {"beta_regularizer", nullptr},
            {"gamma_regularizer", nullptr},
            {"beta_constraint", nullptr},
            {"gamma_constraint", nullptr}};
}

std::optional<std::vector<int>> resolveAxes(RuleContext& ctx, const std::vector<std::int64_t>& axes,
                                            const std::string& axisText,
                                            const std::function<std::string(std::int64_t)>& outOfRange,
                                            const std::function<std::string(int)>& unknownDim)
{
    const TensorInfo& in = ctx.in();
    const int rank = in.shape.rank();
    std::vector<int> resolved;
    for (std::int64_t axis : axes) {
        if (axis < -rank || axis >= rank) {
            Diagnostic& d =
                ctx.error(code::kAxisOutOfRange, outOfRange(axis),
                          "The input " + in.shape.toKeras() + " has axes 0 to " + std::to_string(rank - 1) + " (or -" +
                              std::to_string(rank) + " to -1); -1 is the last, usually the features.");
            d.fixes.push_back({"Set axis=-1 on " + ctx.quoted(), SetArgument{ctx.node.id, "axis", std::int64_t{-1}}});
            return std::nullopt;
        }
        resolved.push_back(static_cast<int>(axis < 0 ? axis + rank : axis));
    }
    for (int axis : resolved) {
        const Dim& dim = in.shape[axis];
        if (dim.isKnown())
            continue;
        if (axis == rank - 1 && !dim.isBatch()) {
            rules::requireKnownLastDim(ctx, in);
            return std::nullopt;
        }
        // tf.keras's build words it (batch_normalization.py); Keras 3 fails creating a weight of
        // size None.
        ctx.error(code::kUnknownAxisDim,
                  unknownDim ? unknownDim(axis)
                             : "Input has undefined `axis` dimension. Received input with shape " + in.shape.toKeras() +
                                   " and axis=" + axisText,
                  dim.isBatch()
                      ? "Axis 0 is the batch: its size is each batch's, so no weight can be made for it. "
                        "Normalize a feature axis, -1 usually."
                      : "Layer " + ctx.quoted() + " makes a weight of the size of axis " + std::to_string(axis) +
                            ", which is not known; give the Input a fixed size there.");
        return std::nullopt;
    }
    return resolved;
}

std::vector<int> absoluteAxes(const std::vector<std::int64_t>& axes, int rank)
{
    std::vector<int> out;
    for (std::int64_t axis : axes)
        out.push_back(static_cast<int>(axis < 0 ? axis + rank : axis));
    std::sort(out.begin(), out.end());
    return out;
}

RuleResult sameShapeResult(RuleContext& ctx, const std::vector<int>& axes, std::int64_t tensors,
                           const std::string& received)
{
    std::optional<std::int64_t> weights = tensors;
    for (std::int64_t size : weightShape(ctx.in().shape, axes))
        weights = weights ? checkedMultiply(*weights, size) : std::nullopt;
    if (!rules::checkWeightCount(ctx, weights, received))
        return {};
    TensorInfo out = ctx.in();
    out.dtype = DType::Float32;
    return {out, *weights};
}

std::vector<std::int64_t> weightShape(const Shape& input, const std::vector<int>& axes)
{
    std::vector<std::int64_t> shape;
    for (int axis : axes)
        shape.push_back(input[axis].size());
    return shape;
}

std::vector<WeightSpec> gammaBeta(const std::vector<std::int64_t>& shape, bool scale, bool center)
{
    std::vector<WeightSpec> w;
    if (scale)
        w.push_back({"gamma", shape, Initializer::Ones});
    if (center)
        w.push_back({"beta", shape, Initializer::Zeros});
    return w;
}

NormalizationLayout layoutFor(const OpBuild& b, const std::vector<int>& axes, bool acrossBatch)
{
    const std::vector<Index>& shape = b.inputs[0]->value.shape;
    const std::vector<Index> sample(shape.begin() + 1, shape.end());
    std::vector<int> sampleAxes;
    for (int axis : axes)
        sampleAxes.push_back(axis - 1);
    return normalizationLayout(sample, sampleAxes, acrossBatch);
}

std::string card(const std::string& axisText, double epsilon, bool center, bool scale)
{
    std::string text = "axis " + axisText + " · ε " + cardNumber(epsilon);
    if (!center)
        text += " · no center";
    if (!scale)
        text += " · no scale";
    return text;
}

} // namespace sf::normalization
