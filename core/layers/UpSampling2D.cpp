#include "UpSampling.h"

namespace sf {

/// keras/src/layers/reshaping/up_sampling2d.py: UpSampling2D(size=(2, 2), data_format=None,
/// interpolation="nearest") repeats each row size[0] times and each column size[1] times
/// ("nearest", ops.repeat), or resizes to (height · size[0], width · size[1]) with
/// ops.image.resize. `size` goes through standardize_tuple (positive; Keras's message), and
/// Keras 3 lower-cases `interpolation`. Shapeflow runs "nearest" and "bilinear"; Keras 3's
/// resize also takes "bicubic", "lanczos3", "lanczos5" and "area", and tf.keras
/// (tf_keras/layers/reshaping/up_sampling2d.py, image_utils.get_interpolation) also "gaussian"
/// and "mitchellcubic": a file naming one is refused by name at import, never run as another.
/// Bilinear follows Keras 3 and tf.keras alike: Keras 3's resize (antialias=False) on TensorFlow
/// is tf.image.resize, on JAX jax.image.resize, on PyTorch interpolate(align_corners=False), all
/// with half-pixel centres, and tf.keras's backend.resize_images calls tf.image.resize(method=
/// "bilinear"), the same rule: output row r samples input row (r + ½) / size − ½, clamped to the
/// image. TensorFlow.js (tfjs-layers/src/layers/convolutional.ts) differs: its resizeBilinear
/// runs without half-pixel centres (input row r / size), so its bilinear values are not these.
/// Keras 1's UpSampling2D(size, dim_ordering) is read through Keras 2's legacy interface. No mask
/// support in any of them.
std::unique_ptr<const LayerType> makeUpSampling2D()
{
    ParamSpec size{"size",
                   ParamKind::IntTuple,
                   DimList{std::int64_t{2}, std::int64_t{2}},
                   ValueRule::Positive,
                   {},
                   "Times each row and each column is repeated; one number for both."};
    size.arity = 2;
    return std::make_unique<upsampling::UpSamplingLayer>(
        2, LayerSpec{"UpSampling2D",
                     "up_sampling2d",
                     LayerCategory::Reshaping,
                     "Enlarges each image by whole factors, nearest or bilinear.",
                     {"inputs"},
                     false,
                     1,
                     {size,
                      image::dataFormatParam(),
                      {"interpolation",
                       ParamKind::Choice,
                       std::string("nearest"),
                       ValueRule::Any,
                       {"nearest", "bilinear"},
                       "nearest: each pixel repeated; bilinear: a linear mix of the four nearest pixels (half-pixel "
                       "centres)."}}});
}

} // namespace sf
