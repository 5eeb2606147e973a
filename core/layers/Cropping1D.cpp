#include "PadCrop.h"

namespace sf {

/// keras/src/layers/reshaping/cropping1d.py: Cropping1D(cropping=(1, 1)), an int for both ends or
/// a (before, after) pair, 0 allowed; cropping every step is refused (`crop-too-large`, Keras's
/// message). tf.keras 2 (tf_keras/layers/reshaping/cropping1d.py) takes the same argument and only
/// refuses it when the layer runs, worded the other way round ("must be greater than the input
/// shape"). TensorFlow.js has Cropping2D only.
std::unique_ptr<const LayerType> makeCropping1D()
{
    return std::make_unique<padcrop::PadCropLayer>(padcrop::PadCropLayer::Mode::Crop, 1,
                                                   LayerSpec{"Cropping1D",
                                                             "cropping1d",
                                                             LayerCategory::Reshaping,
                                                             "Takes steps away at the start and end of each sequence.",
                                                             {"inputs"},
                                                             false,
                                                             1,
                                                             {{"cropping",
                                                               ParamKind::IntTuple,
                                                               DimList{std::int64_t{1}, std::int64_t{1}},
                                                               ValueRule::NonNegative,
                                                               {},
                                                               "Steps taken away (before, after); one number for both.",
                                                               false,
                                                               {},
                                                               2}}},
                                                   KerasExtras{});
}

} // namespace sf
