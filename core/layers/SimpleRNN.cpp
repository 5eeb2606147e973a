#include "ActivationArgument.h"
#include "Recurrent.h"
#include "engine/ops/SimpleRNNOp.h"
#include "shape/LayerFlops.h"

namespace sf {

namespace {

/// keras/src/layers/rnn/simple_rnn.py: a SimpleRNNCell run over the steps by rnn.py's RNN,
/// h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel). tf.keras 2
/// (tf_keras/layers/rnn/simple_rnn.py) takes the same arguments with the same defaults, and so
/// does TensorFlow.js (tfjs-layers/src/layers/recurrent.ts) but for its kernel initializer,
/// glorotNormal rather than glorot_uniform (a file names its own). All three carry a masked
/// step's state and output over from the step before. SimpleRNNCell draws one dropout mask for
/// the inputs and one for the state, whatever the dropouts.
class SimpleRNN final : public recurrent::RecurrentLayer {
public:
    SimpleRNN()
        : RecurrentLayer({"SimpleRNN",
                          "simple_rnn",
                          LayerCategory::Recurrent,
                          "Recurrent layer: each step's output is fed back with the next step's input.",
                          {"sequences"},
                          false,
                          1,
                          parameters()},
                         // tf.keras writes time_major=False, which only says the input is (batch, steps,
                         // features), as it always is here (True is refused), and which Keras 3 refuses as
                         // an unknown argument: not kept, so that a tf.keras file exports to Keras 3.
                         {.keras1Arguments = recurrent::keras1Arguments(false),
                          .derivedFields = {"time_major"},
                          .defaultFields = recurrent::defaultFields()},
                         1, {"state"})
    {
    }

    std::unique_ptr<Op> makeOp(OpBuild& b) const override
    {
        const recurrent::Args a(arguments(b.node.params));
        return std::make_unique<SimpleRNNOp>(b, activationFromName(a.activation), a.options(false));
    }

private:
    static std::vector<ParamSpec> parameters()
    {
        std::vector<ParamSpec> p{recurrent::unitsParam(),
                                 activationParam("tanh", "Applied to each step's new state.", false),
                                 recurrent::useBiasParam()};
        for (auto more : {recurrent::dropoutParams(), recurrent::sequenceParams()})
            p.insert(p.end(), more.begin(), more.end());
        return p;
    }

    std::int64_t cellFlopsPerUnit(const Node& node) const override
    {
        return activationFlopsPerElement(recurrent::Args(arguments(node.params)).activation);
    }
};

} // namespace

std::unique_ptr<const LayerType> makeSimpleRNN()
{
    return std::make_unique<SimpleRNN>();
}

} // namespace sf
