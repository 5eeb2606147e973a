#include "Pooling.h"

namespace sf {

/// keras/src/layers/pooling/average_pooling2d.py: AveragePooling2D(pool_size=(2, 2),
/// strides=None, padding="valid", data_format=None), also exported as AvgPool2D; the mean of
/// each window, per channel, with padding="same" of the pixels inside the image (TensorFlow's
/// SAME average pool, Keras 3's other backends count alike). The same fields and Keras 1 names as
/// MaxPooling2D.cpp.
std::unique_ptr<const LayerType> makeAveragePooling2D()
{
    return std::make_unique<pooling::PoolingLayer>(
        pooling::PoolingOp::Mode::Average, 2, "AveragePooling2D", "AvgPool2D", "average_pooling2d",
        "The mean of each window of pixels: (batch, h, w, c) to (batch, pooled h, pooled w, c).");
}

} // namespace sf
