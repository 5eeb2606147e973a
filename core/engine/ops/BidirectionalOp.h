#pragma once

#include "engine/Op.h"

#include <memory>

namespace sf {

/// Keras's Bidirectional (keras/src/layers/rnn/bidirectional.py) over two recurrent ops reading the
/// same input: the forward layer's output and the backward layer's (which runs from the last step
/// to the first; a returned sequence of it is flipped back into time order), merged by `merge`
/// into the output, or, for merge_mode=None, the two as output ports 0 and 1. With a returned
/// sequence and a mask, a masked step's outputs are zero, as Keras forces zero_output_for_mask
/// on both layers. Their states are written by the inner ops straight into the state ports.
class BidirectionalOp : public Op {
public:
    enum class Merge { Concat, Sum, Mul, Ave, None };

    /// `forwardOutput` and `backwardOutput` are the inner ops' outputs (network-owned, batched).
    BidirectionalOp(std::unique_ptr<Op> forwardLayer, std::unique_ptr<Op> backwardLayer, NodeBuffers* forwardOutput,
                    NodeBuffers* backwardOutput, Merge merge, bool returnSequences);

    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    /// Row r (a sample, or a sample's step) of the backward layer's output in time order.
    Index backwardRow(Index r) const;
    /// Whether output row r is a masked step (zero, no gradient).
    bool maskedRow(Index r) const;

    std::unique_ptr<Op> m_forwardLayer;
    std::unique_ptr<Op> m_backwardLayer;
    NodeBuffers* m_forwardOutput;
    NodeBuffers* m_backwardOutput;
    Merge m_merge;
    bool m_returnSequences;
};

} // namespace sf
