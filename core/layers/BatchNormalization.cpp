#include "NormalizationAxes.h"
#include "engine/OpBuild.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"
#include "shape/Trainable.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/normalization/batch_normalization.py: per entry of `axis`, gamma * (x - mean)
/// / sqrt(variance + epsilon) + beta, the moments taken over the batch and every other axis while
/// training (which folds them into moving_mean and moving_variance, value * momentum + batch's *
/// (1 - momentum), the variance the biased one), and the moving ones at inference. A frozen layer
/// (`trainable: false`) runs as at inference also while training, as Keras 3 and tf.keras do.
/// Keras 3 takes a mask (supports_masking, `call(..., mask)`): the moments then weigh each value by
/// the mask of its row, dividing by the weight sum plus 1e-7; the mask passes on.
///
/// tf.keras 2 (tf_keras/layers/normalization/batch_normalization.py) takes `axis` as an int or a
/// list and writes it as a list of non-negative axes once built (`[2]`); one axis is read here, a
/// list of several is refused by name, as are `renorm=True` and `virtual_batch_size`, which change
/// the computation. Its `fused` path computes the same moments (it removes the Bessel correction
/// the fused kernel applies) and is not written to files. Its masked moments
/// (tf.nn.weighted_moments) divide by the weight sum without Keras 3's 1e-7. TensorFlow.js
/// (tfjs-layers/src/layers/normalization.ts) takes one integer `axis`, ignores a mask, and reads
/// gamma and beta while training even with scale or center off.
class BatchNormalization final : public Layer {
public:
    BatchNormalization()
        : Layer({"BatchNormalization",
                 "batch_normalization",
                 LayerCategory::Normalization,
                 "Normalizes each channel by the batch's moments while training, by moving averages of them "
                 "at inference.",
                 {"inputs"},
                 false,
                 1,
                 [] {
                     std::vector<ParamSpec> p{{"axis",
                                               ParamKind::Integer,
                                               std::int64_t{-1},
                                               ValueRule::Any,
                                               {},
                                               "The channel axis; -1 is the last."},
                                              {"momentum",
                                               ParamKind::Real,
                                               0.99,
                                               ValueRule::Rate,
                                               {},
                                               "Weight of the old moving statistics in each update while training."}};
                     for (ParamSpec& s : normalization::commonParams("Added to the variance before its square root."))
                         p.push_back(std::move(s));
                     return p;
                 }()},
                {.keras1Arguments = {{"beta_init", "beta_initializer"}, {"gamma_init", "gamma_initializer"}},
                 .defaultFields = [] {
                     json fields = normalization::gammaBetaFields();
                     fields["moving_mean_initializer"] = {{"class_name", "Zeros"}, {"config", json::object()}};
                     fields["moving_variance_initializer"] = {{"class_name", "Ones"}, {"config", json::object()}};
                     fields["synchronized"] = false;
                     fields["renorm"] = false;
                     fields["renorm_clipping"] = nullptr;
                     fields["renorm_momentum"] = 0.99;
                     return fields;
                 }()})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        const Args a(arguments(ctx.node.params));
        const auto axes = normalization::resolveAxes(ctx, {a.axis}, std::to_string(a.axis), [&](std::int64_t axis) {
            // compute_output_shape's words
            return "Axis " + std::to_string(axis) + " is out of bounds for input shape " + in.shape.toKeras() +
                   ". Received: axis=" + std::to_string(a.axis);
        });
        if (!axes)
            return {};
        return normalization::sameShapeResult(ctx, *axes, 2 + (a.scale ? 1 : 0) + (a.center ? 1 : 0),
                                              "channels=" + std::to_string(in.shape[axes->front()].size()));
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Passes; } // supports_masking = True

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        const std::vector<std::int64_t> shape =
            normalization::weightShape(inputs[0], normalization::absoluteAxes({a.axis}, inputs[0].rank()));
        std::vector<WeightSpec> w = normalization::gammaBeta(shape, a.scale, a.center);
        w.push_back({"moving_mean", shape, Initializer::Zeros, false});
        w.push_back({"moving_variance", shape, Initializer::Ones, false});
        return w;
    }

    /// At inference, per value: the subtraction and the division by the moving deviation (2),
    /// gamma's product and beta's sum.
    Count flops(const Node& node, const Shape*, const Shape& output) const override
    {
        const Args a(arguments(node.params));
        return sampleElementCount(output) * Count::of(2 + (a.scale ? 1 : 0) + (a.center ? 1 : 0));
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const std::vector<int> axes = normalization::absoluteAxes({a.axis}, static_cast<int>(b.shape.size()));
        std::size_t next = 0;
        NormalizationOp::Weights w;
        w.gamma = a.scale ? b.weights[next++] : nullptr;
        w.beta = a.center ? b.weights[next++] : nullptr;
        w.movingMean = b.weights[next++];
        w.movingVariance = b.weights[next];
        const NormalizationOp::Options options{.epsilon = static_cast<float>(a.epsilon),
                                               .momentum = static_cast<float>(a.momentum),
                                               .centered = true,
                                               .maskedMoments = true,
                                               .trains = isTrainable(b.node)};
        return std::make_unique<NormalizationOp>(normalization::layoutFor(b, axes, true), options, w, b.shape[0]);
    }

    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        bool axisRefused = false;
        if (json* axis = config.is_object() && config.contains("axis") ? &config["axis"] : nullptr;
            axis && axis->is_array()) {
            if (axis->size() == 1 && (*axis)[0].is_number_integer()) {
                *axis = (*axis)[0]; // tf.keras's built `[2]`: one axis, as Keras 3 reads it
            } else {
                reading.problem(code::kUnsupportedArgument, "axis",
                                "Layer " + reading.quoted() + " has axis=" + briefJson(*axis) +
                                    ": tf.keras normalizes over several axes at once there; Shapeflow's "
                                    "BatchNormalization, as Keras 3's, takes one axis.");
                config.erase("axis");
                axisRefused = true;
            }
        }
        // Keras 1's `mode`: 0 is what Keras 2 does; Keras 2.2's legacy interface refuses 1 and 2
        // (per-sample and per-batch feature-wise modes) and drops 0.
        if (const json* mode = givenField(config, "mode");
            mode && !(mode->is_number_integer() && mode->get<std::int64_t>() == 0))
            reading.problem(code::kUnsupportedArgument, "mode",
                            "Layer " + reading.quoted() + " has mode=" + briefJson(*mode) +
                                ": Keras 1's modes 1 and 2 no longer exist in Keras 2 or in Shapeflow.");
        if (config.is_object())
            config.erase("mode");
        if (const json* renorm = givenField(config, "renorm"); renorm && renorm->is_boolean() && renorm->get<bool>())
            reading.problem(code::kUnsupportedArgument, "renorm",
                            "Layer " + reading.quoted() +
                                " has renorm=True: it corrects the batch's moments towards moving ones while "
                                "training (Batch Renormalization), which Shapeflow does not model.");
        if (const json* virtualBatch = givenField(config, "virtual_batch_size"))
            reading.problem(code::kUnsupportedArgument, "virtual_batch_size",
                            "Layer " + reading.quoted() + " has virtual_batch_size=" + briefJson(*virtualBatch) +
                                ": it takes the moments over parts of each batch (Ghost Batch Normalization), "
                                "which Shapeflow does not model.");
        ParamMap params = Layer::readKerasArguments(config, reading);
        if (axisRefused)
            params.set("axis", std::monostate{}); // invalid at the layer until it is set
        return params;
    }

    /// tf.keras's get_config writes the renorm fields only with renorm=True, and has no
    /// `synchronized` in its files; Keras 3 writes them all.
    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        json config = Layer::kerasConfig(node, flavour);
        if (flavour == KerasFlavour::Keras2)
            for (const char* field : {"synchronized", "renorm", "renorm_clipping", "renorm_momentum"})
                config.erase(field);
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        return normalization::card(std::to_string(a.axis), a.epsilon, a.center, a.scale) + " · momentum " +
               cardNumber(a.momentum);
    }

private:
    struct Args {
        std::int64_t axis;
        double momentum;
        double epsilon;
        bool center;
        bool scale;
        explicit Args(const Arguments& a)
            : axis(a.integer("axis")), momentum(a.real("momentum")), epsilon(a.real("epsilon")),
              center(a.boolean("center")), scale(a.boolean("scale"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeBatchNormalization()
{
    return std::make_unique<BatchNormalization>();
}

} // namespace sf
