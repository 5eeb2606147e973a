#include "Pooling.h"

namespace sf {

/// keras/src/layers/pooling/average_pooling1d.py: the mean of each window, per channel (with
/// padding="same", of the steps inside the input).
std::unique_ptr<const LayerType> makeAveragePooling1D()
{
    return std::make_unique<pooling::PoolingLayer>(
        pooling::PoolingOp::Mode::Average, 1, "AveragePooling1D", "AvgPool1D", "average_pooling1d",
        "The mean of each window of steps: (batch, steps, d) to (batch, pooled steps, d).");
}

} // namespace sf
