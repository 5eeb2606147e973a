#pragma once

#include "engine/Op.h"

namespace sf {

/// Training: zeroes each value with probability `rate` and scales the rest by 1/(1-rate)
/// (inverted dropout, as Keras). Inference: the identity.
class DropoutOp : public Op {
public:
    DropoutOp(float rate, TensorView* keep) : m_rate(rate), m_keep(keep) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    float m_rate;
    TensorView* m_keep; ///< the scale applied to each value in the last training forward pass
    bool m_trained = false;
};

} // namespace sf
