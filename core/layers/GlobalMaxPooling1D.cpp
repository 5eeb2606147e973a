#include "GlobalPooling.h"

namespace sf {

/// keras/src/layers/pooling/global_max_pooling1d.py: the largest value over the steps, per
/// channel. Its call takes no mask: in Keras 3 a mask stops there with a warning (tf.keras 2 refuses
/// it), so masked steps take part in the maximum.
std::unique_ptr<const LayerType> makeGlobalMaxPooling1D()
{
    return std::make_unique<GlobalPoolingLayer>(
        GlobalPoolingOp::Mode::Max, 1, "GlobalMaxPooling1D", "GlobalMaxPool1D", "global_max_pooling1d",
        "The largest value over the steps axis: (batch, steps, d) to (batch, d).");
}

} // namespace sf
