#pragma once

#include "engine/Tensor.h"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sf {

/// Data that cannot be used as given: the message names the file, the array and what was
/// expected against what was received.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One array, batch first, row-major. Token ids are held as exact integer-valued floats.
struct Array {
    std::vector<Index> shape;
    std::vector<float> values;
    std::string source; ///< where it came from, for messages: "x.npy", "data.npz:tokens", "generated"

    Index rows() const { return shape.empty() ? 0 : shape[0]; }
    Index sampleSize() const;
    std::string shapeText() const; ///< `(1000, 20)`
};

/// Arrays by model input name and by model output name.
struct Dataset {
    std::map<std::string, Array> inputs;
    std::map<std::string, Array> targets;

    /// Rows of the first batched array (every batched array must agree; checkData says so).
    Index rows() const;
    /// The last `fraction` of the rows, as Keras's validation_split takes them, moved out of this
    /// dataset into the returned one. Arrays with `fixedRows` (fixed-batch inputs) are copied.
    Dataset splitTail(double fraction, const std::map<std::string, Index>& fixedRows);
};

} // namespace sf
