#include "GlobalPooling.h"

namespace sf {

/// keras/src/layers/pooling/global_average_pooling1d.py: the mean over the steps axis, leaving the
/// masked steps out; the mask stops here.
std::unique_ptr<const LayerType> makeGlobalAveragePooling1D()
{
    return std::make_unique<GlobalPoolingLayer>(
        GlobalPoolingOp::Mode::Average, 1, "GlobalAveragePooling1D", "GlobalAvgPool1D", "global_average_pooling1d",
        "Averages over the steps axis, skipping masked steps: (batch, steps, d) to (batch, d).");
}

} // namespace sf
