#pragma once

#include "engine/Tensor.h"

#include <string>
#include <vector>

namespace sf {

/// One array, batch first, row-major. Token ids are held as exact integer-valued floats.
struct Array {
    std::vector<Index> shape;
    std::vector<float> values;
    /// Where it came from, for messages: "x.npy", "data.npz:tokens", "generated".
    std::string source;

    Index rows() const { return shape.empty() ? 0 : shape[0]; }
    Index sampleSize() const;
    std::string shapeText() const; ///< `(1000, 20)`
};

} // namespace sf
