#include "SimpleRNNOp.h"

#include <algorithm>

namespace sf {

// The cache holds each step's activated values: a masked sample's state is the one before, not
// these, and the activation's backward needs them.
void SimpleRNNOp::stepForward(Index s, Index t)
{
    const Index units = this->units();
    float* pre = gates(t);
    recurrentProduct(0, 1, pre, gateRowStride());
    for (Index b = 0; b < batch(); ++b) {
        float* activated = cache(s) + b * units;
        activate(m_activation, pre + b * gateRowStride(), activated, 1, units);
        std::copy_n(activated, units, state(0, s + 1) + b * units);
    }
}

void SimpleRNNOp::stepBackward(Index s, Index t)
{
    const Index units = this->units();
    for (Index b = 0; b < batch(); ++b)
        activationBackward(m_activation, gates(t) + b * gateRowStride(), cache(s) + b * units, stateGrad(0) + b * units,
                           gateGrads(t) + b * gateRowStride(), 1, units);
    recurrentProductBackward(0, 1, gateGrads(t), gateRowStride());
}

} // namespace sf
