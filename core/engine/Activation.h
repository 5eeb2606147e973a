#pragma once

#include "Tensor.h"

#include <string_view>

namespace sf {

/// Keras's activations, applied along rows of a (rows, cols) matrix (softmax: over each row).
enum class Activation { Linear, Relu, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, Gelu, Swish };

Activation activationFromName(std::string_view name);

/// y = f(z). `z` and `y` may be the same buffer only for Linear.
void activate(Activation f, const float* z, float* y, Index rows, Index cols);

/// dz = dy * f'(z), from the saved z and y = f(z). Overwrites dz.
void activationBackward(Activation f, const float* z, const float* y, const float* dy, float* dz, Index rows,
                        Index cols);

} // namespace sf
