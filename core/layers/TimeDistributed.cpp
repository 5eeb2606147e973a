#include "Wrapper.h"
#include "engine/ops/TimeDistributedOp.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"

namespace sf {

std::unique_ptr<const LayerType> makeDense();

namespace {

using nlohmann::json;

/// keras/src/layers/rnn/time_distributed.py: the same layer applied to every step of a (batch,
/// steps, ...) input, its output (batch, steps, ...) with the layer's output per step. The layer
/// sees (batch, ...) (_get_child_input_shape) and its weights once. Keras 3 sets
/// supports_masking=False, so a mask stops here; tf.keras (tf_keras/layers/rnn/time_distributed.py)
/// passes it on: Shapeflow follows Keras 3 and says so (`mask-dropped`). Keras 3 calls the layer
/// step by step; Shapeflow runs it once over batch · steps samples, the same for the layers it
/// takes, each of which treats its samples one by one: BatchNormalization, whose statistics would
/// be over batch · steps rather than each step's batch while training, is not one of them, nor
/// are layers of several inputs or outputs, the ones making masks (Embedding, Masking) and
/// Bidirectional (a file nests one layer deep). TensorFlow.js (tfjs-layers/src/layers/wrappers.ts)
/// reads the same config.
class TimeDistributed final : public Layer {
public:
    TimeDistributed()
        : Layer({"TimeDistributed",
                 "time_distributed",
                 LayerCategory::Recurrent,
                 "Applies one layer, with one set of weights, to every step of a sequence.",
                 {"inputs"},
                 false,
                 1,
                 parameters()},
                {})
    {
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (in.shape.rank() < 3) {
            ctx.error(code::kInputRank,
                      "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                      "received: " +
                          in.shape.toKeras(),
                      "Layer " + ctx.quoted() + " applies its layer to each step of axis 1: it needs a sequence.", 0);
            return {};
        }
        const NestedLayer& layer = *ctx.node.params.layer("layer");
        TensorInfo child = in; // without the mask, which stops here
        child.shape = childShape(in.shape);
        child.maskFrom = {};
        RuleResult inner = wrapper::inferInner(ctx, "layer", layer, child);
        if (!inner.output)
            return {};
        if (!inner.moreOutputs.empty()) {
            ctx.error(code::kInvalidArgument,
                      "Layer " + ctx.quoted() + " wraps " + layer.className + " \"" + layer.name +
                          "\", which returns " + std::to_string(inner.moreOutputs.size() + 1) +
                          " tensors with return_state=True; TimeDistributed stacks one output per step.",
                      "Turn return_state off, or use the layer outside TimeDistributed.")
                .fixes.push_back({"Set `return_state` to False in `layer`",
                                  SetArgument{ctx.node.id, "layer", withArgument(layer, "return_state", false)}});
            return {};
        }
        std::vector<Dim> dims{inner.output->shape[0], in.shape[1]};
        for (int axis = 1; axis < inner.output->shape.rank(); ++axis)
            dims.push_back(inner.output->shape[axis]);
        TensorInfo out = *inner.output;
        out.shape = Shape(std::move(dims));
        return {out, inner.params};
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Drops; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const NestedLayer& layer = *node.params.layer("layer");
        return wrapper::innerWeights(node, layer, layer.name, {childShape(inputs[0])});
    }

    /// The layer's work on each step.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        if (!input || input->rank() < 3 || !(*input)[1].isKnown())
            return Count::unknown();
        const NestedLayer& layer = *node.params.layer("layer");
        const Shape child = childShape(*input);
        std::vector<Dim> outputDims{output[0]};
        for (int axis = 2; axis < output.rank(); ++axis)
            outputDims.push_back(output[axis]);
        return wrapper::typeOf(layer).flops(wrapper::innerNode(node, layer), &child, Shape(std::move(outputDims))) *
               Count::of((*input)[1].size());
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const NestedLayer& layer = *b.node.params.layer("layer");
        const LayerType& type = wrapper::typeOf(layer);
        const Node node = wrapper::innerNode(b.node, layer);
        const Index steps = b.inputs[0]->value.shape[1];
        auto op = std::make_unique<TimeDistributedOp>(b, steps);
        std::vector<Index> shape(b.shape.begin() + 1, b.shape.end());
        shape[0] *= b.shape[0];
        OpBuild inner = op->innerBuild(node, b.weights, shape);
        std::unique_ptr<Op> innerOp = type.makeOp(inner); // none for a layer that views its input: copied
        if (innerOp)
            innerOp->node = b.node.id;
        op->setInner(std::move(innerOp));
        return op;
    }

    /// time_distributed.py keeps the layer it wraps as `layer`.
    std::vector<KerasWeightHolder> kerasWeightHolders(const ParamMap& params) const override
    {
        const NestedLayer* layer = params.layer("layer");
        if (!layer)
            return {};
        return {{layer->name, "layer", layer}};
    }

    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        ParamMap params;
        const json* layer = givenField(config, "layer");
        std::optional<NestedLayer> read =
            layer ? wrapper::readKerasLayer(*layer, *spec().param("layer"), reading) : std::nullopt;
        params.set("layer", read ? ParamValue(*read) : ParamValue(std::monostate{})); // none: missing-argument
        return params;
    }

    bool modelsKerasField(const std::string& key) const override { return key == "name" || key == "layer"; }

    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        json config = Layer::kerasConfig(node, flavour);
        const NestedLayer* layer = node.params.layer("layer");
        config["layer"] = layer ? wrapper::kerasLayer(*layer, flavour) : json(nullptr); // none: invalid as it is
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const NestedLayer* layer = params.layer("layer");
        return layer ? layer->className + " " + wrapper::typeOf(*layer).cardSummary(layer->arguments())
                     : std::string("no layer");
    }

private:
    /// What the layer sees: the input without its steps axis.
    static Shape childShape(const Shape& input)
    {
        std::vector<Dim> dims{input[0]};
        for (int axis = 2; axis < input.rank(); ++axis)
            dims.push_back(input[axis]);
        return Shape(std::move(dims));
    }

    static std::vector<ParamSpec> parameters()
    {
        ParamMap seed = makeDense()->spec().defaults(); // the catalogue is being made: not from it
        ParamSpec layer{"layer",
                        ParamKind::Layer,
                        NestedLayer("Dense", "dense", std::move(seed)),
                        ValueRule::Any,
                        {},
                        "The layer applied to each step.",
                        true};
        layer.layerClasses = {"Dense",
                              "Activation",
                              "Dropout",
                              "Softmax",
                              "ReLU",
                              "LeakyReLU",
                              "PReLU",
                              "ELU",
                              "Conv1D",
                              "SeparableConv1D",
                              "MaxPooling1D",
                              "AveragePooling1D",
                              "GlobalMaxPooling1D",
                              "GlobalAveragePooling1D",
                              "Flatten",
                              "Reshape",
                              "RepeatVector",
                              "Permute",
                              "ZeroPadding1D",
                              "Cropping1D",
                              "UpSampling1D",
                              "LayerNormalization",
                              "GaussianNoise",
                              "GaussianDropout",
                              "SpatialDropout1D",
                              "SimpleRNN",
                              "LSTM",
                              "GRU"};
        return {layer};
    }
};

} // namespace

std::unique_ptr<const LayerType> makeTimeDistributed()
{
    return std::make_unique<TimeDistributed>();
}

} // namespace sf
