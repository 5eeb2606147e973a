#pragma once

#include "Layer.h"
#include "engine/ops/Conv1DOp.h"

#include <optional>

namespace sf {

/// What the convolutions of every rank share (keras/src/layers/convolutional/base_conv.py and
/// base_separable_conv.py, ops/operation_utils.py's compute_conv_output_shape): the window's
/// arguments, the shape rule and its errors, the card. Each spatial axis slides its own window
/// (a Conv1DGeometry: one for Conv1D, rows then columns for Conv2D). The 1-D op's working memory
/// is here too; the 2-D one's is in Convolution2D.h.
namespace conv {

/// The arguments in Keras's order: `filters` (with Keras's own wording for a value of 0 or less),
/// `kernel_size`, `strides`, `padding` (with "causal" for Conv1D only in Keras 3), `data_format`
/// for rank 2 (Shapeflow reads channels_last only at rank 1), `dilation_rate`, the layer's own
/// `extra` (groups, depth_multiplier), `activation`, `use_bias`. Tuples have `rank` integers.
std::vector<ParamSpec> params(int rank, bool causal, ParamSpec extra);

/// Conv1D's and Conv2D's `groups`, with Keras's wording for a value of 0 or less.
ParamSpec groupsParam();

/// The depthwise convolutions' `depth_multiplier`, with Keras's wording for a value of 0 or less.
ParamSpec depthMultiplierParam();

/// base_conv.py's __init__: `filters` not divisible by `groups` (offered groups=1). False after
/// reporting it.
bool checkFiltersPerGroup(RuleContext& ctx, std::int64_t filters, std::int64_t groups);
/// base_conv.py's build: the input's channels not divisible by `groups` (offered groups=1).
bool checkChannelsPerGroup(RuleContext& ctx, std::int64_t channels, std::int64_t groups);

/// LoRA (base_conv.py's lora_rank, which get_config writes when set) changes the kernel the
/// layer uses: refused by name rather than read as a plain convolution.
void refuseLora(const nlohmann::json& config, KerasLayerReading& reading);

/// The class names Keras files have used for a convolution besides its own.
struct ClassNames {
    /// Keras 1's (Convolution2D): such a file has Keras 1's argument names too.
    std::vector<std::string> keras1 = {};
    /// Aliases Keras 2 and 3 export beside the class (SeparableConvolution1D).
    std::vector<std::string> aliases = {};
};

/// Keras 3's get_config beyond the arguments, for kernels named `kernels` (`kernel`, or
/// `depthwise` and `pointwise`): glorot_uniform kernels, a zeros bias, no regularizers or
/// constraints; at rank 1, where data_format is not an argument, channels_last (the layer then
/// reads channels_last only). With Keras 1 class names, Keras 1's argument names as Keras 2's
/// legacy_conv1d_support, legacy_conv2d_support, legacy_separable_conv2d_support and
/// legacy_deconv2d_support read them (keras/legacy/interfaces.py): `nb_filter`, `filter_length`
/// or `nb_row` and `nb_col`, `subsample_length` or `subsample`, `border_mode`, `init`, `W_*` and
/// `b_*`, `bias`, and the Atrous layers' `atrous_rate` (keras/legacy/layers.py); Keras 1's
/// Convolution1D also wrote `input_dim` and `input_length`, which only repeat its input's shape.
KerasExtras kerasExtras(const std::vector<std::string>& kernels, int rank, const ClassNames& names = {});

/// The window of spatial axis `axis` the arguments describe.
Conv1DGeometry geometry(const Arguments& a, std::size_t axis);
/// Every spatial axis's window.
std::vector<Conv1DGeometry> geometries(const Arguments& a, int rank);

/// Whether the arguments say data_format="channels_first" (always false at rank 1).
bool channelsFirst(const Arguments& a, int rank);

/// What outputSizes() checks before the sizes: false after reporting a problem.
bool checkInput(RuleContext& ctx, const std::vector<Conv1DGeometry>& axes, bool channelsFirst, std::int64_t filters);

/// The output's spatial sizes for a (batch, spatial..., channels) input, or (batch, channels,
/// spatial...) when `channelsFirst`, or nullopt after reporting why not: Keras's min_ndim (a
/// vector is offered a Reshape), its kernel-length error for a higher rank, unknown channels,
/// strides > 1 with dilation_rate > 1, and a window larger than the input with padding="valid"
/// (`window-too-large`, offered padding="same"). An unknown spatial size stays unknown.
std::optional<std::vector<Dim>> outputSizes(RuleContext& ctx, const std::vector<Conv1DGeometry>& axes,
                                            bool channelsFirst, std::int64_t filters);

/// The input's channels (known once outputSizes() succeeded).
std::int64_t channels(const RuleContext& ctx, bool channelsFirst);

/// The output with `sizes` and `filters` channels where the input had its channels, and its weight
/// count, or `layer-too-large` when the weights overflow or exceed what a layer may hold
/// (`received` naming the sizes).
RuleResult output(RuleContext& ctx, const std::vector<Dim>& sizes, std::int64_t filters, bool channelsFirst,
                  std::optional<std::int64_t> weights, const std::string& received);

/// The product of the windows' kernel sizes.
std::int64_t windowSize(const std::vector<Conv1DGeometry>& axes);

/// The grouped 1-D convolution's working memory for the op being built.
GroupedConv1D convolution1D(OpBuild& b, const Conv1DGeometry& g, Index groups, Index filters);

/// How a 2-D convolution layer's op is made: `groups` groups, or one per channel with
/// `depthMultiplier` filters each when that is above 0; `separable` with a pointwise product
/// after; or `transposed`. The weights are in the order the layers give them: the kernel, the pointwise kernel
/// when separable, the bias with use_bias.
struct Conv2DOpSpec {
    std::vector<Conv1DGeometry> axes;
    bool channelsFirst = false;
    Index groups = 1;
    Index depthMultiplier = 0;
    bool separable = false;
    std::string activation;
    bool useBias = true;
    /// Conv2DTranspose: its convolution runs backwards, the output cropped by `crop` rows and
    /// columns before the first window.
    bool transposed = false;
    Index crop[2] = {0, 0};
};
std::unique_ptr<Op> conv2DOp(OpBuild& b, const Conv2DOpSpec& spec);

/// The op's pre-activation and its gradient: the output itself and none for a linear layer; the
/// output and its gradient themselves, computed in place, when the activation's derivative follows
/// from its output (derivativeFromOutput); else buffers of their own.
struct PreActivation {
    TensorView* value;
    TensorView* grad;
};
PreActivation preActivation(OpBuild& b, Activation f);

/// `16 × 5 · strides 2 · same · relu` at rank 1, `32 3×3 · strides 2×2 · same · relu` at rank
/// 2 (and `· channels_first` when so), then `extra` when not empty (`groups 2`).
std::string cardSummary(std::int64_t filters, const std::vector<Conv1DGeometry>& axes, bool channelsFirst,
                        const std::string& activation, const std::string& extra);

} // namespace conv

} // namespace sf
