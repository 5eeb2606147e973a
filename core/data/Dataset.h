#pragma once

#include "Array.h"

#include <map>
#include <string>

namespace sf {

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
