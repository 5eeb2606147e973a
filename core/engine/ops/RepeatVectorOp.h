#pragma once

#include "engine/Op.h"

namespace sf {

/// (batch, d) to (batch, n, d); backward sums the n copies.
class RepeatVectorOp : public Op {
public:
    void forward(const ForwardContext& ctx) override;
    void backward() override;
};

} // namespace sf
