#pragma once

#include "engine/Op.h"

namespace sf {

/// Joins its inputs along `axis` (1 .. rank-1). Masks follow Keras: joined on the last axis, the
/// output mask is their OR when every input is masked, otherwise none; joined on the steps axis
/// of rank-3 tensors, the masks are joined too (an unmasked input counting as all ones).
/// An input whose producer writes straight into this output (the compiler places it there) is
/// neither copied forward nor backward: its producer reads its gradient in place.
class ConcatenateOp : public Op {
public:
    ConcatenateOp(int axis, float* mask) : m_axis(axis), m_mask(mask) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

    /// True when the join runs along the steps axis of (batch, steps, features) tensors: the
    /// masks are joined too.
    static bool joinsSteps(int axis, int rank) { return axis == 1 && rank == 3; }

private:
    Index outer() const;
    Index inner(const TensorView& t) const;

    int m_axis;
    float* m_mask; ///< nullptr when the output carries no mask
};

} // namespace sf
