#include "ActivationArgument.h"
#include "Recurrent.h"
#include "engine/ops/LSTMOp.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/rnn/lstm.py: an LSTMCell run over the steps by rnn.py's RNN, gates i, f, c,
/// o in the kernels' columns; return_state outputs [output, h, c]. unit_forget_bias (default
/// True) starts the forget gate's bias at 1. With recurrent_dropout the cell switches to its
/// implementation 1 and draws four dropout masks for the inputs and four for the state, one per
/// gate; otherwise one for the inputs. tf.keras 2 (tf_keras/layers/rnn/lstm.py) has the same
/// arguments and defaults and writes `implementation` (1 or 2, a speed choice; its 1 draws one
/// mask per gate as well) and `time_major`; TensorFlow.js (tfjs-layers/src/layers/recurrent.ts)
/// defaults recurrent_activation to hard_sigmoid and the kernel initializer to glorotNormal and
/// writes both: hard_sigmoid, defined differently by Keras 2 and 3, is refused by name.
class LSTM final : public recurrent::RecurrentLayer {
public:
    LSTM()
        : RecurrentLayer({"LSTM",
                          "lstm",
                          LayerCategory::Recurrent,
                          "Long short-term memory: a recurrent layer whose gates decide what each step keeps.",
                          {"sequences"},
                          false,
                          1,
                          parameters()},
                         {.keras1Arguments = recurrent::keras1Arguments(true),
                          .derivedFields = {"time_major", "implementation"},
                          .defaultFields = recurrent::defaultFields()},
                         4, {"state_h", "state_c"})
    {
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const recurrent::Args a(arguments(b.node.params));
        const std::string& recurrentActivation = arguments(b.node.params).text("recurrent_activation");
        return std::make_unique<LSTMOp>(b, activationFromName(a.activation), activationFromName(recurrentActivation),
                                        a.options(a.recurrentDropout > 0.0));
    }

private:
    static std::vector<ParamSpec> parameters()
    {
        std::vector<ParamSpec> p{
            recurrent::unitsParam(),
            activationParam("tanh", "Applied to the candidate values and to the carry read out.", false),
            activationParam("sigmoid", "Applied to the input, forget and output gates.", false, "recurrent_activation"),
            recurrent::useBiasParam(),
            {"unit_forget_bias",
             ParamKind::Boolean,
             true,
             ValueRule::Any,
             {},
             "Start the forget gate's bias at 1, so that the carry is kept at first."}};
        for (auto more : {recurrent::dropoutParams(), recurrent::sequenceParams()})
            p.insert(p.end(), more.begin(), more.end());
        return p;
    }

    WeightSpec biasWeight(const Node& node, std::int64_t units) const override
    {
        const bool forget = arguments(node.params).boolean("unit_forget_bias");
        return {"bias", {4 * units}, forget ? Initializer::UnitForgetBias : Initializer::Zeros};
    }

    /// Three gates' and two activations' work, c = f * c_prev + i * g, and h = o * activation(c).
    std::int64_t cellFlopsPerUnit(const Node& node) const override
    {
        const Arguments a = arguments(node.params);
        return 3 * activationFlopsPerElement(a.text("recurrent_activation")) +
               2 * activationFlopsPerElement(a.text("activation")) + 4;
    }
};

} // namespace

std::unique_ptr<const LayerType> makeLSTM()
{
    return std::make_unique<LSTM>();
}

} // namespace sf
