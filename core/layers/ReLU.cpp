#include "ElementwiseActivation.h"
#include "engine/OpBuild.h"

#include <algorithm>
#include <optional>

namespace sf {

namespace {

/// keras/src/layers/activations/relu.py, with activations.py's ReLU.static_call:
/// y = clip(x > threshold ? x : 0, 0, max_value) - negative_slope * max(threshold - x, 0),
/// so a positive threshold makes a step from 0 to `threshold`, and values below it follow the
/// slope from there. tf.keras 2 (tf_keras/layers/activation/relu.py through backend.relu)
/// computes the same with the same three arguments and defaults; TensorFlow.js
/// (advanced_activations.ts) has `max_value` alone, and reads neither of the others. Keras 3 and
/// tf.keras refuse a negative value of any of the three, with the messages below (Keras 3's).
struct ReLUFunction {
    float slopeBelow;
    float threshold;
    std::optional<float> maxValue;

    float value(float x) const
    {
        float positive = x > threshold ? x : 0.0f;
        if (maxValue)
            positive = std::min(positive, *maxValue);
        return positive - slopeBelow * std::max(threshold - x, 0.0f);
    }
    float slope(float x) const
    {
        const bool rising = x > threshold && (!maxValue || x < *maxValue);
        return (rising ? 1.0f : 0.0f) + (x < threshold ? slopeBelow : 0.0f);
    }
};

class ReLU final : public ElementwiseActivation {
public:
    ReLU()
        : ElementwiseActivation({"ReLU",
                                 "re_lu",
                                 LayerCategory::Activations,
                                 "Rectified linear unit, with an optional cap, threshold and slope below it.",
                                 {"inputs"},
                                 false,
                                 1,
                                 {{"max_value",
                                   ParamKind::OptionalReal,
                                   std::monostate{},
                                   ValueRule::NonNegative,
                                   {},
                                   "Largest output value; None for no cap.",
                                   false,
                                   "max_value of a ReLU layer cannot be a negative value. Received: max_value={}"},
                                  {"negative_slope",
                                   ParamKind::Real,
                                   0.0,
                                   ValueRule::NonNegative,
                                   {},
                                   "Slope below the threshold.",
                                   false,
                                   "negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                                   "negative_slope={}"},
                                  {"threshold",
                                   ParamKind::Real,
                                   0.0,
                                   ValueRule::NonNegative,
                                   {},
                                   "Values at or below it are damped (0, or the negative slope).",
                                   false,
                                   "threshold of a ReLU layer cannot be None or a negative value. Received: "
                                   "threshold={}"}}})
    {
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<ElementwiseOp<ReLUFunction>>(function(arguments(b.node.params)));
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Arguments a = arguments(params);
        std::string text = "relu";
        if (const auto cap = a.optionalReal("max_value"))
            text += " · max " + cardNumber(*cap);
        if (a.real("threshold") != 0.0)
            text += " · threshold " + cardNumber(a.real("threshold"));
        if (a.real("negative_slope") != 0.0)
            text += " · slope " + cardNumber(a.real("negative_slope"));
        return text;
    }

private:
    static ReLUFunction function(const Arguments& a)
    {
        std::optional<float> cap;
        if (const auto m = a.optionalReal("max_value"))
            cap = static_cast<float>(*m);
        return {static_cast<float>(a.real("negative_slope")), static_cast<float>(a.real("threshold")), cap};
    }
};

} // namespace

std::unique_ptr<const LayerType> makeReLU()
{
    return std::make_unique<ReLU>();
}

} // namespace sf
