#pragma once

#include "Tensor.h"

#include <string>
#include <string_view>
#include <vector>

namespace sf {

/// Keras's activations, applied along rows of a (rows, cols) matrix (softmax: over each row).
enum class Activation { Linear, Relu, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, Gelu, Swish };

/// The activations' Keras names ("linear", "relu"...), each once.
const std::vector<std::string>& activationNames();
/// The activation of a Keras name; Linear for a name it does not know.
Activation activationFromName(std::string_view name);

/// y = f(z). `z` and `y` may be the same buffer only for Linear.
void activate(Activation f, const float* z, float* y, Index rows, Index cols);

/// dz = dy * f'(z), from the saved z and y = f(z). Overwrites dz.
void activationBackward(Activation f, const float* z, const float* y, const float* dy, float* dz, Index rows,
                        Index cols);

} // namespace sf
