#pragma once

#include "RecurrentOp.h"

namespace sf {

/// Keras's LSTMCell (keras/src/layers/rnn/lstm.py), gates in Keras's column order i, f, c, o:
/// i, f, o = recurrent_activation(...), g = activation(...), c = f * c_prev + i * g,
/// h = o * activation(c); states h and c, run over the steps by RecurrentOp.
class LSTMOp final : public RecurrentOp {
public:
    LSTMOp(OpBuild& b, Activation activation, Activation recurrentActivation, Options options)
        : RecurrentOp(b, {.gates = 4, .states = 2, .cacheUnits = 5, .rowsIndependent = true}, options),
          m_activation(activation), m_recurrentActivation(recurrentActivation)
    {
    }

private:
    void stepForward(Index s, Index t) override;
    void stepBackward(Index s, Index t) override;

    Activation m_activation;
    Activation m_recurrentActivation;
};

} // namespace sf
