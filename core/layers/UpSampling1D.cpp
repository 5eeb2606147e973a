#include "UpSampling.h"

namespace sf {

/// keras/src/layers/reshaping/up_sampling1d.py: UpSampling1D(size=2) repeats each step `size` times
/// (ops.repeat along axis 1), (batch, steps, channels) to (batch, steps * size, channels). Keras 3
/// refuses a size of 0 or less with its own words; tf.keras 2 (tf_keras/layers/reshaping/
/// up_sampling1d.py) takes int(size) without a check. TensorFlow.js has UpSampling2D only. No
/// mask support in either Keras. It runs as UpSampling2D's nearest op over one row (UpSampling.h).
/// Keras 1's UpSampling1D(length) is read through Keras 2's legacy_upsampling1d_support.
std::unique_ptr<const LayerType> makeUpSampling1D()
{
    return std::make_unique<upsampling::UpSamplingLayer>(
        1,
        LayerSpec{"UpSampling1D",
                  "up_sampling1d",
                  LayerCategory::Reshaping,
                  "Repeats each step `size` times along the sequence.",
                  {"inputs"},
                  false,
                  1,
                  {{"size",
                    ParamKind::Integer,
                    std::int64_t{2},
                    ValueRule::Positive,
                    {},
                    "Times each step is repeated.",
                    false,
                    "Argument `size` should be a positive integer. Received: size={}"}}},
        KerasExtras{.keras1Arguments = {{"length", "size"}}});
}

} // namespace sf
