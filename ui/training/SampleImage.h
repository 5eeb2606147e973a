#pragma once

#include "data/Array.h"

#include <QImage>

namespace sf {

/// A picture of sample `row` of an image array: (N, H, W, C) channels last or (N, C, H, W)
/// channels first with C of 1, 3 or 4 (grey, RGB, RGBA), or (N, H, W) grey. Values all in [0, 1]
/// are read as fractions of full brightness, all in [0, 255] as bytes, any others spread from
/// their least to their largest (each sample by its own values); NaN and infinities show black. A
/// null image for an array of another shape (a table's rows, token ids), of more than 16 million
/// pixels, or without that row.
QImage sampleImage(const Array& array, Index row = 0);

} // namespace sf
