#include "ImageFormat.h"
#include "PadCrop.h"

namespace sf {

/// keras/src/layers/reshaping/zero_padding2d.py: ZeroPadding2D(padding=(1, 1), data_format=None)
/// adds rows of zeros at the top and bottom and columns at the left and right of each image.
/// `padding` is one int (all four), (symmetric_height, symmetric_width), or ((top, bottom),
/// (left, right)); get_config writes the last form. Shapeflow keeps it as an IntTuple of four,
/// (top, bottom, left, right), edited as four numbers (or one for all), and reads and writes
/// Keras's pairs at the Keras boundary (ParamSpec::pairs). Keras 3 checks each pair with
/// standardize_tuple(allow_zero=True) ("The `1st entry of padding` argument must be a tuple of 2
/// integers..."), but not a single int: ZeroPadding2D(padding=-1) is accepted there and fails in
/// ops.pad; Shapeflow refuses every negative value with the pair's message. tf.keras 2
/// (tf_keras/layers/reshaping/zero_padding2d.py) is the same with conv_utils.normalize_tuple, and
/// Keras 1's padding given as a dict {top_pad, bottom_pad, left_pad, right_pad} is read as Keras
/// 2's legacy interface read it (zeropadding2d_args_preprocessor), dim_ordering as data_format.
/// TensorFlow.js (tfjs-layers/src/layers/padding.ts) takes the same three forms and writes
/// `padding` as pairs with `dataFormat`. No mask support in any of them.
std::unique_ptr<const LayerType> makeZeroPadding2D()
{
    ParamSpec padding{"padding",
                      ParamKind::IntTuple,
                      DimList{std::int64_t{1}, std::int64_t{1}, std::int64_t{1}, std::int64_t{1}},
                      ValueRule::NonNegative,
                      {},
                      "Zero rows and columns added: top, bottom, left, right; one number for all."};
    padding.arity = 4;
    padding.pairs = true;
    return std::make_unique<padcrop::PadCropLayer>(padcrop::PadCropLayer::Mode::Pad, 2,
                                                   LayerSpec{"ZeroPadding2D",
                                                             "zero_padding2d",
                                                             LayerCategory::Reshaping,
                                                             "Adds rows and columns of zeros around each image.",
                                                             {"inputs"},
                                                             false,
                                                             1,
                                                             {padding, image::dataFormatParam()}},
                                                   KerasExtras{});
}

} // namespace sf
