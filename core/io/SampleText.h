#pragma once

#include "data/Array.h"
#include "data/DataError.h"
#include "shape/TensorInfo.h"

#include <string>

namespace sf {

/// One sample typed in for a model input: numbers separated by spaces or commas, row-major over
/// the sample's axes. Token ids (an input feeding an Embedding) must be whole numbers of 0 or
/// more and are padded with 0 to a fixed length; an unknown length takes as many as are given;
/// floats must fill the sample exactly. The array has one row, or the input's fixed batch.
/// Throws DataError naming the input, the value and what was expected.
Array parseSample(const std::string& text, const TensorInfo& expected, const std::string& input);

} // namespace sf
