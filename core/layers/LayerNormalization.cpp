#include "NormalizationAxes.h"
#include "engine/OpBuild.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <set>

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/normalization/layer_normalization.py: each sample normalized by its own
/// moments over `axis` (an int or a list), gamma * (x - mean) / sqrt(variance + epsilon) + beta,
/// gamma and beta shaped as the normalized axes; the same while training and at inference. Keras
/// 3's `rms_scaling=True` (deprecated there, in favour of RMSNormalization) computes x * gamma /
/// sqrt(variance + epsilon) with the variance still about the mean, makes gamma even with
/// scale=False and never beta. It takes no mask in `call` and supports masking: the mask passes.
///
/// tf.keras 2 (tf_keras/layers/normalization/layer_normalization.py) takes the same axis, epsilon,
/// center and scale, writes `axis` as a list of non-negative axes once built, and has no
/// rms_scaling (written here only when true). TensorFlow.js (tfjs-layers/src/layers/
/// normalization.ts) takes the same arguments and also has no rms_scaling.
class LayerNormalization final : public Layer {
public:
    LayerNormalization()
        : Layer({"LayerNormalization",
                 "layer_normalization",
                 LayerCategory::Normalization,
                 "Normalizes each sample by its own mean and variance over the given axes.",
                 {"inputs"},
                 false,
                 1,
                 [] {
                     std::vector<ParamSpec> p{{"axis",
                                               ParamKind::Axes,
                                               std::int64_t{-1},
                                               ValueRule::Any,
                                               {},
                                               "The axis or axes to normalize over; -1 is the last."}};
                     for (ParamSpec& s : normalization::commonParams("Added to the variance before its square root."))
                         p.push_back(std::move(s));
                     p.push_back({"rms_scaling",
                                  ParamKind::Boolean,
                                  false,
                                  ValueRule::Any,
                                  {},
                                  "Keras 3: scale by gamma / sqrt(variance + epsilon) without centering or beta."});
                     return p;
                 }()},
                {.defaultFields = normalization::gammaBetaFields()})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        const Args a(arguments(ctx.node.params));
        const int rank = in.shape.rank();
        const auto axes = normalization::resolveAxes(ctx, a.axes, a.axisText, [&](std::int64_t axis) {
            // canonicalize_axis's words
            return "axis " + std::to_string(axis) + " is out of bounds for an array with dimension " +
                   std::to_string(rank) + ".";
        });
        if (!axes)
            return {};
        if (std::set<int>(axes->begin(), axes->end()).size() != axes->size()) {
            ctx.error(code::kInvalidArgument, "Duplicate axes are not allowed. Received: axis=" + a.axisText,
                      "Name each axis once; " + std::to_string(rank - 1) + " and -1 are the same axis here.");
            return {};
        }
        return normalization::sameShapeResult(ctx, *axes, a.weightCount(), "axis=" + a.axisText);
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; } // supports_masking = True

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        // build() sorts the axes: gamma's are in the input's order
        const std::vector<int> axes = normalization::absoluteAxes(a.axes, inputs[0].rank());
        return normalization::gammaBeta(normalization::weightShape(inputs[0], axes), a.hasGamma(), a.hasBeta());
    }

    /// Per value: the mean's sum (1) and the variance's difference, square and sum (3), then the
    /// normalization (2), gamma's product and beta's sum.
    Count flops(const Node& node, const Shape*, const Shape& output) const override
    {
        const Args a(arguments(node.params));
        return sampleElementCount(output) * Count::of(6 + (a.hasGamma() ? 1 : 0) + (a.hasBeta() ? 1 : 0));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const std::vector<int> axes = normalization::absoluteAxes(a.axes, static_cast<int>(b.shape.size()));
        std::size_t next = 0;
        NormalizationOp::Weights w;
        w.gamma = a.hasGamma() ? b.weights[next++] : nullptr;
        w.beta = a.hasBeta() ? b.weights[next] : nullptr;
        const NormalizationOp::Options options{
            .epsilon = static_cast<float>(a.epsilon), .centered = !a.rmsScaling, .maskedMoments = false};
        return std::make_unique<NormalizationOp>(normalization::layoutFor(b, axes, false), options, w, b.shape[0]);
    }

    /// tf.keras's LayerNormalization has no rms_scaling: a Keras 2 file has it only when true.
    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        json config = Layer::kerasConfig(node, flavour);
        if (flavour == KerasFlavour::Keras2 && !Args(arguments(node.params)).rmsScaling)
            config.erase("rms_scaling");
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        std::string text = normalization::card(a.axisText, a.epsilon, a.center, a.scale);
        if (a.rmsScaling)
            text += " · rms";
        return text;
    }

private:
    struct Args {
        std::vector<std::int64_t> axes;
        std::string axisText; ///< as Keras prints it: `-1`, `[1, 2]`
        double epsilon;
        bool center;
        bool scale;
        bool rmsScaling;
        explicit Args(const Arguments& a)
            : axes(*a.axes("axis")), epsilon(a.real("epsilon")), center(a.boolean("center")), scale(a.boolean("scale")),
              rmsScaling(a.boolean("rms_scaling"))
        {
            axisText = std::to_string(axes.front());
            if (a.isList("axis")) {
                axisText = "[";
                for (std::size_t i = 0; i < axes.size(); ++i)
                    axisText += (i ? ", " : "") + std::to_string(axes[i]);
                axisText += "]";
            }
        }
        bool hasGamma() const { return scale || rmsScaling; } // build(): `if self.scale or self.rms_scaling`
        bool hasBeta() const { return center && !rmsScaling; }
        std::int64_t weightCount() const { return (hasGamma() ? 1 : 0) + (hasBeta() ? 1 : 0); }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeLayerNormalization()
{
    return std::make_unique<LayerNormalization>();
}

} // namespace sf
