#pragma once

#include "engine/OpBuild.h"

#include <memory>

namespace sf {

/// Keras's TimeDistributed (keras/src/layers/rnn/time_distributed.py): a layer applied to every
/// step of a (batch, steps, ...) input. Each (sample, step) is a sample of its own to the inner
/// layer, so its op runs once over the input seen as (batch · steps, ...), writing the output seen
/// as (batch · steps, ...), both the same memory. The inner op's working memory whose first axis
/// is its batch is kept at batch · steps for the batch at hand. A layer that only views its input
/// (Flatten, Reshape) has no op: its values are copied.
class TimeDistributedOp : public Op {
public:
    /// For an input of `steps` steps; `b` is the wrapper's build, whose input, output and working
    /// memory the inner op is given folded.
    TimeDistributedOp(OpBuild& b, Index steps);

    /// The inner op's build: `layer` the inner layer's node, `weights` its weights, `shape` its output at
    /// the largest folded batch.
    OpBuild innerBuild(const Node& layer, const std::vector<Parameter*>& weights, const std::vector<Index>& shape);
    /// The inner layer's op, or nullptr for one that views its input.
    void setInner(std::unique_ptr<Op> inner);

    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    /// The folded shapes for the batch at hand.
    void fold();

    Index m_steps;
    bool m_batched;
    NodeBuffers* m_outer = nullptr; ///< the wrapper's input
    NodeBuffers m_input;            ///< the inner op's input: the wrapper's, folded
    NodeBuffers m_output;           ///< the inner op's output: the wrapper's, folded
    std::vector<NodeBuffers*> m_innerInputs;
    std::vector<TensorView*> m_folded; ///< views whose first axis is the folded batch
    std::function<TensorView*(const std::vector<Index>&, bool)> m_scratch;
    std::function<NodeBuffers*(const std::vector<Index>&, bool)> m_buffers;
    std::unique_ptr<Op> m_inner;
};

} // namespace sf
