#include "GlobalPooling.h"

namespace sf {

/// keras/src/layers/pooling/global_average_pooling2d.py: GlobalAveragePooling2D(data_format=None,
/// keepdims=False), also exported as GlobalAvgPool2D: the mean over the height and width, per
/// channel. Unlike the 1-D one its call takes no mask (a mask stops here). tf.keras has the same
/// arguments; Keras 1's GlobalAveragePooling2D(dim_ordering) had no keepdims; TensorFlow.js's has
/// data_format and no keepdims.
std::unique_ptr<const LayerType> makeGlobalAveragePooling2D()
{
    return std::make_unique<GlobalPoolingLayer>(GlobalPoolingOp::Mode::Average, 2, "GlobalAveragePooling2D",
                                                "GlobalAvgPool2D", "global_average_pooling2d",
                                                "Averages over the height and width: (batch, h, w, c) to (batch, c).");
}

} // namespace sf
