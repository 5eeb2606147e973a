#include "ElementwiseActivation.h"
#include "engine/OpBuild.h"
#include "io/KerasLayerReading.h"
#include "io/ParamJson.h"
#include "shape/DiagnosticCodes.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/activations/leaky_relu.py: y = x for x >= 0, negative_slope * x below.
/// Keras 3 names the slope `negative_slope` (default 0.3, refused when negative) and still takes
/// the old `alpha`, which wins over `negative_slope` when a config has both. tf.keras 2
/// (tf_keras/layers/activation/leaky_relu.py) and TensorFlow.js (advanced_activations.ts) know
/// `alpha` only (default 0.3, a negative one not checked); tf.keras refuses `negative_slope` as
/// an unknown argument. So a Keras 2 file gets `alpha`, a Keras 3 file `negative_slope`, and
/// either is read. TensorFlow.js does not pass a mask on; Keras 3 and tf.keras do.
struct LeakyReLUFunction {
    float negativeSlope;
    float value(float x) const { return x >= 0.0f ? x : negativeSlope * x; }
    float slope(float x) const { return x >= 0.0f ? 1.0f : negativeSlope; }
};

class LeakyReLU final : public ElementwiseActivation {
public:
    LeakyReLU()
        : ElementwiseActivation({"LeakyReLU",
                                 "leaky_re_lu",
                                 LayerCategory::Activations,
                                 "ReLU with a small slope below 0, so no unit stops learning.",
                                 {"inputs"},
                                 false,
                                 1,
                                 {{"negative_slope",
                                   ParamKind::Real,
                                   0.3,
                                   ValueRule::NonNegative,
                                   {},
                                   "Slope below 0.",
                                   false,
                                   "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                                   "Expected a float. Received: negative_slope={}"}}})
    {
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        return std::make_unique<ElementwiseOp<LeakyReLUFunction>>(
            LeakyReLUFunction{static_cast<float>(arguments(b.node.params).real("negative_slope"))});
    }

    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        const json* alpha = givenField(config, "alpha");
        if (!alpha)
            return Layer::readKerasArguments(config, reading);
        if (const json* slope = givenField(config, "negative_slope"); slope && *slope != *alpha)
            reading.problem(code::kUnsupportedArgument, "negative_slope",
                            "Layer " + reading.quoted() + " has both alpha=" + briefJson(*alpha) +
                                " and negative_slope=" + briefJson(*slope) +
                                "; Keras 3 reads alpha, and so does Shapeflow.",
                            Severity::Warning);
        json renamed = config;
        renamed["negative_slope"] = *alpha;
        return Layer::readKerasArguments(renamed, reading);
    }

    bool modelsKerasField(const std::string& key) const override
    {
        return key == "alpha" || Layer::modelsKerasField(key);
    }

    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        json config = Layer::kerasConfig(node, flavour);
        if (flavour == KerasFlavour::Keras2 && config.contains("negative_slope")) {
            config["alpha"] = config["negative_slope"];
            config.erase("negative_slope");
        }
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        return "slope " + cardNumber(arguments(params).real("negative_slope"));
    }
};

} // namespace

std::unique_ptr<const LayerType> makeLeakyReLU()
{
    return std::make_unique<LeakyReLU>();
}

} // namespace sf
