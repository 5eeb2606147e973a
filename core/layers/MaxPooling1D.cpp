#include "Pooling.h"

namespace sf {

/// keras/src/layers/pooling/max_pooling1d.py: the largest value of each window, per channel.
std::unique_ptr<const LayerType> makeMaxPooling1D()
{
    return std::make_unique<pooling::PoolingLayer>(
        pooling::PoolingOp::Mode::Max, 1, "MaxPooling1D", "MaxPool1D", "max_pooling1d",
        "The largest value of each window of steps: (batch, steps, d) to (batch, pooled steps, d).");
}

} // namespace sf
