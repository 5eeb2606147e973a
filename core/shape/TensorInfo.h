#pragma once

#include "Shape.h"

namespace sf {

/// Element type of a tensor as far as shape checking cares.
enum class DType : std::uint8_t { Float32, Int32 };

/// What inference knows of the tensor on one output port.
struct TensorInfo {
    Shape shape;
    DType dtype = DType::Float32;
    NodeId maskFrom; ///< the Embedding(mask_zero) or Masking whose mask rides along, if any

    bool operator==(const TensorInfo&) const = default;
};

} // namespace sf
