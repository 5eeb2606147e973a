#include "Pooling1D.h"

namespace sf {

/// keras/src/layers/pooling/max_pooling1d.py: the largest value of each window, per channel.
std::unique_ptr<const LayerType> makeMaxPooling1D()
{
    return std::make_unique<pooling1d::Pooling1DLayer>(
        pooling1d::Pooling1DOp::Mode::Max, "MaxPooling1D", "max_pooling1d",
        "The largest value of each window of steps: (batch, steps, d) to (batch, pooled steps, d).");
}

} // namespace sf
