#include "Affine.h"
#include "Layer.h"
#include "engine/OpBuild.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/preprocessing/rescaling.py: Rescaling(scale, offset=0.0), y = x * scale +
/// offset, at training and inference alike; the output is float32 whatever the input's dtype; no
/// weights; supports_masking = True (the mask passes). Keras 3 takes scale and offset as a number
/// or an array (a list in the config, or a serialized numpy array) broadcast against the input,
/// which under a channels_first image_data_format it reshapes to (channels, 1, 1) first; tf.keras
/// 2 (tf_keras/layers/preprocessing/image_preprocessing.py) broadcasts an array as it is, and its
/// Rescaling does not support masking (a masked input raises TypeError there); TensorFlow.js
/// (tfjs-layers/src/layers/preprocessing/image_preprocessing.ts) takes numbers only, and reads a
/// missing or 0 offset as 0. Shapeflow's scale and offset are numbers: a file's array is refused by
/// name, never reduced to one of its values. Keras checks neither number.
class Rescaling final : public Layer {
public:
    Rescaling()
        : Layer({"Rescaling",
                 "rescaling",
                 LayerCategory::Preprocessing,
                 "Multiplies every value by a scale and adds an offset (1/255 maps pixels to [0, 1]).",
                 {"inputs"},
                 false,
                 1,
                 {{"scale", ParamKind::Real, 1.0 / 255.0, ValueRule::Any, {}, "Multiplies every value.", true},
                  {"offset", ParamKind::Real, 0.0, ValueRule::Any, {}, "Added after the scale."}}})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        TensorInfo out = ctx.in();
        out.dtype = DType::Float32; // Keras casts the input to the compute dtype
        return {out, 0};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; }

    Count flops(const Node&, const Shape*, const Shape& output) const override
    {
        return sampleElementCount(output) * Count::of(2); // a multiply and an add
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Arguments a = arguments(b.node.params);
        return std::make_unique<AffineOp>(std::vector<float>{0.0f},
                                          std::vector<float>{static_cast<float>(a.real("scale"))},
                                          std::vector<float>{static_cast<float>(a.real("offset"))});
    }

    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        std::vector<std::string> refused;
        for (const char* field : {"scale", "offset"})
            if (const json* value = givenField(config, field); value && (value->is_array() || value->is_object())) {
                reading.problem(code::kUnsupportedArgument, field,
                                "Layer " + reading.quoted() + " has " + field + "=" + briefJson(*value) +
                                    ": Keras broadcasts an array of values against the input; Shapeflow's " + field +
                                    " is one number, so the layer is invalid until it is set.");
                config.erase(field);
                refused.emplace_back(field);
            }
        ParamMap params = Layer::readKerasArguments(config, reading);
        for (const std::string& field : refused)
            params.set(field, std::monostate{}); // invalid at the layer, never a made-up number
        return params;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Arguments a = arguments(params);
        if (!std::holds_alternative<double>(*params.find("scale")))
            return "scale ?";
        const double offset = a.real("offset");
        return "× " + cardNumber(a.real("scale")) + (offset != 0.0 ? " + " + cardNumber(offset) : std::string());
    }
};

} // namespace

std::unique_ptr<const LayerType> makeRescaling()
{
    return std::make_unique<Rescaling>();
}

} // namespace sf
