#pragma once

#include "Tensor.h"

#include <string>
#include <vector>

namespace sf {

/// A trainable weight with Keras's name and layout: `dense/kernel` (in, units), `dense/bias`
/// (units,), `embedding/embeddings` (input_dim, output_dim).
struct Parameter {
    std::string name;
    std::vector<Index> shape;
    std::vector<float> value;
    std::vector<float> grad;
    /// Set when one op owns this weight and writes (=) its gradient in backward() rather than
    /// adding to it, so Network::zeroGradients() can leave it alone.
    bool gradientWritten = false;

    Index size() const { return static_cast<Index>(value.size()); }
    TensorView valueView() { return {value.data(), shape}; }
    TensorView gradView() { return {grad.data(), shape}; }
};

} // namespace sf
