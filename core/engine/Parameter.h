#pragma once

#include "Tensor.h"
#include "graph/WeightSpec.h"

#include <string>
#include <vector>

namespace sf {

/// A weight with Keras's name and layout: `dense/kernel` (in, units), `dense/bias` (units,),
/// `embedding/embeddings` (input_dim, output_dim), made from its layer's WeightSpec.
struct Parameter {
    std::string name;
    std::vector<Index> shape;
    Initializer initializer = Initializer::GlorotUniform;
    /// Whether the optimizer changes it: false for a weight its layer keeps by other means
    /// (a moving statistic) and for the weights of a layer the Keras file froze.
    bool trainable = true;
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
