#include "PadCrop.h"

namespace sf {

/// keras/src/layers/reshaping/zero_padding1d.py: ZeroPadding1D(padding=1, data_format=None), `padding`
/// an int for both ends or a (before, after) pair, 0 allowed (standardize_tuple's allow_zero).
/// Keras 3 added data_format (channels_last only here) and writes it; tf.keras 2
/// (tf_keras/layers/reshaping/zero_padding1d.py) has no data_format and refuses one, so a Keras 2
/// file leaves it out. TensorFlow.js has ZeroPadding2D only.
std::unique_ptr<const LayerType> makeZeroPadding1D()
{
    return std::make_unique<padcrop::PadCropLayer>(padcrop::PadCropLayer::Mode::Pad, 1,
                                                   LayerSpec{"ZeroPadding1D",
                                                             "zero_padding1d",
                                                             LayerCategory::Reshaping,
                                                             "Adds zero steps at the start and end of each sequence.",
                                                             {"inputs"},
                                                             false,
                                                             1,
                                                             {{"padding",
                                                               ParamKind::IntTuple,
                                                               DimList{std::int64_t{1}, std::int64_t{1}},
                                                               ValueRule::NonNegative,
                                                               {},
                                                               "Zero steps added (before, after); one number for both.",
                                                               false,
                                                               {},
                                                               2}}},
                                                   KerasExtras{.derivedFields = {"data_format"},
                                                               .defaultFields = {{"data_format", "channels_last"}},
                                                               .channelsLastOnly = true});
}

} // namespace sf
