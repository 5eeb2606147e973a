#pragma once

#include "Layer.h"
#include "engine/ops/Conv1DOp.h"

#include <optional>

namespace sf {

/// What Conv1D and SeparableConv1D share (keras/src/layers/convolutional/base_conv.py and
/// base_separable_conv.py with rank=1): the window's arguments, the shape rule
/// (compute_conv_output_shape) and its errors, the op's working memory, the card.
namespace conv1d {

/// The arguments in Keras's order: `filters` (with Keras's own wording for a value of 0 or less),
/// `kernel_size`, `strides`, `padding` (with "causal" for Conv1D only in Keras 3),
/// `dilation_rate`, the layer's own `extra` (Conv1D's groups, SeparableConv1D's
/// depth_multiplier), `activation`, `use_bias`.
std::vector<ParamSpec> params(bool causal, ParamSpec extra);

/// Keras 3's get_config beyond the arguments, for kernels named `kernels` (`kernel`, or
/// `depthwise` and `pointwise`): channels_last, glorot_uniform kernels, a zeros bias, no
/// regularizers or constraints. The layer reads channels_last only.
KerasExtras kerasExtras(const std::vector<std::string>& kernels);

/// The window the arguments describe.
Conv1DGeometry geometry(const Arguments& a);

/// The output's steps for a (batch, steps, channels) input, or nullopt after reporting why not:
/// Keras's min_ndim=3 (a vector is offered a Reshape), its kernel-length error for a rank above
/// 3, unknown channels, strides > 1 with dilation_rate > 1, and a window longer than the steps
/// with padding="valid" (`window-too-large`, offered padding="same").
std::optional<Dim> outputSteps(RuleContext& ctx, const Conv1DGeometry& g, std::int64_t filters);

/// The (batch, steps, filters) output with its weight count, or `layer-too-large` when the weights
/// overflow or exceed what a layer may hold (`received` naming the sizes).
RuleResult output(RuleContext& ctx, const Dim& steps, std::int64_t filters, std::optional<std::int64_t> weights,
                  const std::string& received);

/// The grouped convolution's working memory for the op being built.
GroupedConv1D convolution(OpBuild& b, const Conv1DGeometry& g, Index groups, Index filters);

/// The op's pre-activation and its gradient: the output itself and none for a linear layer.
struct PreActivation {
    TensorView* value;
    TensorView* grad;
};
PreActivation preActivation(OpBuild& b, Activation f);

/// `16 × 5 · strides 2 · same · relu`, then `extra` when not empty (`groups 2`).
std::string cardSummary(std::int64_t filters, const Conv1DGeometry& g, const std::string& activation,
                        const std::string& extra);

} // namespace conv1d

} // namespace sf
