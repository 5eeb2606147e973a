#include "GlobalPooling.h"

namespace sf {

/// keras/src/layers/pooling/global_max_pooling2d.py: GlobalMaxPooling2D(data_format=None,
/// keepdims=False), also exported as GlobalMaxPool2D: the largest value over the height and width,
/// per channel. tf.keras (tf_keras/layers/pooling/global_max_pooling2d.py) has the same arguments
/// and writes the same config; Keras 1's GlobalMaxPooling2D(dim_ordering) had no keepdims.
/// TensorFlow.js (tfjs-layers/src/layers/pooling.ts) has data_format and no keepdims.
/// Its call takes no mask.
std::unique_ptr<const LayerType> makeGlobalMaxPooling2D()
{
    return std::make_unique<GlobalPoolingLayer>(
        GlobalPoolingOp::Mode::Max, 2, "GlobalMaxPooling2D", "GlobalMaxPool2D", "global_max_pooling2d",
        "The largest value over the height and width: (batch, h, w, c) to (batch, c).");
}

} // namespace sf
