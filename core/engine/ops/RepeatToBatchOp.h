#pragma once

#include "engine/Op.h"

namespace sf {

/// Repeats the batch-1 tensor `x` (input 0) to the batch of `reference` (input 1): the
/// `tf.repeat(x, batch_size, axis=0)` pattern. Backward sums over the batch into x; the
/// reference, read for its batch size only, gets no gradient.
class RepeatToBatchOp : public Op {
public:
    void forward(const ForwardContext& ctx) override;
    void backward() override;
};

} // namespace sf
