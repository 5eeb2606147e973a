#pragma once

#include "Layer.h"
#include "engine/ops/RecurrentOp.h"

namespace sf {

/// What SimpleRNN, LSTM and GRU share: keras/src/layers/rnn/rnn.py's RNN around their cells. Each
/// layer's file says what its cell is: its gates, states, bias, extra arguments and op.
namespace recurrent {

/// The arguments every one of them has.
struct Args {
    std::int64_t units;
    std::string activation;
    bool useBias;
    double dropout;
    double recurrentDropout;
    bool returnSequences;
    bool returnState;
    bool goBackwards;
    explicit Args(const Arguments& a);
    /// The loop's options; `maskPerGate` as the cell draws its dropout masks.
    RecurrentOp::Options options(bool maskPerGate) const;
};

/// The arguments, in the order of Keras's signatures. `units`, worded as the cells word it.
ParamSpec unitsParam();
ParamSpec useBiasParam();
/// `dropout` and `recurrent_dropout`.
std::vector<ParamSpec> dropoutParams();
/// `return_sequences`, `return_state` and `go_backwards`.
std::vector<ParamSpec> sequenceParams();

/// Keras 2.2's legacy_recurrent_support names (keras/legacy/interfaces.py), `inner_activation`
/// (LSTM's and GRU's) when `gated`; consume_less is left out, its values ('cpu') needing a
/// conversion to `implementation`'s (0) that a renaming cannot do.
std::vector<std::pair<std::string, std::string>> keras1Arguments(bool gated);
/// What Keras 3's get_config writes beyond the arguments: initializers, regularizers,
/// constraints, stateful, unroll, zero_output_for_mask.
nlohmann::json defaultFields();

/// A recurrent layer over (batch, steps, features): kernel (features, gates · units),
/// recurrent_kernel (units, gates · units) and the cell's bias; output (batch, units), or (batch,
/// steps, units) with return_sequences; with return_state each state (batch, units) as a port of
/// its own. The mask goes on with a returned sequence and stops with the last state.
class RecurrentLayer : public Layer {
public:
    std::vector<std::string> outputNames(const Node& node) const override;
    RuleResult outputShape(RuleContext& ctx) const override;
    MaskRule maskRule(const Node& node) const override;
    std::vector<WeightSpec> weights(const Node& node, const std::vector<Shape>& inputs) const override;
    /// Per step and unit: 2 · (features + units) per gate for the products, the bias, and the
    /// cell's own work. Carrying a masked step over is not counted.
    Count flops(const Node& node, const Shape* input, const Shape& output) const override;
    /// rnn.py's arguments that change what the layer computes or returns, and that Shapeflow does
    /// not model, are refused by name rather than imported as something else.
    ParamMap readKerasArguments(nlohmann::json& config, KerasLayerReading& reading) const override;
    std::string cardSummary(const ParamMap& params) const override;
    /// rnn.py keeps the cell as `cell`, and the cell owns every weight.
    std::vector<KerasWeightHolder> kerasWeightHolders(const ParamMap&) const override { return {{"", "cell"}}; }

protected:
    /// `gates` blocks of units in the kernels; the names of the states return_state outputs.
    RecurrentLayer(LayerSpec spec, KerasExtras keras, std::int64_t gates, std::vector<std::string> stateNames);

    /// The cell's bias, with use_bias.
    virtual WeightSpec biasWeight(const Node& node, std::int64_t units) const;
    /// The cell's elementwise work per step and unit, beyond its products and input bias.
    virtual std::int64_t cellFlopsPerUnit(const Node& node) const = 0;

private:
    std::int64_t m_gates;
    std::vector<std::string> m_stateNames;
};

} // namespace recurrent

} // namespace sf
