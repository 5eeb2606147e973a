#pragma once

#include "engine/Activation.h"
#include "engine/Op.h"

#include <vector>

namespace sf {

/// How a 1-D window slides over the steps (Keras's conv ops, channels_last): `kernel` taps
/// `dilation` steps apart, one window every `strides` steps. "same" pads evenly, the extra step
/// after (TensorFlow's rule, which the Keras 3 backends follow); "causal" pads span - 1 steps
/// before only (conv1d.py's _compute_causal_padding), so output step t sees input steps <= t.
struct Conv1DGeometry {
    enum class Padding { Valid, Same, Causal };
    Index kernel = 1;
    Index strides = 1;
    Index dilation = 1;
    Padding padding = Padding::Valid;

    /// The steps one window covers: dilation * (kernel - 1) + 1.
    Index span() const { return dilation * (kernel - 1) + 1; }
    /// compute_conv_output_shape: valid floor((steps - span) / strides) + 1, which is 0 or less
    /// for a window longer than the steps; same and causal floor((steps - 1) / strides) + 1.
    Index outputSteps(Index steps) const;
    /// Zero steps added before the input.
    Index padBefore(Index steps) const;
    /// The input's steps with the padding on both sides.
    Index paddedSteps(Index steps) const;
};

/// A grouped 1-D cross-correlation without bias: out[b, o, f] = sum over taps k and the channels
/// c of f's group of x[b, o * strides + k * dilation - before, c] * kernel[k, c', f], the kernel
/// laid out as Keras's (kernel, channels / groups, filters). Computed as one matrix product per
/// tap (out += x shifted by the tap @ kernel[k]), for every sample at once:
/// - with strides 1, the padded input of the whole batch is one (batch * padded steps, channels)
///   matrix and a tap's shift is a row offset into it, so a tap is one product over the batch
///   into a (batch * padded steps, filters) buffer of which each sample's first outputs are kept;
/// - with strides > 1, a tap's rows are gathered into a (batch * outputs, channels) buffer first.
/// Groups of one channel each (a depthwise convolution) are multiplied element by element.
class GroupedConv1D {
public:
    /// Working memory from the network, nullptr where the geometry needs none.
    struct Buffers {
        TensorView* padded = nullptr;     ///< (batch, padded steps, channels): only when padding adds steps
        TensorView* paddedGrad = nullptr; ///< the same, for the input gradient
        TensorView* wide = nullptr;       ///< (batch, padded steps, filters): strides 1
        TensorView* gathered = nullptr;   ///< (batch, outputs, channels): strides > 1
        TensorView* gatheredGrad = nullptr;
    };
    struct Extent {
        Index batch;
        Index steps;
        Index channels;
        Index filters;
    };

    GroupedConv1D(Conv1DGeometry geometry, Index groups, Buffers buffers)
        : m_geometry(geometry), m_groups(groups), m_buffers(buffers)
    {
    }
    /// Which buffers a geometry needs for (batch, steps, channels) inputs and `filters` outputs,
    /// each asked of `scratch(shape)`.
    template <class Scratch>
    static Buffers buffersFor(const Conv1DGeometry& g, Index batch, Index steps, Index channels, Index filters,
                              Scratch&& scratch)
    {
        Buffers b;
        const Index padded = g.paddedSteps(steps);
        if (padded != steps) {
            b.padded = scratch({batch, padded, channels});
            b.paddedGrad = scratch({batch, padded, channels});
        }
        if (g.strides == 1) {
            b.wide = scratch({batch, padded, filters});
        } else {
            b.gathered = scratch({batch, g.outputSteps(steps), channels});
            b.gatheredGrad = scratch({batch, g.outputSteps(steps), channels});
        }
        return b;
    }

    /// Writes out (batch, outputs, filters).
    void forward(const Extent& e, const float* x, const float* kernel, float* out);
    /// Adds the kernel's gradient into dKernel, and the input's into dx unless it is nullptr; `x`
    /// and `kernel` are forward's.
    void backward(const Extent& e, const float* x, const float* kernel, const float* dOut, float* dKernel, float* dx);

private:
    /// The input with its padding: `x` itself when the padding adds no step.
    const float* padded(const Extent& e, const float* x) const;
    /// backward() for one group, strides 1 and dilation 1 (see windowsAreRows in the .cpp), from
    /// the output's gradient at forward's wide rows: the kernel's gradient and the padded input's
    /// (unless `dp` is nullptr), one product each.
    void backwardByWindows(const Extent& e, const float* p, const float* kernel, const float* dWide, float* dKernel,
                           float* dp);

    Conv1DGeometry m_geometry;
    Index m_groups;
    Buffers m_buffers;
    std::vector<float> m_reversedKernel; ///< backwardByWindows' taps, last first, each transposed
};

/// Keras's Conv1D: activation(conv(x, kernel) + bias), (batch, steps, channels) to (batch,
/// outputs, filters).
class Conv1DOp final : public Op {
public:
    Conv1DOp(GroupedConv1D conv, Parameter* kernel, Parameter* bias, Activation activation, TensorView* preActivation,
             TensorView* preActivationGrad)
        : m_conv(conv), m_kernel(kernel), m_bias(bias), m_activation(activation), m_z(preActivation),
          m_dz(preActivationGrad)
    {
    }
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    GroupedConv1D::Extent extent() const;

    GroupedConv1D m_conv;
    Parameter* m_kernel;
    Parameter* m_bias; ///< nullptr without use_bias
    Activation m_activation;
    TensorView* m_z;  ///< the pre-activation (conv::preActivation)
    TensorView* m_dz; ///< its gradient; nullptr when linear (conv::preActivation)
};

/// Keras's SeparableConv1D: a depthwise convolution (each channel with its own depth_multiplier
/// filters, kernel (kernel, channels, depth_multiplier)) then a pointwise one (a (channels *
/// depth_multiplier, filters) product per step), then bias and activation.
class SeparableConv1DOp final : public Op {
public:
    SeparableConv1DOp(GroupedConv1D depthwise, Parameter* depthwiseKernel, Parameter* pointwiseKernel, Parameter* bias,
                      Activation activation, TensorView* depthwiseOutput, TensorView* depthwiseOutputGrad,
                      TensorView* preActivation, TensorView* preActivationGrad)
        : m_depthwise(depthwise), m_depthwiseKernel(depthwiseKernel), m_pointwiseKernel(pointwiseKernel), m_bias(bias),
          m_activation(activation), m_d(depthwiseOutput), m_dd(depthwiseOutputGrad), m_z(preActivation),
          m_dz(preActivationGrad)
    {
    }
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    GroupedConv1D::Extent extent() const;

    GroupedConv1D m_depthwise;
    Parameter* m_depthwiseKernel;
    Parameter* m_pointwiseKernel;
    Parameter* m_bias;
    Activation m_activation;
    TensorView* m_d;  ///< (batch, outputs, channels * depth_multiplier)
    TensorView* m_dd; ///< its gradient
    TensorView* m_z;
    TensorView* m_dz;
};

} // namespace sf
