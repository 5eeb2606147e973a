#pragma once

#include "engine/Activation.h"
#include "engine/Op.h"

namespace sf {

/// The Activation layer: y = f(x), element-wise (softmax over the last axis).
class ActivationOp : public Op {
public:
    ActivationOp(Activation f, TensorView* scratch) : m_f(f), m_scratch(scratch) {}
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    Activation m_f;
    TensorView* m_scratch;
};

} // namespace sf
