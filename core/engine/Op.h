#pragma once

#include "Parameter.h"
#include "Tensor.h"
#include "graph/Ids.h"

#include <random>
#include <string>
#include <vector>

namespace sf {

/// The value, gradient and mask of one node's output for the compiled batch size.
/// `mask`, when set, is (batch, steps) of 0/1 floats, as Keras's boolean masks.
struct NodeBuffers {
    TensorView value;
    TensorView grad;
    const float* mask = nullptr;
};

/// What a forward pass needs beyond the buffers.
struct ForwardContext {
    bool training = false;
    std::mt19937* rng = nullptr; ///< dropout's seeded generator
};

/// One layer's forward and backward pass over preallocated buffers. backward() adds (+=) into
/// its inputs' gradients, so a tensor read by several layers sums their contributions; a layer
/// compiled as the only reader of its input may write that gradient instead (DenseOp).
class Op {
public:
    virtual ~Op() = default;
    virtual void forward(const ForwardContext& ctx) = 0;
    virtual void backward() = 0;

    NodeId node;
    std::string name;
    std::vector<NodeBuffers*> inputs;
    NodeBuffers* output = nullptr;
    std::vector<NodeBuffers*> moreOutputs; ///< output ports 1, 2... (an RNN's states), without masks
    /// Set by the compiler for an op whose layer declares BufferUse::writesGradients: write (=)
    /// the gradient of input 0, which nothing else reads, instead of adding to it...
    bool writesInputGradient = false;
    /// ...and the gradients of its weights, which no other op shares.
    bool writesWeightGradients = false;
};

} // namespace sf
