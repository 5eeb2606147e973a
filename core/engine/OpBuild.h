#pragma once

#include "Op.h"
#include "graph/Node.h"

#include <functional>
#include <vector>

namespace sf {

/// What a layer's op factory (LayerType::makeOp) gets from the compiler: the node, its output's
/// shape for the largest batch, the buffers it reads and writes, its weights, and where to ask
/// for working memory. The compiler wires the op's inputs and output afterwards.
struct OpBuild {
    const Node& node;
    const std::vector<Index>& shape; ///< the output's, the batch axis at the compiled batch size
    bool batched = true;             ///< whether axis 0 is the model's batch
    const std::vector<NodeBuffers*>& inputs;
    NodeBuffers& output;
    const std::vector<Parameter*>& weights;     ///< in the order LayerType::weights() gives them
    std::vector<NodeBuffers*> moreOutputs = {}; ///< output ports 1, 2..., when the layer has them
    /// The mask the op writes, for a layer whose MaskRule is Makes: one float per output row.
    float* madeMask = nullptr;
    /// A zeroed working buffer the network owns (a Dense's pre-activation, dropout's keep mask).
    std::function<TensorView*(const std::vector<Index>& shape, bool batched)> scratch = {};
    /// Value and gradient buffers the network owns, its gradient zeroed before each backward pass:
    /// the output of an op inside this one (a Bidirectional's forward and backward layers).
    std::function<NodeBuffers*(const std::vector<Index>& shape, bool batched)> buffers = {};
    /// Storage for a mask of `rows` entries, all 1 (a layer whose MaskRule is Custom).
    std::function<float*(Index rows)> maskStorage = {};
};

} // namespace sf
