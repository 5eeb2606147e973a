#include "Conv1DOp.h"

#include "engine/MatrixProduct.h"
#include "engine/Parallel.h"

#include <algorithm>
#include <array>

namespace sf {

namespace {

using StridedMap = Eigen::Map<MatrixRM, 0, Eigen::OuterStride<>>;
using ConstStridedMap = Eigen::Map<const MatrixRM, 0, Eigen::OuterStride<>>;

/// floor(a / b) for b > 0.
Index floorDivide(Index a, Index b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// How the channels and filters split into groups, and a tap's kernel: (channels / groups,
/// filters), dense.
struct Groups {
    Index count;
    Index channels; ///< per group
    Index filters;  ///< per group
    Index allFilters() const { return count * filters; }
};

/// d[:, group's filters] (+)= a[:, group's channels] @ w[:, group's filters], for every group;
/// `a` has `rows` rows `lda` floats apart, `d` rows `ldd` floats apart.
void forwardTap(const float* a, Index lda, const float* w, float* d, Index ldd, Index rows, const Groups& g,
                bool accumulate)
{
    if (g.count == 1 && lda == g.channels && ldd == g.filters) {
        multiply({a, Stored::AsIs, w, Stored::AsIs, d, rows, g.filters, g.channels, accumulate});
        return;
    }
    if (g.channels == 1) { // depthwise: each channel scales its own filters
        for (Index r = 0; r < rows; ++r)
            for (Index j = 0; j < g.count; ++j) {
                const float x = a[r * lda + j];
                float* out = d + r * ldd + j * g.filters;
                const float* taps = w + j * g.filters;
                for (Index f = 0; f < g.filters; ++f)
                    out[f] = (accumulate ? out[f] : 0.0f) + x * taps[f];
            }
        return;
    }
    const Eigen::Map<const MatrixRM> kernel(w, g.channels, g.allFilters());
    for (Index j = 0; j < g.count; ++j) {
        const ConstStridedMap in(a + j * g.channels, rows, g.channels, Eigen::OuterStride<>(lda));
        StridedMap out(d + j * g.filters, rows, g.filters, Eigen::OuterStride<>(ldd));
        if (accumulate)
            out.noalias() += in * kernel.middleCols(j * g.filters, g.filters);
        else
            out.noalias() = in * kernel.middleCols(j * g.filters, g.filters);
    }
}

/// dw[:, group's filters] += a[:, group's channels]^T @ dd[:, group's filters].
void kernelGradTap(const float* a, Index lda, const float* dd, Index ldd, float* dw, Index rows, const Groups& g)
{
    if (g.count == 1 && lda == g.channels && ldd == g.filters) {
        multiply({a, Stored::Transposed, dd, Stored::AsIs, dw, g.channels, g.filters, rows, true});
        return;
    }
    if (g.channels == 1) {
        for (Index r = 0; r < rows; ++r)
            for (Index j = 0; j < g.count; ++j) {
                const float x = a[r * lda + j];
                const float* grad = dd + r * ldd + j * g.filters;
                float* taps = dw + j * g.filters;
                for (Index f = 0; f < g.filters; ++f)
                    taps[f] += x * grad[f];
            }
        return;
    }
    Eigen::Map<MatrixRM> kernel(dw, g.channels, g.allFilters());
    for (Index j = 0; j < g.count; ++j) {
        const ConstStridedMap in(a + j * g.channels, rows, g.channels, Eigen::OuterStride<>(lda));
        const ConstStridedMap grad(dd + j * g.filters, rows, g.filters, Eigen::OuterStride<>(ldd));
        kernel.middleCols(j * g.filters, g.filters).noalias() += in.transpose() * grad;
    }
}

/// da[:, group's channels] += dd[:, group's filters] @ w[:, group's filters]^T.
void inputGradTap(const float* dd, Index ldd, const float* w, float* da, Index lda, Index rows, const Groups& g)
{
    if (g.count == 1 && lda == g.channels && ldd == g.filters) {
        multiply({dd, Stored::AsIs, w, Stored::Transposed, da, rows, g.channels, g.filters, true});
        return;
    }
    if (g.channels == 1) {
        for (Index r = 0; r < rows; ++r)
            for (Index j = 0; j < g.count; ++j) {
                const float* grad = dd + r * ldd + j * g.filters;
                const float* taps = w + j * g.filters;
                float sum = 0.0f;
                for (Index f = 0; f < g.filters; ++f)
                    sum += grad[f] * taps[f];
                da[r * lda + j] += sum;
            }
        return;
    }
    const Eigen::Map<const MatrixRM> kernel(w, g.channels, g.allFilters());
    for (Index j = 0; j < g.count; ++j) {
        const ConstStridedMap grad(dd + j * g.filters, rows, g.filters, Eigen::OuterStride<>(ldd));
        StridedMap in(da + j * g.channels, rows, g.channels, Eigen::OuterStride<>(lda));
        in.noalias() += grad * kernel.middleCols(j * g.filters, g.filters).transpose();
    }
}

/// One tap's two backward products, which do not depend on each other: kernelGradTap and, when
/// `da` is not nullptr, inputGradTap. Dense ones run side by side (multiplySideBySide).
void backwardTap(const float* a, Index lda, const float* w, const float* dd, Index ldd, float* dw, float* da,
                 Index rows, const Groups& g)
{
    if (da && g.count == 1 && lda == g.channels && ldd == g.filters) {
        multiplySideBySide(
            std::array{Product{a, Stored::Transposed, dd, Stored::AsIs, dw, g.channels, g.filters, rows, true},
                       Product{dd, Stored::AsIs, w, Stored::Transposed, da, rows, g.channels, g.filters, true}});
        return;
    }
    kernelGradTap(a, lda, dd, ldd, dw, rows, g);
    if (da)
        inputGradTap(dd, ldd, w, da, lda, rows, g);
}

/// With one group, strides 1 and dilation 1, the windows of the whole batch's padded input are
/// its rows read `kernel` at a time: row r's window is the kernel * channels floats from row r
/// on, so the padded input seen with a row stride of `channels` and rows of kernel * channels
/// is the unfolded (im2col) input without a copy, and a tap-by-tap sum is one product. OpenBLAS
/// refuses a row stride shorter than a row; Eigen reads such a view as any other. Measured on
/// the text CNN's Conv1D(128, 5) over 100 steps here: one product 2-3x faster than five at
/// batch 32, 1.4x at batch 256 (five products each handed out to the cores, and each adding
/// into the whole output again).
bool windowsAreRows(const Conv1DGeometry& geo, const Groups& g)
{
    return g.count == 1 && geo.strides == 1 && geo.dilation == 1;
}

/// `rows` windows of `kernel` rows of `width` floats from `data` on: (rows, kernel * width).
ConstStridedMap windows(const float* data, Index rows, Index kernel, Index width)
{
    return {data, rows, kernel * width, Eigen::OuterStride<>(width)};
}

void addBias(float* z, Index rows, const Parameter* bias)
{
    if (!bias)
        return;
    const Index units = bias->size();
    MatrixMap(z, rows, units).rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias->value.data(), units);
}

void addBiasGrad(const float* dz, Index rows, Parameter* bias)
{
    if (!bias)
        return;
    addColumnSums(dz, rows, bias->size(), bias->grad.data());
}

} // namespace

Index Conv1DGeometry::outputSteps(Index steps) const
{
    if (padding == Padding::Valid)
        return floorDivide(steps - span(), strides) + 1;
    return floorDivide(steps - 1, strides) + 1;
}

Index Conv1DGeometry::padBefore(Index steps) const
{
    switch (padding) {
    case Padding::Valid:
        return 0;
    case Padding::Causal:
        return span() - 1;
    case Padding::Same:
        return std::max<Index>((outputSteps(steps) - 1) * strides + span() - steps, 0) / 2;
    }
    return 0;
}

Index Conv1DGeometry::paddedSteps(Index steps) const
{
    switch (padding) {
    case Padding::Valid:
        return steps;
    case Padding::Causal:
        return steps + span() - 1;
    case Padding::Same:
        return steps + std::max<Index>((outputSteps(steps) - 1) * strides + span() - steps, 0);
    }
    return steps;
}

const float* GroupedConv1D::padded(const Extent& e, const float* x) const
{
    if (!m_buffers.padded)
        return x;
    const Index paddedSteps = m_geometry.paddedSteps(e.steps);
    const Index before = m_geometry.padBefore(e.steps);
    float* p = m_buffers.padded->data;
    for (Index b = 0; b < e.batch; ++b) {
        float* sample = p + b * paddedSteps * e.channels;
        std::fill_n(sample, before * e.channels, 0.0f);
        std::copy_n(x + b * e.steps * e.channels, e.steps * e.channels, sample + before * e.channels);
        std::fill(sample + (before + e.steps) * e.channels, sample + paddedSteps * e.channels, 0.0f);
    }
    return p;
}

void GroupedConv1D::forward(const Extent& e, const float* x, const float* kernel, float* out)
{
    const Conv1DGeometry& geo = m_geometry;
    const Groups g{m_groups, e.channels / m_groups, e.filters / m_groups};
    const Index outputs = geo.outputSteps(e.steps);
    const Index paddedSteps = geo.paddedSteps(e.steps);
    const float* p = padded(e, x);
    const Index tapSize = g.channels * e.filters;
    if (geo.strides == 1) {
        // A tap is a row offset into the whole batch's padded input; the rows whose windows
        // straddle two samples are computed and left out.
        const Index rows = e.batch * paddedSteps - geo.span() + 1;
        float* wide = m_buffers.wide->data;
        if (windowsAreRows(geo, g))
            MatrixMap(wide, rows, e.filters).noalias() =
                windows(p, rows, geo.kernel, e.channels) * ConstMatrixMap(kernel, geo.kernel * e.channels, e.filters);
        else
            for (Index k = 0; k < geo.kernel; ++k)
                forwardTap(p + k * geo.dilation * e.channels, e.channels, kernel + k * tapSize, wide, e.filters, rows,
                           g, k > 0);
        for (Index b = 0; b < e.batch; ++b)
            std::copy_n(wide + b * paddedSteps * e.filters, outputs * e.filters, out + b * outputs * e.filters);
        return;
    }
    float* gathered = m_buffers.gathered->data;
    for (Index k = 0; k < geo.kernel; ++k) {
        for (Index b = 0; b < e.batch; ++b)
            for (Index o = 0; o < outputs; ++o)
                std::copy_n(p + (b * paddedSteps + o * geo.strides + k * geo.dilation) * e.channels, e.channels,
                            gathered + (b * outputs + o) * e.channels);
        forwardTap(gathered, e.channels, kernel + k * tapSize, out, e.filters, e.batch * outputs, g, k > 0);
    }
}

void GroupedConv1D::backwardByWindows(const Extent& e, const float* p, const float* kernel, const float* dWide,
                                      float* dKernel, float* dp)
{
    const Index kernelSize = m_geometry.kernel;
    const Index rows = e.batch * m_geometry.paddedSteps(e.steps); // of the padded input, and of dWide
    const Index windowRows = rows - kernelSize + 1;
    if (windowRows <= 0)
        return;
    // The kernel's gradient: the windows' transpose against the output's gradient (0 at the rows
    // whose windows straddle two samples).
    MatrixMap(dKernel, kernelSize * e.channels, e.filters).noalias() +=
        windows(p, windowRows, kernelSize, e.channels).transpose() * ConstMatrixMap(dWide, windowRows, e.filters);
    if (!dp)
        return;
    // Input row r takes tap k's share of output row r - k: sum over k of dWide[r - k] @ kernel[k]^T.
    // From row kernel - 1 on, that is the window of dWide rows r - kernel + 1 .. r against the
    // taps in reverse, each transposed: one product. The first kernel - 1 rows take their few
    // terms one by one.
    m_reversedKernel.resize(static_cast<std::size_t>(kernelSize * e.filters * e.channels));
    MatrixMap reversed(m_reversedKernel.data(), kernelSize * e.filters, e.channels);
    const auto tap = [&](Index k) {
        return ConstMatrixMap(kernel + k * e.channels * e.filters, e.channels, e.filters);
    };
    for (Index j = 0; j < kernelSize; ++j)
        reversed.middleRows(j * e.filters, e.filters) = tap(kernelSize - 1 - j).transpose();
    MatrixMap(dp + (kernelSize - 1) * e.channels, windowRows, e.channels).noalias() +=
        windows(dWide, windowRows, kernelSize, e.filters) * reversed;
    for (Index r = 0; r < std::min(kernelSize - 1, rows); ++r)
        for (Index k = 0; k <= r; ++k)
            MatrixMap(dp + r * e.channels, 1, e.channels).noalias() +=
                ConstMatrixMap(dWide + (r - k) * e.filters, 1, e.filters) * tap(k).transpose();
}

void GroupedConv1D::backward(const Extent& e, const float* x, const float* kernel, const float* dOut, float* dKernel,
                             float* dx)
{
    const Conv1DGeometry& geo = m_geometry;
    const Groups g{m_groups, e.channels / m_groups, e.filters / m_groups};
    const Index outputs = geo.outputSteps(e.steps);
    const Index paddedSteps = geo.paddedSteps(e.steps);
    const Index tapSize = g.channels * e.filters;
    const float* p = padded(e, x);
    // The gradient of the padded input: dx itself without padding, else a buffer added into dx
    // at the end.
    float* dp = nullptr;
    if (dx) {
        dp = m_buffers.paddedGrad ? m_buffers.paddedGrad->data : dx;
        if (m_buffers.paddedGrad)
            std::fill_n(dp, e.batch * paddedSteps * e.channels, 0.0f);
    }
    if (geo.strides == 1) {
        const Index rows = e.batch * paddedSteps - geo.span() + 1;
        float* wide = m_buffers.wide->data; // the output's gradient at forward's wide rows, 0 elsewhere
        std::fill_n(wide, e.batch * paddedSteps * e.filters, 0.0f);
        for (Index b = 0; b < e.batch; ++b)
            std::copy_n(dOut + b * outputs * e.filters, outputs * e.filters, wide + b * paddedSteps * e.filters);
        if (windowsAreRows(geo, g)) {
            backwardByWindows(e, p, kernel, wide, dKernel, dp);
        } else {
            for (Index k = 0; k < geo.kernel; ++k) {
                const Index shift = k * geo.dilation * e.channels;
                backwardTap(p + shift, e.channels, kernel + k * tapSize, wide, e.filters, dKernel + k * tapSize,
                            dp ? dp + shift : nullptr, rows, g);
            }
        }
    } else {
        float* gathered = m_buffers.gathered->data;
        float* gatheredGrad = m_buffers.gatheredGrad->data;
        const Index rows = e.batch * outputs;
        for (Index k = 0; k < geo.kernel; ++k) {
            const auto at = [&](Index b, Index o) {
                return (b * paddedSteps + o * geo.strides + k * geo.dilation) * e.channels;
            };
            for (Index b = 0; b < e.batch; ++b)
                for (Index o = 0; o < outputs; ++o)
                    std::copy_n(p + at(b, o), e.channels, gathered + (b * outputs + o) * e.channels);
            if (dp)
                std::fill_n(gatheredGrad, rows * e.channels, 0.0f);
            backwardTap(gathered, e.channels, kernel + k * tapSize, dOut, e.filters, dKernel + k * tapSize,
                        dp ? gatheredGrad : nullptr, rows, g);
            if (!dp)
                continue;
            for (Index b = 0; b < e.batch; ++b)
                for (Index o = 0; o < outputs; ++o) {
                    float* target = dp + at(b, o);
                    const float* source = gatheredGrad + (b * outputs + o) * e.channels;
                    for (Index c = 0; c < e.channels; ++c)
                        target[c] += source[c];
                }
        }
    }
    if (dx && m_buffers.paddedGrad) {
        const Index before = geo.padBefore(e.steps);
        for (Index b = 0; b < e.batch; ++b) {
            const float* source = dp + (b * paddedSteps + before) * e.channels;
            float* target = dx + b * e.steps * e.channels;
            for (Index i = 0; i < e.steps * e.channels; ++i)
                target[i] += source[i];
        }
    }
}

GroupedConv1D::Extent Conv1DOp::extent() const
{
    const std::vector<Index>& in = inputs[0]->value.shape;
    return {in[0], in[1], in[2], m_kernel->shape[2]};
}

void Conv1DOp::forward(const ForwardContext&)
{
    const GroupedConv1D::Extent e = extent();
    const Index rows = output->value.rows();
    m_conv.forward(e, inputs[0]->value.data, m_kernel->value.data(), m_z->data);
    addBias(m_z->data, rows, m_bias);
    activate(m_activation, m_z->data, output->value.data, rows, e.filters);
}

void Conv1DOp::backward()
{
    const GroupedConv1D::Extent e = extent();
    const Index rows = output->value.rows();
    const float* dz = output->grad.data;
    if (m_dz) {
        activationBackward(m_activation, m_z->data, output->value.data, output->grad.data, m_dz->data, rows, e.filters);
        dz = m_dz->data;
    }
    addBiasGrad(dz, rows, m_bias);
    m_conv.backward(e, inputs[0]->value.data, m_kernel->value.data(), dz, m_kernel->grad.data(), inputs[0]->grad.data);
}

GroupedConv1D::Extent SeparableConv1DOp::extent() const
{
    const std::vector<Index>& in = inputs[0]->value.shape;
    return {in[0], in[1], in[2], m_depthwiseKernel->shape[1] * m_depthwiseKernel->shape[2]};
}

void SeparableConv1DOp::forward(const ForwardContext&)
{
    const GroupedConv1D::Extent e = extent();
    const Index rows = output->value.rows();
    const Index filters = m_pointwiseKernel->shape[2];
    m_depthwise.forward(e, inputs[0]->value.data, m_depthwiseKernel->value.data(), m_d->data);
    multiply(
        {m_d->data, Stored::AsIs, m_pointwiseKernel->value.data(), Stored::AsIs, m_z->data, rows, filters, e.filters});
    addBias(m_z->data, rows, m_bias);
    activate(m_activation, m_z->data, output->value.data, rows, filters);
}

void SeparableConv1DOp::backward()
{
    const GroupedConv1D::Extent e = extent();
    const Index rows = output->value.rows();
    const Index filters = m_pointwiseKernel->shape[2];
    const float* dz = output->grad.data;
    if (m_dz) {
        activationBackward(m_activation, m_z->data, output->value.data, output->grad.data, m_dz->data, rows, filters);
        dz = m_dz->data;
    }
    addBiasGrad(dz, rows, m_bias);
    multiply({m_d->data, Stored::Transposed, dz, Stored::AsIs, m_pointwiseKernel->grad.data(), e.filters, filters, rows,
              true});
    multiply(
        {dz, Stored::AsIs, m_pointwiseKernel->value.data(), Stored::Transposed, m_dd->data, rows, e.filters, filters});
    m_depthwise.backward(e, inputs[0]->value.data, m_depthwiseKernel->value.data(), m_dd->data,
                         m_depthwiseKernel->grad.data(), inputs[0]->grad.data);
}

} // namespace sf
