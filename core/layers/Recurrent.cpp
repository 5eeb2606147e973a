#include "Recurrent.h"

#include "ActivationArgument.h"
#include "RuleHelpers.h"
#include "io/KerasLayerReading.h"
#include "shape/DiagnosticCodes.h"
#include "shape/LayerFlops.h"

#include <limits>

namespace sf::recurrent {

using nlohmann::json;

Args::Args(const Arguments& a)
    : units(a.integer("units")), activation(a.text("activation")), useBias(a.boolean("use_bias")),
      dropout(a.real("dropout")), recurrentDropout(a.real("recurrent_dropout")),
      returnSequences(a.boolean("return_sequences")), returnState(a.boolean("return_state")),
      goBackwards(a.boolean("go_backwards"))
{
}

RecurrentOp::Options Args::options(bool maskPerGate) const
{
    return {returnSequences, goBackwards, static_cast<float>(dropout), static_cast<float>(recurrentDropout),
            maskPerGate};
}

ParamSpec unitsParam()
{
    return {"units",
            ParamKind::Integer,
            std::int64_t{32},
            ValueRule::Positive,
            {},
            "Size of the state and of each output.",
            true,
            // The cells word it themselves, unlike Dense.
            "Received an invalid value for argument `units`, expected a positive integer, got {}."};
}

ParamSpec useBiasParam()
{
    return {"use_bias", ParamKind::Boolean, true, ValueRule::Any, {}, "Add a bias vector."};
}

std::vector<ParamSpec> dropoutParams()
{
    // Keras clamps a rate outside [0, 1] into it (dropout_rnn_cell.py's min/max); Shapeflow
    // refuses one, as it does for Dropout.
    return {{"dropout",
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
             "Fraction of the state fed back to drop while training, the same at every step."}};
}

std::vector<ParamSpec> sequenceParams()
{
    return {{"return_sequences",
             ParamKind::Boolean,
             false,
             ValueRule::Any,
             {},
             "Output every step's state (batch, steps, units), not only the last (batch, units)."},
            {"return_state", ParamKind::Boolean, false, ValueRule::Any, {}, "Also output the final states, as ports."},
            {"go_backwards",
             ParamKind::Boolean,
             false,
             ValueRule::Any,
             {},
             "Run from the last step to the first; a returned sequence comes out reversed."}};
}

std::vector<std::pair<std::string, std::string>> keras1Arguments(bool gated)
{
    std::vector<std::pair<std::string, std::string>> names = {{"output_dim", "units"},
                                                              {"init", "kernel_initializer"},
                                                              {"inner_init", "recurrent_initializer"},
                                                              {"W_regularizer", "kernel_regularizer"},
                                                              {"b_regularizer", "bias_regularizer"},
                                                              {"U_regularizer", "recurrent_regularizer"},
                                                              {"dropout_W", "dropout"},
                                                              {"dropout_U", "recurrent_dropout"}};
    if (gated)
        names.emplace_back("inner_activation", "recurrent_activation");
    return names;
}

json defaultFields()
{
    return {{"kernel_initializer", {{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}}},
            {"recurrent_initializer", {{"class_name", "Orthogonal"}, {"config", {{"gain", 1.0}, {"seed", nullptr}}}}},
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
            {"zero_output_for_mask", false}};
}

RecurrentLayer::RecurrentLayer(LayerSpec spec, KerasExtras keras, std::int64_t gates,
                               std::vector<std::string> stateNames)
    : Layer(std::move(spec), std::move(keras)), m_gates(gates), m_stateNames(std::move(stateNames))
{
}

/// rnn.py's call: [output, *final_states] with return_state.
std::vector<std::string> RecurrentLayer::outputNames(const Node& node) const
{
    std::vector<std::string> names{"output"};
    if (Args(arguments(node.params)).returnState)
        names.insert(names.end(), m_stateNames.begin(), m_stateNames.end());
    return names;
}

RuleResult RecurrentLayer::outputShape(RuleContext& ctx) const
{
    const TensorInfo& in = ctx.in();
    if (!rules::expectRank(ctx, 0, 3) || !rules::requireKnownLastDim(ctx, in))
        return {};
    const Args a(arguments(ctx.node.params));
    const std::int64_t features = in.shape.last().size();
    // The count is the weights' own; units beyond any layer's size would overflow their shapes.
    std::optional<std::int64_t> count =
        a.units <= rules::kMaxLayerWeights ? std::optional<std::int64_t>(0) : std::nullopt;
    if (count)
        for (const WeightSpec& w : weights(ctx.node, {in.shape})) {
            std::optional<std::int64_t> size = 1;
            for (const std::int64_t d : w.shape)
                size = size ? checkedMultiply(*size, d) : std::nullopt;
            const bool fits = count && size && *size <= std::numeric_limits<std::int64_t>::max() - *count;
            count = fits ? std::optional(*count + *size) : std::nullopt;
        }
    if (!rules::checkWeightCount(ctx, count,
                                 "input_dim=" + std::to_string(features) + ", units=" + std::to_string(a.units)))
        return {};
    TensorInfo out;
    out.shape = a.returnSequences ? Shape{in.shape[0], in.shape[1], Dim::known(a.units)}
                                  : Shape{in.shape[0], Dim::known(a.units)};
    out.dtype = DType::Float32;
    RuleResult result{out, *count};
    if (a.returnState) {
        TensorInfo state; // a final state carries no mask (compute_mask gives it None)
        state.shape = Shape{in.shape[0], Dim::known(a.units)};
        state.dtype = DType::Float32;
        result.moreOutputs.assign(m_stateNames.size(), state);
    }
    return result;
}

/// rnn.py's compute_mask: the input's mask goes on with the sequence (unreversed even with
/// go_backwards, as Keras passes it), and stops with the last state alone.
MaskRule RecurrentLayer::maskRule(const Node& node) const
{
    return Args(arguments(node.params)).returnSequences ? MaskRule::Passes : MaskRule::Consumes;
}

WeightSpec RecurrentLayer::biasWeight(const Node&, std::int64_t units) const
{
    return {"bias", {m_gates * units}, Initializer::Zeros};
}

std::vector<WeightSpec> RecurrentLayer::weights(const Node& node, const std::vector<Shape>& inputs) const
{
    const Args a(arguments(node.params));
    std::vector<WeightSpec> w{{"kernel", {inputs[0].last().size(), m_gates * a.units}, Initializer::GlorotUniform},
                              {"recurrent_kernel", {a.units, m_gates * a.units}, Initializer::Orthogonal}};
    if (a.useBias)
        w.push_back(biasWeight(node, a.units));
    return w;
}

Count RecurrentLayer::flops(const Node& node, const Shape* input, const Shape&) const
{
    if (!input || input->rank() != 3 || !(*input)[1].isKnown() || !input->last().isKnown())
        return Count::unknown();
    const Args a(arguments(node.params));
    const std::int64_t perUnit =
        m_gates * (2 * (input->last().size() + a.units) + (a.useBias ? 1 : 0)) + cellFlopsPerUnit(node);
    return Count::of((*input)[1].size()) * Count::of(a.units) * Count::of(perUnit);
}

ParamMap RecurrentLayer::readKerasArguments(json& config, KerasLayerReading& reading) const
{
    static const std::pair<const char*, const char*> kRefused[] = {
        {"stateful", "is stateful; Shapeflow does not keep a state from one batch to the next"},
        {"zero_output_for_mask", "outputs zeros at masked steps; Shapeflow repeats the previous output there, as "
                                 "Keras does by default"},
        {"time_major", "reads its input as (steps, batch, features); Shapeflow's is (batch, steps, features)"},
    };
    for (const auto& [field, what] : kRefused)
        if (const json* value = givenField(config, field); value && value->is_boolean() && value->get<bool>())
            reading.problem(code::kUnsupportedArgument, field,
                            "Layer " + reading.quoted() + " has " + field + "=True: it " + what + ".");
    return Layer::readKerasArguments(config, reading);
}

std::string RecurrentLayer::cardSummary(const ParamMap& params) const
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

} // namespace sf::recurrent
