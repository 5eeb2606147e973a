#include "ImageFormat.h"
#include "PadCrop.h"

namespace sf {

/// keras/src/layers/reshaping/cropping2d.py: Cropping2D(cropping=((0, 0), (0, 0)),
/// data_format=None) takes rows away at the top and bottom and columns at the left and right of
/// each image. `cropping` takes the same three forms as ZeroPadding2D's padding and is kept the
/// same way: an IntTuple of four (top, bottom, left, right), Keras's pairs read and written at the
/// Keras boundary (ParamSpec::pairs). Keras 3 refuses a negative int ("`cropping` cannot be
/// negative") and a negative in a pair through standardize_tuple; Shapeflow words every negative
/// as the pair's message, the form get_config writes. Keras 3's compute_output_shape refuses a
/// cropping that takes as many rows or columns as the image has, or more (`crop-too-large`, its
/// message, a fix setting that axis's pair to (0, 0)); an unknown height or width stays unknown.
/// tf.keras 2 (tf_keras/layers/reshaping/cropping2d.py) checks nothing at build time and fails
/// when run; Keras 1's dim_ordering is read as data_format. TensorFlow.js
/// (tfjs-layers/src/layers/convolutional.ts) takes the same forms. No mask support in any of them.
std::unique_ptr<const LayerType> makeCropping2D()
{
    ParamSpec cropping{"cropping",
                       ParamKind::IntTuple,
                       DimList{std::int64_t{0}, std::int64_t{0}, std::int64_t{0}, std::int64_t{0}},
                       ValueRule::NonNegative,
                       {},
                       "Rows and columns taken away: top, bottom, left, right; one number for all."};
    cropping.arity = 4;
    cropping.pairs = true;
    return std::make_unique<padcrop::PadCropLayer>(padcrop::PadCropLayer::Mode::Crop, 2,
                                                   LayerSpec{"Cropping2D",
                                                             "cropping2d",
                                                             LayerCategory::Reshaping,
                                                             "Takes rows and columns away at the edges of each image.",
                                                             {"inputs"},
                                                             false,
                                                             1,
                                                             {cropping, image::dataFormatParam()}},
                                                   KerasExtras{});
}

} // namespace sf
