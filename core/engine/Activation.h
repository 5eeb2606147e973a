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

/// y = f(z) over rows of `cols` (Softmax's rows). `z` and `y` may be the same buffer.
void activate(Activation f, const float* z, float* y, Index rows, Index cols);

/// Whether f's derivative follows from its output alone: Linear, Sigmoid, Tanh, Softmax, and Relu
/// and Elu, whose z is above 0 exactly where y is. A layer may then keep no pre-activation: it
/// computes f in place over its output and passes the output as z to activationBackward.
bool derivativeFromOutput(Activation f);

/// dz = dy * f'(z), from the saved z and y = f(z). Overwrites dz, which may be dy's buffer; z may be
/// y's when derivativeFromOutput(f).
void activationBackward(Activation f, const float* z, const float* y, const float* dy, float* dz, Index rows,
                        Index cols);

} // namespace sf
