#include "Pooling.h"

namespace sf {

/// keras/src/layers/pooling/max_pooling2d.py: MaxPooling2D(pool_size=(2, 2), strides=None,
/// padding="valid", data_format=None), also exported as MaxPool2D; the largest value of each
/// window, per channel. Keras 3 keeps `padding` as given (its ops lower-case it), tf.keras
/// (tf_keras/layers/pooling/base_pooling2d.py) lower-cases it at once: Shapeflow takes "valid" and
/// "same" as written. Both write strides as the pool size's tuple when None was given, and
/// data_format resolved (tf.keras at once, Keras 3 by standardize_data_format); TensorFlow.js
/// (tfjs-layers/src/layers/pooling.ts) writes the same fields, its default strides the pool size.
/// Keras 1's MaxPooling2D(pool_size, strides, border_mode, dim_ordering) is read through Keras 2's
/// legacy_pooling2d_support.
std::unique_ptr<const LayerType> makeMaxPooling2D()
{
    return std::make_unique<pooling::PoolingLayer>(
        pooling::PoolingOp::Mode::Max, 2, "MaxPooling2D", "MaxPool2D", "max_pooling2d",
        "The largest value of each window of pixels: (batch, h, w, c) to (batch, pooled h, pooled w, c).");
}

} // namespace sf
