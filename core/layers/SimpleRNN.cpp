#include "ActivationArgument.h"
#include "Layer.h"
#include "RuleHelpers.h"
#include "engine/OpBuild.h"
#include "engine/ops/SimpleRNNOp.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

using nlohmann::json;

/// keras/src/layers/rnn/simple_rnn.py: a SimpleRNNCell run over the steps by rnn.py's RNN,
/// h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel). tf.keras 2
/// (tf_keras/layers/rnn/simple_rnn.py) takes the same arguments with the same defaults, and so
/// does TensorFlow.js (tfjs-layers/src/layers/recurrent.ts) but for its kernel initializer,
/// glorotNormal rather than glorot_uniform (a file names its own). All three carry a masked
/// step's state and output over from the step before.
class SimpleRNN final : public Layer {
public:
    SimpleRNN()
        : Layer({"SimpleRNN",
                 "simple_rnn",
                 LayerCategory::Recurrent,
                 "Recurrent layer: each step's output is fed back with the next step's input.",
                 {"sequences"},
                 false,
                 1,
                 {{"units",
                   ParamKind::Integer,
                   std::int64_t{32},
                   ValueRule::Positive,
                   {},
                   "Size of the state and of each output.",
                   true,
                   // SimpleRNNCell words it itself, unlike Dense.
                   "Received an invalid value for argument `units`, expected a positive integer, got {}."},
                  activationParam("tanh", "Applied to each step's new state.", false),
                  {"use_bias", ParamKind::Boolean, true, ValueRule::Any, {}, "Add a bias vector."},
                  // Keras clamps a rate outside [0, 1] into it (dropout_rnn_cell.py's min/max);
                  // Shapeflow refuses one, as it does for Dropout.
                  {"dropout",
                   ParamKind::Real,
                   0.0,
                   ValueRule::Rate,
                   {},
                   "Fraction of the input features to drop while training, the same at every step."},
                  {"recurrent_dropout",
                   ParamKind::Real,
                   0.0,
                   ValueRule::Rate,
                   {},
                   "Fraction of the state fed back to drop while training, the same at every step."},
                  {"return_sequences",
                   ParamKind::Boolean,
                   false,
                   ValueRule::Any,
                   {},
                   "Output every step's state (batch, steps, units), not only the last (batch, units)."},
                  {"return_state",
                   ParamKind::Boolean,
                   false,
                   ValueRule::Any,
                   {},
                   "Also output the final state, as a second output port."},
                  {"go_backwards",
                   ParamKind::Boolean,
                   false,
                   ValueRule::Any,
                   {},
                   "Run from the last step to the first; a returned sequence comes out reversed."}}},
                // Keras 2.2's legacy_recurrent_support (keras/legacy/interfaces.py), less
                // inner_activation (LSTM's and GRU's) and consume_less, whose values ('cpu') need
                // converting to `implementation`'s (0), which a renaming cannot do.
                {.keras1Arguments = {{"output_dim", "units"},
                                     {"init", "kernel_initializer"},
                                     {"inner_init", "recurrent_initializer"},
                                     {"W_regularizer", "kernel_regularizer"},
                                     {"b_regularizer", "bias_regularizer"},
                                     {"U_regularizer", "recurrent_regularizer"},
                                     {"dropout_W", "dropout"},
                                     {"dropout_U", "recurrent_dropout"}},
                 // tf.keras writes time_major=False, which only says the input is (batch, steps,
                 // features), as it always is here (True is refused), and which Keras 3 refuses
                 // as an unknown argument: not kept, so that a tf.keras file exports to Keras 3.
                 .derivedFields = {"time_major"},
                 // Keras 3's get_config beyond the arguments; tf.keras writes zero_output_for_mask
                 // only when true.
                 .defaultFields = {
                     {"kernel_initializer", {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}}},
                     {"recurrent_initializer",
                      {{"class_name", "Orthogonal"}, {"config", {{"gain", 1.0}, {"seed", nullptr}}}}},
                     {"bias_initializer", {{"class_name", "Zeros"}, {"config", json::object()}}},
                     {"kernel_regularizer", nullptr},
                     {"recurrent_regularizer", nullptr},
                     {"bias_regularizer", nullptr},
                     {"activity_regularizer", nullptr},
                     {"kernel_constraint", nullptr},
                     {"recurrent_constraint", nullptr},
                     {"bias_constraint", nullptr},
                     {"stateful", false},
                     {"unroll", false},
                     {"zero_output_for_mask", false}}})
    {
    }

    /// rnn.py's call: [output, final_state] with return_state.
    std::vector<std::string> outputNames(const Node& node) const override
    {
        if (Args(arguments(node.params)).returnState)
            return {"output", "state"};
        return {"output"};
    }

    RuleResult outputShape(RuleContext& ctx) const override
    {
        const TensorInfo& in = ctx.in();
        if (!rules::expectRank(ctx, 0, 3) || !rules::requireKnownLastDim(ctx, in))
            return {};
        const Args a(arguments(ctx.node.params));
        const std::int64_t features = in.shape.last().size();
        auto weights = checkedMultiply(features + a.units, a.units); // kernel and recurrent_kernel
        if (weights && a.useBias)
            *weights += a.units;
        if (!rules::checkWeightCount(ctx, weights,
                                     "input_dim=" + std::to_string(features) + ", units=" + std::to_string(a.units)))
            return {};
        TensorInfo out;
        out.shape = a.returnSequences ? Shape{in.shape[0], in.shape[1], Dim::known(a.units)}
                                      : Shape{in.shape[0], Dim::known(a.units)};
        out.dtype = DType::Float32;
        if (!a.returnState)
            return {out, *weights};
        TensorInfo state; // the final state carries no mask (compute_mask gives it None)
        state.shape = Shape{in.shape[0], Dim::known(a.units)};
        state.dtype = DType::Float32;
        return {out, *weights, {state}};
    }

    /// rnn.py's compute_mask: the input's mask goes on with the sequence (unreversed even with
    /// go_backwards, as Keras passes it), and stops with the last state alone.
    MaskRule maskRule(const Node& node) const override
    {
        return Args(arguments(node.params)).returnSequences ? MaskRule::Passes : MaskRule::Consumes;
    }

    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override
    {
        const Args a(arguments(node.params));
        std::vector<WeightSpec> w{{"kernel", {inputs[0].last().size(), a.units}, Initializer::GlorotUniform},
                                  {"recurrent_kernel", {a.units, a.units}, Initializer::Orthogonal}};
        if (a.useBias)
            w.push_back({"bias", {a.units}, Initializer::Zeros});
        return w;
    }

    /// Per step and unit: 2·features for the input's products and sums, 2·units for the state's,
    /// 1 for the bias, and the activation's cost. Carrying a masked step over is not counted.
    Count flops(const Node& node, const Shape* input, const Shape&) const override
    {
        if (!input || input->rank() != 3 || !(*input)[1].isKnown() || !input->last().isKnown())
            return Count::unknown();
        const Args a(arguments(node.params));
        const std::int64_t perUnit =
            2 * (input->last().size() + a.units) + (a.useBias ? 1 : 0) + activationFlopsPerElement(a.activation);
        return Count::of((*input)[1].size()) * Count::of(a.units) * Count::of(perUnit);
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const Args a(arguments(b.node.params));
        const std::vector<Index>& in = b.inputs[0]->value.shape; // (batch, steps, features)
        const Index batch = in[0];
        const Index steps = in[1];
        const Index features = in[2];
        const Index units = a.units;
        const auto batchFirst = [&](Index inner, Index last) { return b.scratch({batch, inner, last}, b.batched); };
        const auto timeMajor = [&](Index count) { return b.scratch({count, batch, units}, false); };
        const auto oneStep = [&] { return b.scratch({batch, units}, false); };

        SimpleRNNOp::Buffers buffers{batchFirst(steps, units),
                                     batchFirst(steps, units),
                                     timeMajor(steps),
                                     timeMajor(steps),
                                     timeMajor(steps + 1),
                                     oneStep(),
                                     oneStep(),
                                     oneStep()};
        if (a.dropout > 0.0) {
            buffers.inputKeep = b.scratch({batch, features}, b.batched);
            buffers.droppedInput = batchFirst(steps, features);
            buffers.droppedInputGrad = batchFirst(steps, features);
        }
        if (a.recurrentDropout > 0.0) {
            buffers.recurrentKeep = b.scratch({batch, units}, b.batched);
            buffers.droppedStates = timeMajor(steps);
            buffers.droppedStateGrad = oneStep();
        }
        const SimpleRNNOp::Options options{activationFromName(a.activation), a.returnSequences, a.goBackwards,
                                           static_cast<float>(a.dropout), static_cast<float>(a.recurrentDropout)};
        return std::make_unique<SimpleRNNOp>(b.weights[0], b.weights[1], a.useBias ? b.weights[2] : nullptr, options,
                                             buffers);
    }

    /// rnn.py's arguments that change what the layer computes or returns, and that Shapeflow
    /// does not model, are refused by name rather than imported as something else. `unroll` is
    /// only a speed hint: it is kept as it is.
    ParamMap readKerasArguments(json& config, KerasLayerReading& reading) const override
    {
        static const std::pair<const char*, const char*> kRefused[] = {
            {"stateful", "is stateful; Shapeflow does not keep a state from one batch to the next"},
            {"zero_output_for_mask", "outputs zeros at masked steps; Shapeflow's SimpleRNN repeats the previous "
                                     "output there, as Keras does by default"},
            {"time_major", "reads its input as (steps, batch, features); Shapeflow's is (batch, steps, features)"},
        };
        for (const auto& [field, what] : kRefused)
            if (const json* value = givenField(config, field); value && value->is_boolean() && value->get<bool>())
                reading.problem(code::kUnsupportedArgument, field,
                                "Layer " + reading.quoted() + " has " + field + "=True: it " + what + ".");
        return Layer::readKerasArguments(config, reading);
    }

    std::string cardSummary(const ParamMap& params) const override
    {
        const Args a(arguments(params));
        std::string text = std::to_string(a.units) + " · " + a.activation;
        if (a.returnSequences)
            text += " · sequences";
        if (a.goBackwards)
            text += " · backwards";
        if (a.returnState)
            text += " · state";
        if (a.dropout > 0.0 || a.recurrentDropout > 0.0)
            text += " · dropout " + cardNumber(a.dropout) + "/" + cardNumber(a.recurrentDropout);
        return text;
    }

private:
    struct Args {
        std::int64_t units;
        std::string activation;
        bool useBias;
        double dropout;
        double recurrentDropout;
        bool returnSequences;
        bool goBackwards;
        bool returnState;
        explicit Args(const Arguments& a)
            : units(a.integer("units")), activation(a.text("activation")), useBias(a.boolean("use_bias")),
              dropout(a.real("dropout")), recurrentDropout(a.real("recurrent_dropout")),
              returnSequences(a.boolean("return_sequences")), goBackwards(a.boolean("go_backwards")),
              returnState(a.boolean("return_state"))
        {
        }
    };
};

} // namespace

std::unique_ptr<const LayerType> makeSimpleRNN()
{
    return std::make_unique<SimpleRNN>();
}

} // namespace sf
