#pragma once

#include "train/Optimizer.h"

namespace sf {

/// Stochastic gradient descent with optional momentum and Nesterov momentum (Sutskever et al.
/// 2013), in Keras's form: m = momentum * m - lr * g; w += m, or w += momentum * m - lr * g.
class Sgd : public Optimizer {
public:
    explicit Sgd(OptimizerConfig config) : Optimizer(std::move(config)) {}

protected:
    void update(std::size_t index, Parameter& p, const float* grad, float lr) override;
};

} // namespace sf
