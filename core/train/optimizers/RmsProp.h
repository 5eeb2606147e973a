#pragma once

#include "train/Optimizer.h"

namespace sf {

/// RMSprop (Hinton, Coursera lecture 6e, 2012) in Keras's form: v = rho * v + (1 - rho) * g^2;
/// step = lr * g / sqrt(v + epsilon), accumulated with momentum when it is set.
class RmsProp : public Optimizer {
public:
    explicit RmsProp(OptimizerConfig config) : Optimizer(std::move(config)) {}

protected:
    void update(std::size_t index, Parameter& p, const float* grad, float lr) override;
};

} // namespace sf
