#pragma once

#include "RecurrentOp.h"

namespace sf {

/// Keras's GRUCell (keras/src/layers/rnn/gru.py), gates in Keras's column order z, r, h:
/// z, r = recurrent_activation(x_g + h_prev @ U_g (+ recurrent bias)), the candidate
/// hh = activation(x_h + r * (h_prev @ U_h + recurrent bias)) with reset_after, or
/// activation(x_h + (r * h_prev) @ U_h) without; h = z * h_prev + (1 - z) * hh. With reset_after
/// the bias is (2, 3 · units): the input's, then the recurrent one. Run over the steps by
/// RecurrentOp.
class GRUOp final : public RecurrentOp {
public:
    GRUOp(OpBuild& b, Activation activation, Activation recurrentActivation, bool resetAfter, Options options)
        : RecurrentOp(b, {.gates = 3, .states = 1, .cacheUnits = 4}, options), m_activation(activation),
          m_recurrentActivation(recurrentActivation), m_resetAfter(resetAfter)
    {
    }

private:
    void stepForward(Index s, Index t) override;
    void stepBackward(Index s, Index t) override;
    /// The recurrent bias of gate g (reset_after with use_bias), or nullptr.
    const float* recurrentBias(Index g) const;

    Activation m_activation;
    Activation m_recurrentActivation;
    bool m_resetAfter;
};

} // namespace sf
