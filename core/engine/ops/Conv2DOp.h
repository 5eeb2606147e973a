#pragma once

#include "Conv1DOp.h"

#include <algorithm>

namespace sf {

/// How a 2-D window slides over an image: each axis as a 1-D window (Conv1DGeometry's output
/// sizes and Keras's "same" padding, the extra row or column after).
struct Conv2DGeometry {
    Conv1DGeometry rows;
    Conv1DGeometry cols;
};

/// A grouped 2-D cross-correlation without bias, channels_last: out[b, i, j, f] = sum over taps
/// (p, q) and the channels c of f's group of x[b, i * sr + p * dr - top, j * sc + q * dc - left, c]
/// * kernel[p, q, c', f], the kernel laid out as Keras's (rows, cols, channels / groups,
/// filters). Computed by unfolding (im2col): for a chunk of samples and one group, the windows are
/// copied into a (windows, rows * cols * channels / groups) matrix, the padding as zeros, and one
/// matrix product with the group's (rows * cols * channels / groups, filters / groups) kernel gives
/// the outputs. Backward unfolds again: the kernel's gradient is the unfolded input's transpose
/// times the output's gradient, the input's the output's gradient times the kernel's transpose,
/// folded back (added where windows overlap). A 1×1 window with strides 1 and one group reads
/// the input as it is, with no copy; one channel per group (a depthwise convolution) is a sum of
/// the taps, each scaling its channel's filters, with no product to make. Measured here on one
/// core (the machine loaded by other builds): the MNIST CNN's Conv2D(64, 3×3) on 13×13×32 runs
/// forward in 2.4 ms at batch 32 and 39 ms at 256 by unfolding against 4.4 and 48 ms with one
/// product per tap; its first layer (one input channel) unfolded 1.1 and 17 ms against 2.0 and
/// 30 ms through the depthwise path, which is kept for more than one channel: a 3×3 depthwise
/// convolution over 14×14×64 took 0.5 ms forward at batch 32 against 36 ms unfolded per group.
class GroupedConv2D {
public:
    struct Extent {
        Index batch;
        Index height;
        Index width;
        Index channels;
        Index filters;
    };
    /// Where the windows lie on the image: how many there are on each axis, and how many padding
    /// rows and columns come before the first.
    struct Frame {
        Index rows;
        Index cols;
        Index top;
        Index left;
    };
    /// How the products are made.
    enum class Method {
        AsIs,      ///< 1×1, strides 1, one group: one product with the input as it is
        Unfold,    ///< im2col and one product per chunk of samples and group
        Depthwise, ///< one channel per group: each tap scales its channels' filters, no product
    };
    /// At most this many floats of unfolded input at once: the samples are taken in chunks.
    static constexpr Index kMaxColumns = Index{1} << 23;

    GroupedConv2D(Conv2DGeometry geometry, Frame frame, Index groups, Method method, Index chunk, TensorView* columns,
                  TensorView* columnsGrad)
        : m_geometry(geometry), m_frame(frame), m_groups(groups), m_method(method), m_chunk(chunk), m_columns(columns),
          m_columnsGrad(columnsGrad)
    {
    }
    /// The convolution for (batch, height, width, channels) inputs and `filters` outputs, its
    /// working memory asked of `scratch(shape)` (none unless it unfolds).
    template <class Scratch>
    static GroupedConv2D make(const Conv2DGeometry& g, Index groups, const Extent& e, Scratch&& scratch)
    {
        const Frame frame{g.rows.outputSteps(e.height), g.cols.outputSteps(e.width), g.rows.padBefore(e.height),
                          g.cols.padBefore(e.width)};
        if (groups == 1 && g.rows.kernel == 1 && g.cols.kernel == 1 && g.rows.strides == 1 && g.cols.strides == 1)
            return {g, frame, groups, Method::AsIs, e.batch, nullptr, nullptr};
        if (groups == e.channels && groups > 1) {
            if (e.filters != e.channels || g.rows.strides != 1 || g.cols.strides != 1)
                return {g, frame, groups, Method::Depthwise, e.batch, nullptr, nullptr};
            // depthwiseUnitStrides: each tap's weights along an output row, and its gradient's sums.
            const Index taps = g.rows.kernel * g.cols.kernel;
            const Index run = frame.cols * e.channels;
            return {g, frame, groups, Method::Depthwise, e.batch, scratch({taps, run}), scratch({taps, run})};
        }
        return unfolding(g, frame, groups, e, scratch);
    }
    /// The transposed convolution (Conv2DTranspose) whose output is an image of `e`'s height,
    /// width and channels (the layer's filters), its windows the `frame` of the input's pixels,
    /// `e.filters` the input's channels: the convolution of this geometry run backwards. Always
    /// unfolds.
    template <class Scratch>
    static GroupedConv2D makeTransposed(const Conv2DGeometry& g, const Frame& frame, const Extent& e, Scratch&& scratch)
    {
        return unfolding(g, frame, 1, e, scratch);
    }

    /// Writes out (batch, out rows, out cols, filters).
    void forward(const Extent& e, const float* x, const float* kernel, float* out);
    /// Adds the kernel's gradient into dKernel, and the input's into dx unless it is nullptr; `x`
    /// and `kernel` are forward's.
    void backward(const Extent& e, const float* x, const float* kernel, const float* dOut, float* dKernel, float* dx);

    /// For makeTransposed(): writes the image out (batch, height, width, channels) from the
    /// windows' values x (batch, frame rows, frame cols, filters): out = fold(x @ kernel^T).
    void transposedForward(const Extent& e, const float* x, const float* kernel, float* out);
    /// Its backward: adds the kernel's gradient into dKernel and x's into dx unless nullptr.
    void transposedBackward(const Extent& e, const float* x, const float* kernel, const float* dOut, float* dKernel,
                            float* dx);

private:
    template <class Scratch>
    static GroupedConv2D unfolding(const Conv2DGeometry& g, const Frame& frame, Index groups, const Extent& e,
                                   Scratch&& scratch)
    {
        const Index windows = frame.rows * frame.cols;
        const Index width = g.rows.kernel * g.cols.kernel * (e.channels / groups);
        const Index chunk = std::clamp<Index>(kMaxColumns / std::max<Index>(windows * width, 1), 1, e.batch);
        return {g,
                frame,
                groups,
                Method::Unfold,
                chunk,
                scratch({chunk * windows, width}),
                scratch({chunk * windows, width})};
    }
    /// The floats of one sample's unfolded columns for one group: a row of `kernel area × channels
    /// per group` floats per output pixel.
    Index columnsPerSample(const Extent& e) const;
    /// Unfolds samples [first, first + count) for group `group` into m_columns.
    void unfold(const Extent& e, const float* x, Index first, Index count, Index group) const;
    /// Adds m_columnsGrad back into dx for samples [first, first + count) and group `group`.
    void fold(const Extent& e, float* dx, Index first, Index count, Index group) const;
    /// Method::Depthwise: forward when `dOut` is nullptr (writing out), else backward.
    void depthwise(const Extent& e, const float* x, const float* kernel, float* out, const float* dOut, float* dKernel,
                   float* dx) const;
    /// depthwise() for one filter per channel and strides 1: a tap reads, for each output row,
    /// one run of input pixels, so that it is one long multiply-add of floats against the tap's
    /// weights repeated along the row. Samples go to the cores for the output and the input's
    /// gradient, taps for the kernel's gradient (each summed over the samples in their order).
    void depthwiseUnitStrides(const Extent& e, const float* x, const float* kernel, float* out, const float* dOut,
                              float* dKernel, float* dx) const;

    Conv2DGeometry m_geometry;
    Frame m_frame;
    Index m_groups;
    Method m_method;
    Index m_chunk; ///< samples unfolded at once
    /// Working memory: the unfolded columns and their gradient (Method::Unfold), or a unit-stride
    /// depthwise convolution's weights repeated along a row and its kernel gradient's sums, a row
    /// per tap (depthwiseUnitStrides); null otherwise.
    TensorView* m_columns;
    TensorView* m_columnsGrad;
};

/// Keras's Conv2D, DepthwiseConv2D, SeparableConv2D and Conv2DTranspose: activation(conv(x,
/// kernel) + bias), the separable one with a pointwise product after the (depthwise)
/// convolution, the transposed one running its convolution backwards; (batch, rows, cols,
/// channels) to (batch, out rows, out cols, filters), or with channels_first (batch, channels,
/// rows, cols) to (batch, filters, out rows, out cols): the input transposed to channels_last
/// into a buffer and the result transposed back (the activation then runs over the last axis as
/// Keras's does: the columns).
class Conv2DOp final : public Op {
public:
    /// Buffers for channels_first; all nullptr for channels_last.
    struct ChannelsFirst {
        TensorView* input = nullptr;     ///< (batch, rows, cols, channels)
        TensorView* inputGrad = nullptr; ///< the same
        TensorView* output = nullptr;    ///< (batch, out rows, out cols, filters): before the bias
        TensorView* outputGrad = nullptr;
    };
    /// SeparableConv2D's pointwise step; all nullptr for the others.
    struct Pointwise {
        Parameter* kernel = nullptr; ///< (1, 1, channels * depth_multiplier, filters)
        TensorView* inner = nullptr; ///< (batch, out rows, out cols, channels * depth_multiplier)
        TensorView* innerGrad = nullptr;
    };
    /// One sample's sizes, channels_last.
    struct Sizes {
        Index inPixels;
        Index inChannels;
        Index outRows;
        Index outCols;
        Index filters;
    };
    /// `extent` is the convolution's for the compiled batch (its batch is the running one's);
    /// `transposed` for Conv2DTranspose (GroupedConv2D::makeTransposed()).
    Conv2DOp(GroupedConv2D conv, GroupedConv2D::Extent extent, Sizes sizes, bool transposed, Parameter* kernel,
             Parameter* bias, Activation activation, TensorView* preActivation, TensorView* preActivationGrad,
             ChannelsFirst channelsFirst, Pointwise pointwise)
        : m_conv(conv), m_extent(extent), m_sizes(sizes), m_transposed(transposed), m_kernel(kernel), m_bias(bias),
          m_activation(activation), m_z(preActivation), m_dz(preActivationGrad), m_cf(channelsFirst), m_p(pointwise)
    {
    }
    void forward(const ForwardContext& ctx) override;
    void backward() override;

private:
    bool channelsFirst() const { return m_cf.input != nullptr; }
    /// The convolution's extent at the running batch.
    GroupedConv2D::Extent extent() const;
    void convolve(const GroupedConv2D::Extent& e, const float* x, float* y);
    void convolveBackward(const GroupedConv2D::Extent& e, const float* x, const float* dy, float* dx);

    GroupedConv2D m_conv;
    GroupedConv2D::Extent m_extent;
    Sizes m_sizes;
    bool m_transposed;
    Parameter* m_kernel;
    Parameter* m_bias; ///< nullptr without use_bias
    Activation m_activation;
    TensorView* m_z;  ///< the pre-activation, in the output's layout (conv::preActivation)
    TensorView* m_dz; ///< its gradient; nullptr when linear (conv::preActivation)
    ChannelsFirst m_cf;
    Pointwise m_p;
};

} // namespace sf
