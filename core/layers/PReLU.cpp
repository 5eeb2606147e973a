#include "ElementwiseActivation.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"

#include <algorithm>
#include <set>

namespace sf {

namespace {

using nlohmann::json;

/// y = x for x > 0, alpha * x otherwise, alpha a weight of the sample's shape broadcast over the
/// batch, of size 1 along each shared axis. `alphaAt[j]` is the alpha entry of sample value j.
class PReLUOp final : public Op {
public:
    PReLUOp(Parameter* alpha, std::vector<Index> alphaAt) : m_alpha(alpha), m_alphaAt(std::move(alphaAt)) {}

    void forward(const ForwardContext&) override
    {
        const float* x = inputs[0]->value.data;
        float* y = output->value.data;
        const float* a = m_alpha->value.data();
        const auto per = static_cast<Index>(m_alphaAt.size());
        for (Index i = 0, n = output->value.size(); i < n; ++i)
            y[i] = x[i] > 0.0f ? x[i] : a[m_alphaAt[static_cast<std::size_t>(i % per)]] * x[i];
    }

    void backward() override
    {
        const float* x = inputs[0]->value.data;
        const float* dy = output->grad.data;
        float* dx = inputs[0]->grad.data;
        const float* a = m_alpha->value.data();
        float* da = m_alpha->grad.data();
        const auto per = static_cast<Index>(m_alphaAt.size());
        for (Index i = 0, n = output->value.size(); i < n; ++i) {
            const Index at = m_alphaAt[static_cast<std::size_t>(i % per)];
            if (x[i] > 0.0f) {
                if (dx)
                    dx[i] += dy[i];
                continue;
            }
            if (dx)
                dx[i] += a[at] * dy[i];
            da[at] += x[i] * dy[i];
        }
    }

private:
    Parameter* m_alpha;
    std::vector<Index> m_alphaAt;
};

/// keras/src/layers/activations/prelu.py: y = relu(x) - alpha * relu(-x), `alpha` a trainable
/// weight shaped as one sample (alpha_initializer "Zeros": a ReLU at first), of size 1 along
/// `shared_axes`. Keras builds alpha from the input's shape, so every axis it does not share needs
/// a known size; it checks nothing of shared_axes (0 or a negative axis shares one from the end,
/// one past the rank fails in Python), which Shapeflow refuses outside 1..rank-1. tf.keras 2
/// (tf_keras/layers/activation/prelu.py) is the same with initializer "zeros"; TensorFlow.js
/// (advanced_activations.ts, `shared_axes` and `alpha_initializer` in its files) too, but its
/// input spec pins every axis, shared or not. All three pass the mask on.
class PReLU final : public ElementwiseActivation {
public:
    PReLU()
        : ElementwiseActivation(
              {"PReLU",
               "p_re_lu",
               LayerCategory::Activations,
               "Leaky ReLU whose slope below 0 is learned, per value or shared along axes.",
               {"inputs"},
               false,
               1,
               {{"shared_axes",
                 ParamKind::Axes,
                 std::monostate{},
                 ValueRule::Any,
                 {},
                 "Axes along which one slope is shared (1 for the steps of a sequence); None: a slope per value."}}},
              {.defaultFields = {{"alpha_initializer", {{"class_name", "Zeros"}, {"config", json::object()}}},
                                 {"alpha_regularizer", nullptr},
                                 {"alpha_constraint", nullptr}}})
    {
    }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const std::set<std::int64_t> shared = sharedAxes(node.params);
        std::vector<std::int64_t> shape;
        for (int axis = 1; axis < inputs[0].rank(); ++axis)
            shape.push_back(shared.contains(axis) ? 1 : inputs[0][axis].size());
        return {{"alpha", shape, Initializer::Zeros}};
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (!rules::expectMinRank(ctx, 0, 2))
            return {};
        const int rank = in.shape.rank();
        const std::set<std::int64_t> shared = sharedAxes(ctx.node.params);
        for (std::int64_t axis : shared)
            if (axis < 1 || axis >= rank) {
                ctx.error(code::kInvalidArgument,
                          "Layer " + ctx.quoted() + " has shared_axes=" +
                              toKerasLiteral(ctx.node.params.find("shared_axes") ? *ctx.node.params.find("shared_axes")
                                                                                 : ParamValue{}) +
                              ", but axis " + std::to_string(axis) + " is not an axis of one sample: inputs of shape " +
                              in.shape.toKeras() + " have axes 1 to " + std::to_string(rank - 1) +
                              " to share (axis 0 is the batch).",
                          "Share axis 1 for the steps of a sequence, or set shared_axes to None.");
                return {};
            }
        std::string alphaShape;
        std::vector<int> unknown;
        std::optional<std::int64_t> count = 1;
        for (int axis = 1; axis < rank; ++axis) {
            const Dim& d = in.shape[axis];
            const bool isShared = shared.contains(axis);
            alphaShape += (axis > 1 ? ", " : "") + (isShared      ? std::string("1")
                                                    : d.isKnown() ? std::to_string(d.size())
                                                                  : std::string("None"));
            if (!isShared && !d.isKnown())
                unknown.push_back(axis);
            else if (count && !isShared)
                count = checkedMultiply(*count, d.size());
        }
        if (!unknown.empty()) {
            std::string axes;
            DimList fixed;
            std::set<std::int64_t> wanted = shared;
            wanted.insert(unknown.begin(), unknown.end());
            for (std::int64_t a : wanted)
                fixed.emplace_back(a);
            for (int a : unknown)
                axes += (axes.empty() ? "" : ", ") + std::to_string(a);
            Diagnostic& d = ctx.error(
                code::kPReLUUnknownAxis,
                "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
                "Received: shape=(" +
                    alphaShape + (rank == 2 ? "," : "") + ") for variable path='" + ctx.node.name + "/alpha'",
                "Layer " + ctx.quoted() + " (PReLU) learns a slope for every value of a sample, and axis " + axes +
                    " of its input " + in.shape.toKeras() + " has no fixed size. Share the slope along it.");
            d.fixes.push_back({"Share alpha along axis " + axes + ": shared_axes=" + toKerasTuple(fixed),
                               SetArgument{ctx.node.id, "shared_axes", fixed}});
            return {};
        }
        if (!rules::checkWeightCount(ctx, count, "alpha shape=(" + alphaShape + ")"))
            return {};
        return {in, *count};
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const std::set<std::int64_t> shared = sharedAxes(b.node.params);
        const std::vector<Index>& shape = b.shape; // (batch, ...)
        Index per = 1;
        for (std::size_t axis = 1; axis < shape.size(); ++axis)
            per *= shape[axis];
        std::vector<Index> alphaAt(static_cast<std::size_t>(per));
        for (Index j = 0; j < per; ++j) {
            // j's index along each axis, from the last; alpha's strides skip the shared axes.
            Index rest = j;
            Index at = 0;
            Index stride = 1;
            for (auto axis = static_cast<std::int64_t>(shape.size()) - 1; axis >= 1; --axis) {
                const Index size = shape[static_cast<std::size_t>(axis)];
                const Index index = rest % size;
                rest /= size;
                if (!shared.contains(axis)) {
                    at += index * stride;
                    stride *= size;
                }
            }
            alphaAt[static_cast<std::size_t>(j)] = at;
        }
        return std::make_unique<PReLUOp>(b.weights[0], std::move(alphaAt));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const auto axes = arguments(params).axes("shared_axes");
        return axes ? "shared " + toKerasLiteral(*params.find("shared_axes")) : std::string("a slope per value");
    }

private:
    std::set<std::int64_t> sharedAxes(const ParamMap& params) const
    {
        std::set<std::int64_t> axes;
        if (const auto list = arguments(params).axes("shared_axes"))
            axes.insert(list->begin(), list->end());
        return axes;
    }
};

} // namespace

std::unique_ptr<const LayerType> makePReLU()
{
    return std::make_unique<PReLU>();
}

} // namespace sf
