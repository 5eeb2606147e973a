#pragma once

#include "data/Array.h"

#include <QImage>

namespace sf {

/// A picture of the first sample of an image array: (N, H, W, C) channels last or (N, C, H, W)
/// channels first with C of 1, 3 or 4 (grey, RGB, RGBA), or (N, H, W) grey. Values all in [0, 1]
/// are read as fractions of full brightness, all in [0, 255] as bytes, any others spread from
/// their least to their largest; NaN and infinities show black. A null image for an array of
/// another shape (a table's rows, token ids) or of more than 16 million pixels.
QImage sampleImage(const Array& array);

} // namespace sf
