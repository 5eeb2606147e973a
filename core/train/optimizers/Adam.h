#pragma once

#include "train/Optimizer.h"

namespace sf {

/// Adam (Kingma & Ba 2015) in Keras's form: bias correction folded into the step size,
/// alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t), with t the global step + 1; one fused pass per
/// weight. AdamW (Loshchilov & Hutter 2019) is this with decoupled weight decay, which the base
/// class applies.
class Adam : public Optimizer {
public:
    explicit Adam(OptimizerConfig config) : Optimizer(std::move(config)) {}

protected:
    void update(std::size_t index, Parameter& p, const float* grad, float lr) override;
};

} // namespace sf
