#include "LayerNames.h"
#include "Wrapper.h"
#include "engine/OpBuild.h"
#include "engine/ops/BidirectionalOp.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"

namespace sf {

std::unique_ptr<const LayerType> makeLSTM();

namespace {

using nlohmann::json;

/// keras/src/layers/rnn/bidirectional.py: a recurrent layer run forwards and a copy of it run
/// backwards over the same input, their outputs merged (concat, sum, mul, ave) or both returned
/// (merge_mode=None); with return_state, the forward layer's final states then the backward one's.
/// Without backward_layer, Keras 3 makes the backward layer from the forward one's config with
/// go_backwards=True and refuses a forward layer that goes backwards itself; tf.keras
/// (tf_keras/layers/rnn/bidirectional.py) flips go_backwards instead: Shapeflow reports the
/// forward one going backwards as Keras 3 does. Both force zero_output_for_mask to
/// return_sequences, so a masked step's outputs are zero in a returned sequence. Keras 3's
/// compute_output_shape doubles the forward layer's units for concat; Shapeflow gives what the
/// layers compute, forward units plus backward units, the same unless a backward_layer has its own.
/// Files: Keras 3's get_config writes `layer` (the forward layer, named forward_<name>) and
/// `backward_layer` always; tf.keras writes `layer` as given and `backward_layer` only when one
/// was given; TensorFlow.js (tfjs-layers/src/layers/wrappers.ts) reads `layer` and `merge_mode`.
/// A backward_layer that is exactly the one Keras would make is read as none given.
class Bidirectional final : public Layer {
public:
    Bidirectional()
        : Layer({"Bidirectional",
                 "bidirectional",
                 LayerCategory::Recurrent,
                 "Runs a recurrent layer forwards and a copy backwards over the sequence, and merges both.",
                 {"sequences"},
                 false,
                 1,
                 parameters()},
                {})
    {
    }

    std::vector<std::string> outputNames(const Node& node) const override
    {
        if (!node.params.layer("layer"))
            return {"output"}; // invalid until it has one (missing-argument)
        const Parts p = parts(node);
        std::vector<std::string> names{p.merge ? "output" : "forward"};
        if (!p.merge)
            names.emplace_back("backward");
        if (returnState(p.forward))
            for (const auto& [side, layer] : {std::pair{"forward_", &p.forward}, std::pair{"backward_", &p.backward}}) {
                const std::vector<std::string> states =
                    wrapper::typeOf(*layer).outputNames(wrapper::innerNode(node, *layer));
                for (std::size_t k = 1; k < states.size(); ++k)
                    names.push_back(std::string(side) + states[k]);
            }
        return names;
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const Parts p = parts(ctx.node);
        const TensorInfo& in = ctx.in();
        const RuleResult forward = wrapper::inferInner(ctx, "layer", p.forward, in);
        std::vector<Diagnostic> repeated; // a backward layer made from the forward one says the same again
        RuleResult backward;
        if (p.explicitBackward) {
            backward = wrapper::inferInner(ctx, "backward_layer", p.backward, in);
        } else {
            RuleContext quiet{ctx.graph, ctx.report, ctx.node, ctx.spec, ctx.inputs, repeated, ctx.watched};
            backward = wrapper::inferInner(quiet, "layer", p.backward, in);
        }
        if (!forward.output || !backward.output || !pairsUp(ctx, p, *forward.output, *backward.output))
            return {};
        TensorInfo out = *forward.output;
        std::vector<Dim> dims = out.shape.dims();
        if (p.merge == "concat")
            dims.back() = Dim::known(dims.back().size() + backward.output->shape.last().size());
        out.shape = Shape(std::move(dims));
        // rnn.py's compute_mask, which Bidirectional's follows: the mask goes on with a sequence.
        out.maskFrom = returnSequences(p.forward) ? in.maskFrom : NodeId{};
        RuleResult result{out, forward.params + backward.params};
        if (!p.merge) {
            TensorInfo second = *backward.output;
            second.maskFrom = out.maskFrom;
            result.moreOutputs.push_back(second);
        }
        result.moreOutputs.insert(result.moreOutputs.end(), forward.moreOutputs.begin(), forward.moreOutputs.end());
        result.moreOutputs.insert(result.moreOutputs.end(), backward.moreOutputs.begin(), backward.moreOutputs.end());
        return result;
    }

    MaskRule maskRule(const Node&) const override { return MaskRule::Custom; }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Parts p = parts(node);
        std::vector<WeightSpec> w = wrapper::innerWeights(node, p.forward, "forward", inputs);
        const std::vector<WeightSpec> b = wrapper::innerWeights(node, p.backward, "backward", inputs);
        w.insert(w.end(), b.begin(), b.end());
        return w;
    }

    /// Both layers' work, and the merge's: one operation per merged value for sum and mul, two for ave.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override
    {
        const Parts p = parts(node);
        const Count layers = wrapper::typeOf(p.forward).flops(wrapper::innerNode(node, p.forward), input, output) +
                             wrapper::typeOf(p.backward).flops(wrapper::innerNode(node, p.backward), input, output);
        const std::int64_t perValue = !p.merge || p.merge == "concat" ? 0 : p.merge == "ave" ? 2 : 1;
        return layers + sampleElementCount(output) * Count::of(perValue);
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Parts p = parts(b.node);
        const std::vector<Index>& in = b.inputs[0]->value.shape;
        std::vector<Dim> inputDims;
        for (const Index d : in)
            inputDims.push_back(Dim::known(d));
        const Shape inputShape(std::move(inputDims));
        const bool sequences = returnSequences(p.forward);
        std::size_t weight = 0;
        std::size_t port = p.merge ? 0 : 1; // merge_mode=None: port 1 is the backward layer's output
        std::vector<std::unique_ptr<Op>> ops;
        std::vector<NodeBuffers*> outputs;
        for (const NestedLayer* layer : {&p.forward, &p.backward}) {
            const Node node = wrapper::innerNode(b.node, *layer);
            const LayerType& type = wrapper::typeOf(*layer);
            const std::size_t count = type.weights(node, {inputShape}).size();
            const std::vector<Parameter*> weights(b.weights.begin() + static_cast<std::ptrdiff_t>(weight),
                                                  b.weights.begin() + static_cast<std::ptrdiff_t>(weight + count));
            weight += count;
            const Index units = layer->arguments().integer("units");
            const std::vector<Index> shape =
                sequences ? std::vector<Index>{b.shape[0], in[1], units} : std::vector<Index>{b.shape[0], units};
            NodeBuffers* output = b.buffers(shape, b.batched);
            const std::size_t states = type.outputNames(node).size() - 1;
            const std::vector<NodeBuffers*> statePorts(b.moreOutputs.begin() + static_cast<std::ptrdiff_t>(port),
                                                       b.moreOutputs.begin() +
                                                           static_cast<std::ptrdiff_t>(port + states));
            port += states;
            OpBuild inner{.node = node,
                          .shape = shape,
                          .batched = b.batched,
                          .inputs = b.inputs,
                          .output = *output,
                          .weights = weights,
                          .moreOutputs = statePorts,
                          .scratch = b.scratch,
                          .buffers = b.buffers,
                          .maskStorage = b.maskStorage};
            std::unique_ptr<Op> op = type.makeOp(inner);
            op->node = b.node.id;
            op->inputs = b.inputs;
            op->output = output;
            op->moreOutputs = statePorts;
            ops.push_back(std::move(op));
            outputs.push_back(output);
        }
        const float* mask = sequences ? b.inputs[0]->mask : nullptr;
        b.output.mask = mask;
        if (!p.merge)
            b.moreOutputs[0]->mask = mask;
        return std::make_unique<BidirectionalOp>(std::move(ops[0]), std::move(ops[1]), outputs[0], outputs[1],
                                                 mergeOf(p.merge), sequences);
    }

    /// bidirectional.py keeps the two layers as `forward_layer` and `backward_layer` (a backward
    /// layer not given is made from the forward one's config, so of its class).
    std::vector<KerasWeightHolder> kerasWeightHolders(const ParamMap& params) const override
    {
        const NestedLayer* forward = params.layer("layer");
        const NestedLayer* backward = params.layer("backward_layer");
        return {{"forward", "forward_layer", forward}, {"backward", "backward_layer", backward ? backward : forward}};
    }

    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        ParamMap params;
        const ParamSpec& layerSpec = *spec().param("layer");
        const json* layer = givenField(config, "layer");
        std::optional<NestedLayer> forward =
            layer ? wrapper::readKerasLayer(*layer, layerSpec, reading, {"zero_output_for_mask"}) : std::nullopt;
        if (forward && layer->contains("module")) // Keras 3 wrote it, as the forward_<name> it made
            forward->name = withoutPrefix(forward->name, "forward_");
        params.set("layer", forward ? ParamValue(*forward) : ParamValue(std::monostate{})); // none: missing-argument
        if (config.is_object() && config.contains("merge_mode") && config.at("merge_mode").is_null())
            params.set("merge_mode", std::monostate{}); // None: both outputs
        else if (const json* merge = givenField(config, "merge_mode"); merge && merge->is_string())
            params.set("merge_mode", merge->get<std::string>());
        else if (merge)
            params.set("merge_mode", briefJson(*merge)); // refused at the layer, never taken as None
        if (const json* backward = givenField(config, "backward_layer")) {
            std::optional<NestedLayer> given =
                wrapper::readKerasLayer(*backward, *spec().param("backward_layer"), reading, {"zero_output_for_mask"});
            if (given && !(forward && *given == madeBackward(*forward)))
                params.set("backward_layer", *given);
            else if (!given)
                params.set("backward_layer", std::string("unreadable")); // refused at the layer
        }
        return params;
    }

    bool modelsKerasField(const std::string& key) const override
    {
        return key == "name" || key == "layer" || key == "merge_mode" || key == "backward_layer";
    }

    json kerasConfig(const Node& node, KerasFlavour flavour) const override
    {
        json config = Layer::kerasConfig(node, flavour);
        config.erase("backward_layer");
        if (!node.params.layer("layer")) {
            config["layer"] = nullptr; // invalid until it has one (missing-argument), written as it is
            return config;
        }
        const Parts p = parts(node);
        config["merge_mode"] = p.merge ? json(*p.merge) : json(nullptr);
        if (flavour == KerasFlavour::Keras3) {
            // get_config serializes the layers Keras made: forward_<name> and backward_<name>,
            // zero_output_for_mask forced to return_sequences.
            for (const auto& [key, layer] :
                 {std::pair{"layer", &p.forward}, std::pair{"backward_layer", &p.backward}}) {
                json entry = wrapper::kerasLayer(*layer, flavour);
                entry["config"]["zero_output_for_mask"] = returnSequences(*layer);
                config[key] = std::move(entry);
            }
        } else {
            config["layer"] = wrapper::kerasLayer(*node.params.layer("layer"), flavour);
            if (p.explicitBackward)
                config["backward_layer"] = wrapper::kerasLayer(p.backward, flavour);
        }
        return config;
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const NestedLayer* layer = params.layer("layer");
        if (!layer)
            return "no layer";
        // `LSTM 64 · seq · concat`: the layer's units, whether it returns sequences, the merge.
        const std::optional<std::string> merge = arguments(params).optionalText("merge_mode");
        return layer->className + " " + std::to_string(layer->arguments().integer("units")) +
               (returnSequences(*layer) ? " · seq" : "") + " · " + (merge ? *merge : std::string("both"));
    }

private:
    /// The two layers as Keras runs them, and the merge (nullopt: None).
    struct Parts {
        NestedLayer forward;
        NestedLayer backward;
        bool explicitBackward;
        std::optional<std::string> merge;
    };

    Parts parts(const Node& node) const
    {
        const Arguments a = arguments(node.params);
        const NestedLayer& layer = *a.layer("layer");
        NestedLayer forward = keras3Name(layer, "forward_");
        const NestedLayer* given = a.layer("backward_layer");
        return {forward, given ? *given : madeBackward(layer), given != nullptr, a.optionalText("merge_mode")};
    }

    /// Keras 3's name for a layer it makes: `forward_lstm` from `lstm` or from `forward_lstm`.
    static NestedLayer keras3Name(const NestedLayer& layer, const std::string& prefix)
    {
        NestedLayer named = layer;
        named.name = prefix + withoutPrefix(layer.name, prefix);
        return named;
    }

    /// Python's str.removeprefix.
    static std::string withoutPrefix(const std::string& name, const std::string& prefix)
    {
        return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
    }

    /// The backward layer Keras 3 makes from `layer`: its config with go_backwards=True.
    static NestedLayer madeBackward(const NestedLayer& layer)
    {
        NestedLayer backward = withArgument(layer, "go_backwards", true);
        backward.name = "backward_" + withoutPrefix(layer.name, "backward_");
        return backward;
    }

    static bool returnSequences(const NestedLayer& layer) { return layer.arguments().boolean("return_sequences"); }
    static bool returnState(const NestedLayer& layer) { return layer.arguments().boolean("return_state"); }

    static BidirectionalOp::Merge mergeOf(const std::optional<std::string>& merge)
    {
        if (!merge)
            return BidirectionalOp::Merge::None;
        if (*merge == "sum")
            return BidirectionalOp::Merge::Sum;
        if (*merge == "mul")
            return BidirectionalOp::Merge::Mul;
        if (*merge == "ave")
            return BidirectionalOp::Merge::Ave;
        return BidirectionalOp::Merge::Concat;
    }

    /// _verify_layer_config's checks, and outputs that sum, mul or ave can merge.
    bool pairsUp(RuleContext& ctx, const Parts& p, const TensorInfo& forward, const TensorInfo& backward) const
    {
        const bool fb = p.forward.arguments().boolean("go_backwards");
        const bool bb = p.backward.arguments().boolean("go_backwards");
        if (fb == bb) {
            Diagnostic& d = ctx.error(
                code::kBidirectionalMismatch,
                std::string("Forward layer and backward layer should have different `go_backwards` value. Received: "
                            "forward_layer.go_backwards ") +
                    (fb ? "True" : "False") + ", backward_layer.go_backwards=" + (bb ? "True" : "False"),
                p.explicitBackward ? "Layer " + ctx.quoted() + " runs both layers in the same direction."
                                   : "Layer " + ctx.quoted() +
                                         " makes its backward layer with go_backwards=True: the forward layer "
                                         "must go forwards.");
            const NestedLayer& layer = *ctx.node.params.layer("layer");
            if (p.explicitBackward)
                d.fixes.push_back(
                    {"Run the backward layer backwards",
                     SetArgument{ctx.node.id, "backward_layer",
                                 withArgument(*ctx.node.params.layer("backward_layer"), "go_backwards", !fb)}});
            else
                d.fixes.push_back({"Run the forward layer forwards",
                                   SetArgument{ctx.node.id, "layer", withArgument(layer, "go_backwards", false)}});
            return false;
        }
        for (const char* attribute : {"return_sequences", "return_state"}) {
            const bool f = p.forward.arguments().boolean(attribute);
            const bool b = p.backward.arguments().boolean(attribute);
            if (f == b)
                continue;
            Diagnostic& d =
                ctx.error(code::kBidirectionalMismatch,
                          std::string("Forward layer and backward layer are expected to have the same "
                                      "value for attribute \"") +
                              attribute + "\", got \"" + (f ? "True" : "False") + "\" for forward layer and \"" +
                              (b ? "True" : "False") + "\" for backward layer",
                          "Layer " + ctx.quoted() + "'s backward_layer returns other outputs than its layer.");
            d.fixes.push_back({std::string("Set the backward layer's ") + attribute + " to " + (f ? "True" : "False"),
                               SetArgument{ctx.node.id, "backward_layer",
                                           withArgument(*ctx.node.params.layer("backward_layer"), attribute, f)}});
            return false;
        }
        if (p.merge && *p.merge != "concat" && forward.shape.last() != backward.shape.last()) {
            ctx.error(code::kBidirectionalMismatch,
                      "Layer " + ctx.quoted() + " merges its layers' outputs with merge_mode='" + *p.merge +
                          "', which needs equal shapes. Received: " + forward.shape.toKeras() + " and " +
                          backward.shape.toKeras(),
                      "Give both layers the same units, or merge with 'concat'.")
                .fixes.push_back(
                    {"Merge with 'concat'", SetArgument{ctx.node.id, "merge_mode", std::string("concat")}});
            return false;
        }
        return true;
    }

    static std::vector<ParamSpec> parameters()
    {
        const std::vector<std::string> recurrent{std::string(layerName::kLSTM), std::string(layerName::kGRU),
                                                 std::string(layerName::kSimpleRNN)};
        ParamMap seed = makeLSTM()->spec().defaults(); // the catalogue is being made: not from it
        seed.set("return_sequences", true);
        ParamSpec layer{"layer",
                        ParamKind::Layer,
                        NestedLayer(std::string(layerName::kLSTM), "lstm", std::move(seed)),
                        ValueRule::Any,
                        {},
                        "The recurrent layer run forwards; a copy of it runs backwards.",
                        true};
        layer.layerClasses = recurrent;
        ParamSpec backward{"backward_layer",
                           ParamKind::Layer,
                           std::monostate{},
                           ValueRule::Any,
                           {},
                           "The layer run backwards (go_backwards=True), if not a copy of `layer`."};
        backward.layerClasses = recurrent;
        backward.seedFrom = "layer"; // as Keras makes the backward layer when none is given
        backward.seedChanges = {{"go_backwards", true}};
        return {layer,
                {"merge_mode",
                 ParamKind::OptionalChoice,
                 std::string("concat"),
                 ValueRule::Any,
                 {"concat", "sum", "mul", "ave"},
                 "How the two outputs become one; None returns both."},
                backward};
    }
};

} // namespace

std::unique_ptr<const LayerType> makeBidirectional()
{
    return std::make_unique<Bidirectional>();
}

} // namespace sf
