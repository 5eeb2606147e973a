#pragma once

#include "Arguments.h"
#include "engine/Tensor.h"

#include <nlohmann/json.hpp>

namespace sf::image {

/// Keras's `data_format` of a 2-D layer (its poolings and convolutions alike): "channels_last"
/// (batch, height, width, channels) or "channels_first" (batch, channels, height, width). Keras's
/// default, None, is keras.json's image_data_format for Keras 3 (backend.standardize_data_format)
/// and tf.keras (conv_utils.normalize_data_format), channels_last unless changed, and get_config
/// writes that resolved name; Shapeflow's default is that name, and a file's null (a field not
/// given) reads as it. TensorFlow.js's `dataFormat` defaults to channelsLast too.
ParamSpec dataFormatParam();

/// Whether the node's data_format is channels_first.
bool channelsFirst(const Arguments& a);

/// The axis of the first spatial axis (height, or steps) in an input of rank dimensions + 2: 1 for
/// channels_last, 2 for channels_first; the channels are on the last axis or on axis 1.
int firstSpatialAxis(bool channelsFirst);

/// Keras 1's `dim_ordering` as the data_format Keras 2's keras/legacy/interfaces.py made of it
/// ('tf' channels_last, 'th' channels_first, 'default' None), taken out of the config. It needs
/// its values changed, so it is not among KerasExtras::keras1Arguments, which only rename: a
/// Keras 2 data_format of 'tf' stays refused. Another value is carried over as it is, which the
/// argument then refuses.
void readKeras1DimOrdering(nlohmann::json& config);

/// A sequence or an image seen as (outer, height, width, inner) floats, for an op that moves whole
/// pixels: channels_last (batch, h, w, channels); channels_first (batch · channels, h, w, 1); a
/// sequence (batch, steps, channels) as (batch, 1, steps, channels), one row.
struct Planes {
    Index outer, height, width, inner;
};
Planes planes(const std::vector<Index>& shape, bool channelsFirst);

} // namespace sf::image
