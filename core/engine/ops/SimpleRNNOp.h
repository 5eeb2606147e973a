#pragma once

#include "RecurrentOp.h"

namespace sf {

/// Keras's SimpleRNNCell (keras/src/layers/rnn/simple_rnn.py): h = activation(x @ kernel + bias +
/// h_prev @ recurrent_kernel), run over the steps by RecurrentOp.
class SimpleRNNOp final : public RecurrentOp {
public:
    SimpleRNNOp(OpBuild& b, Activation activation, Options options)
        : RecurrentOp(b, {.gates = 1, .states = 1, .cacheUnits = 1, .rowsIndependent = true}, options),
          m_activation(activation)
    {
    }

private:
    void stepForward(Index s, Index t) override;
    void stepBackward(Index s, Index t) override;

    Activation m_activation;
};

} // namespace sf
