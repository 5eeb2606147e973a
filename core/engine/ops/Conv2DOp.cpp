#include "Conv2DOp.h"

#include "engine/MatrixProduct.h"
#include "engine/Parallel.h"

#include <algorithm>
#include <array>
#include <vector>

namespace sf {

namespace {

/// (batch, a, b, c) to (batch, b, c, a) when `toLast` (channels_first to channels_last, a the
/// channels), else (batch, b, c, a) to (batch, a, b, c); `add` adds into `to` instead.
void moveChannels(const float* from, float* to, Index batch, Index channels, Index pixels, bool toLast, bool add)
{
    for (Index s = 0; s < batch; ++s) {
        const float* f = from + s * channels * pixels;
        float* t = to + s * channels * pixels;
        for (Index c = 0; c < channels; ++c)
            for (Index p = 0; p < pixels; ++p) {
                const Index first = c * pixels + p; // channels_first index
                const Index last = p * channels + c;
                float& target = toLast ? t[last] : t[first];
                const float value = toLast ? f[first] : f[last];
                target = add ? target + value : value;
            }
    }
}

} // namespace

namespace {

/// The unfolded columns of samples [first, first + count) for one group, slot by slot in their
/// order (a slot: the channels / groups floats of one window position): `visit` gets the offset in
/// the input of the pixel a slot holds, or -1 where the window lies in the padding.
template <typename Visit>
void forEachWindowSlot(const Conv2DGeometry& g, const GroupedConv2D::Frame& frame, Index groups,
                       const GroupedConv2D::Extent& e, Index first, Index count, Index group, Visit visit)
{
    const Index cg = e.channels / groups;
    for (Index b = first; b < first + count; ++b) {
        const Index sample = b * e.height * e.width * e.channels + group * cg;
        for (Index i = 0; i < frame.rows; ++i)
            for (Index j = 0; j < frame.cols; ++j)
                for (Index p = 0; p < g.rows.kernel; ++p) {
                    const Index r = i * g.rows.strides + p * g.rows.dilation - frame.top;
                    for (Index q = 0; q < g.cols.kernel; ++q) {
                        const Index c = j * g.cols.strides + q * g.cols.dilation - frame.left;
                        const bool inside = r >= 0 && r < e.height && c >= 0 && c < e.width;
                        visit(inside ? sample + (r * e.width + c) * e.channels : Index{-1});
                    }
                }
    }
}

} // namespace

Index GroupedConv2D::columnsPerSample(const Extent& e) const
{
    return m_frame.rows * m_frame.cols * m_geometry.rows.kernel * m_geometry.cols.kernel * (e.channels / m_groups);
}

void GroupedConv2D::unfold(const Extent& e, const float* x, Index first, Index count, Index group) const
{
    const Index cg = e.channels / m_groups;
    const Index perSample = columnsPerSample(e);
    // Each sample on one core: its columns are rows of their own.
#pragma omp parallel for schedule(static) if (count * perSample > kParallelWork)
    for (Index b = first; b < first + count; ++b) {
        float* col = m_columns->data + (b - first) * perSample;
        forEachWindowSlot(m_geometry, m_frame, m_groups, e, b, 1, group, [&](Index at) {
            if (cg == 1) // one channel a slot (a grey image): a copy call per float would cost more than the float
                *col = at < 0 ? 0.0f : x[at];
            else if (at < 0)
                std::fill_n(col, cg, 0.0f);
            else
                std::copy_n(x + at, cg, col);
            col += cg;
        });
    }
}

void GroupedConv2D::fold(const Extent& e, float* dx, Index first, Index count, Index group) const
{
    const Index cg = e.channels / m_groups;
    const Index perSample = columnsPerSample(e);
    // Each sample on one core: its window slots add only into its own pixels.
#pragma omp parallel for schedule(static) if (count * perSample > kParallelWork)
    for (Index b = first; b < first + count; ++b) {
        const float* col = m_columnsGrad->data + (b - first) * perSample;
        forEachWindowSlot(m_geometry, m_frame, m_groups, e, b, 1, group, [&](Index at) {
            if (at >= 0)
                for (Index k = 0; k < cg; ++k)
                    dx[at + k] += col[k];
            col += cg;
        });
    }
}

void GroupedConv2D::depthwiseUnitStrides(const Extent& e, const float* x, const float* kernel, float* out,
                                         const float* dOut, float* dKernel, float* dx) const
{
    const Conv1DGeometry& gr = m_geometry.rows;
    const Conv1DGeometry& gc = m_geometry.cols;
    const Index outRows = m_frame.rows;
    const Index outCols = m_frame.cols;
    const Index channels = e.channels;
    const Index taps = gr.kernel * gc.kernel;
    const Index run = outCols * channels; // one output row
    // Each tap's weights repeated along an output row: tiled[tap][j * channels + c] = kernel[tap][c].
    float* tiled = m_columns->data;
    for (Index tap = 0; tap < taps; ++tap)
        for (Index j = 0; j < outCols; ++j)
            std::copy_n(kernel + tap * channels, channels, tiled + tap * run + j * channels);
    // A tap (p, q) reads input row i + p * dilation - top for output row i, and for output columns
    // [from, to) the input pixels from column shift + from on, one run of (to - from) pixels.
    struct Reach {
        Index from, to, shift;
    };
    const auto reachOf = [&](Index q) {
        const Index shift = q * gc.dilation - m_frame.left;
        return Reach{std::clamp<Index>(-shift, 0, outCols), std::clamp<Index>(e.width - shift, 0, outCols), shift};
    };
    const auto inputRow = [&](Index b, Index i, Index p) {
        const Index r = i + p * gr.dilation - m_frame.top;
        return r >= 0 && r < e.height ? (b * e.height + r) * e.width * channels : Index{-1};
    };
    const Index work = e.batch * outRows * run * taps;
    if (!dOut || dx) {
#pragma omp parallel for schedule(static) if (work > kParallelWork)
        for (Index b = 0; b < e.batch; ++b) {
            if (!dOut)
                std::fill_n(out + b * outRows * run, outRows * run, 0.0f);
            for (Index p = 0; p < gr.kernel; ++p)
                for (Index q = 0; q < gc.kernel; ++q) {
                    const Reach reach = reachOf(q);
                    const float* w = tiled + (p * gc.kernel + q) * run;
                    for (Index i = 0; i < outRows; ++i) {
                        const Index row = inputRow(b, i, p);
                        if (row < 0)
                            continue;
                        // Output column j reads the input pixel at column j + shift.
                        const Index o = (b * outRows + i) * run + reach.from * channels;
                        const Index at = row + (reach.from + reach.shift) * channels;
                        const Index n = (reach.to - reach.from) * channels;
                        const float* __restrict wj = w + reach.from * channels;
                        if (!dOut) {
                            float* __restrict y = out + o;
                            const float* __restrict xs = x + at;
                            for (Index k = 0; k < n; ++k)
                                y[k] += xs[k] * wj[k];
                        } else {
                            float* __restrict d = dx + at;
                            const float* __restrict dy = dOut + o;
                            for (Index k = 0; k < n; ++k)
                                d[k] += dy[k] * wj[k];
                        }
                    }
                }
        }
    }
    if (!dOut)
        return;
#pragma omp parallel for schedule(static) if (work > kParallelWork)
    for (Index tap = 0; tap < taps; ++tap) {
        const Index p = tap / gc.kernel;
        const Reach reach = reachOf(tap % gc.kernel);
        float* acc = m_columnsGrad->data + tap * run; // by output column and channel
        std::fill_n(acc, run, 0.0f);
        for (Index b = 0; b < e.batch; ++b)
            for (Index i = 0; i < outRows; ++i) {
                const Index row = inputRow(b, i, p);
                if (row < 0)
                    continue;
                const float* __restrict xs = x + row + (reach.from + reach.shift) * channels;
                const float* __restrict dy = dOut + (b * outRows + i) * run + reach.from * channels;
                float* __restrict a = acc + reach.from * channels;
                for (Index k = 0; k < (reach.to - reach.from) * channels; ++k)
                    a[k] += xs[k] * dy[k];
            }
        float* dw = dKernel + tap * channels;
        for (Index j = 0; j < outCols; ++j)
            for (Index c = 0; c < channels; ++c)
                dw[c] += acc[j * channels + c];
    }
}

void GroupedConv2D::depthwise(const Extent& e, const float* x, const float* kernel, float* out, const float* dOut,
                              float* dKernel, float* dx) const
{
    const Conv1DGeometry& gr = m_geometry.rows;
    const Conv1DGeometry& gc = m_geometry.cols;
    if (m_columns) { // one filter per channel, strides 1: make() planned its working memory
        depthwiseUnitStrides(e, x, kernel, out, dOut, dKernel, dx);
        return;
    }
    const Index outRows = m_frame.rows;
    const Index outCols = m_frame.cols;
    const Index top = m_frame.top;
    const Index left = m_frame.left;
    const Index depth = e.filters / e.channels; // filters per channel: filter c * depth + m reads channel c
    // Each core takes a band of the channels over every sample: a channel's filters, kernel taps
    // and input pixels are its own, so nothing is shared and every sum is taken in the same order
    // whatever the number of cores.
#pragma omp parallel if (e.batch * outRows * outCols * e.filters * gr.kernel * gc.kernel > kParallelWork &&            \
                         e.channels > 1)
    {
        const auto [c0, c1] = coreBand(e.channels);
        for (Index b = 0; b < e.batch; ++b)
            for (Index i = 0; i < outRows; ++i)
                for (Index j = 0; j < outCols; ++j) {
                    const Index o = ((b * outRows + i) * outCols + j) * e.filters;
                    if (!dOut)
                        std::fill(out + o + c0 * depth, out + o + c1 * depth, 0.0f);
                    for (Index p = 0; p < gr.kernel; ++p) {
                        const Index r = i * gr.strides + p * gr.dilation - top;
                        if (r < 0 || r >= e.height)
                            continue;
                        for (Index q = 0; q < gc.kernel; ++q) {
                            const Index s = j * gc.strides + q * gc.dilation - left;
                            if (s < 0 || s >= e.width)
                                continue;
                            const Index at = ((b * e.height + r) * e.width + s) * e.channels;
                            const Index tap = (p * gc.kernel + q) * e.filters;
                            const float* xs = x + at;
                            const float* w = kernel + tap;
                            if (!dOut) {
                                float* y = out + o;
                                if (depth == 1)
                                    for (Index c = c0; c < c1; ++c)
                                        y[c] += xs[c] * w[c];
                                else
                                    for (Index c = c0; c < c1; ++c)
                                        for (Index m = 0; m < depth; ++m)
                                            y[c * depth + m] += xs[c] * w[c * depth + m];
                                continue;
                            }
                            const float* dy = dOut + o;
                            float* dw = dKernel + tap;
                            if (depth == 1) {
                                for (Index c = c0; c < c1; ++c)
                                    dw[c] += xs[c] * dy[c];
                                if (dx)
                                    for (Index c = c0; c < c1; ++c)
                                        dx[at + c] += dy[c] * w[c];
                                continue;
                            }
                            for (Index c = c0; c < c1; ++c) {
                                float sum = 0.0f;
                                for (Index m = 0; m < depth; ++m) {
                                    dw[c * depth + m] += xs[c] * dy[c * depth + m];
                                    sum += dy[c * depth + m] * w[c * depth + m];
                                }
                                if (dx)
                                    dx[at + c] += sum;
                            }
                        }
                    }
                }
    }
}

void GroupedConv2D::forward(const Extent& e, const float* x, const float* kernel, float* out)
{
    const Index windows = m_frame.rows * m_frame.cols;
    if (m_method == Method::Depthwise) {
        depthwise(e, x, kernel, out, nullptr, nullptr, nullptr);
        return;
    }
    if (m_method == Method::AsIs) { // 1×1, strides 1, one group: the input is its own unfolding
        multiply({x, Stored::AsIs, kernel, Stored::AsIs, out, e.batch * windows, e.filters, e.channels});
        return;
    }
    const Index cg = e.channels / m_groups;
    const Index fg = e.filters / m_groups;
    const Index width = m_geometry.rows.kernel * m_geometry.cols.kernel * cg;
    for (Index first = 0; first < e.batch; first += m_chunk) {
        const Index count = std::min(m_chunk, e.batch - first);
        for (Index g = 0; g < m_groups; ++g) {
            unfold(e, x, first, count, g);
            multiply({m_columns->data, Stored::AsIs, kernel + g * fg, Stored::AsIs,
                      out + first * windows * e.filters + g * fg, count * windows, fg, width, false, 0, e.filters,
                      e.filters});
        }
    }
}

void GroupedConv2D::backward(const Extent& e, const float* x, const float* kernel, const float* dOut, float* dKernel,
                             float* dx)
{
    const Index windows = m_frame.rows * m_frame.cols;
    if (m_method == Method::Depthwise) {
        depthwise(e, x, kernel, nullptr, dOut, dKernel, dx);
        return;
    }
    if (m_method == Method::AsIs) {
        const Index rows = e.batch * windows;
        if (!dx) {
            multiply({x, Stored::Transposed, dOut, Stored::AsIs, dKernel, e.channels, e.filters, rows, true});
            return;
        }
        multiplySideBySide(
            std::array{Product{x, Stored::Transposed, dOut, Stored::AsIs, dKernel, e.channels, e.filters, rows, true},
                       Product{dOut, Stored::AsIs, kernel, Stored::Transposed, dx, rows, e.channels, e.filters, true}});
        return;
    }
    const Index cg = e.channels / m_groups;
    const Index fg = e.filters / m_groups;
    const Index width = m_geometry.rows.kernel * m_geometry.cols.kernel * cg;
    for (Index first = 0; first < e.batch; first += m_chunk) {
        const Index count = std::min(m_chunk, e.batch - first);
        const Index rows = count * windows;
        for (Index g = 0; g < m_groups; ++g) {
            unfold(e, x, first, count, g);
            const float* grad = dOut + first * windows * e.filters + g * fg;
            const Product kernelGrad{
                m_columns->data, Stored::Transposed, grad, Stored::AsIs, dKernel + g * fg, width, fg, rows, true, 0,
                e.filters,       e.filters};
            if (!dx) {
                multiply(kernelGrad);
                continue;
            }
            multiplySideBySide(
                std::array{kernelGrad, Product{grad, Stored::AsIs, kernel + g * fg, Stored::Transposed,
                                               m_columnsGrad->data, rows, width, fg, false, e.filters, e.filters, 0}});
            fold(e, dx, first, count, g);
        }
    }
}

void GroupedConv2D::transposedForward(const Extent& e, const float* x, const float* kernel, float* out)
{
    const Index windows = m_frame.rows * m_frame.cols;
    const Index width = m_geometry.rows.kernel * m_geometry.cols.kernel * e.channels;
    std::fill_n(out, e.batch * e.height * e.width * e.channels, 0.0f);
    for (Index first = 0; first < e.batch; first += m_chunk) {
        const Index count = std::min(m_chunk, e.batch - first);
        multiply({x + first * windows * e.filters, Stored::AsIs, kernel, Stored::Transposed, m_columnsGrad->data,
                  count * windows, width, e.filters});
        fold(e, out, first, count, 0);
    }
}

void GroupedConv2D::transposedBackward(const Extent& e, const float* x, const float* kernel, const float* dOut,
                                       float* dKernel, float* dx)
{
    const Index windows = m_frame.rows * m_frame.cols;
    const Index width = m_geometry.rows.kernel * m_geometry.cols.kernel * e.channels;
    for (Index first = 0; first < e.batch; first += m_chunk) {
        const Index count = std::min(m_chunk, e.batch - first);
        const Index rows = count * windows;
        unfold(e, dOut, first, count, 0);
        const float* xs = x + first * windows * e.filters;
        const Product kernelGrad{m_columns->data, Stored::Transposed, xs,   Stored::AsIs, dKernel,
                                 width,           e.filters,          rows, true};
        if (!dx) {
            multiply(kernelGrad);
            continue;
        }
        multiplySideBySide(
            std::array{kernelGrad, Product{m_columns->data, Stored::AsIs, kernel, Stored::AsIs,
                                           dx + first * windows * e.filters, rows, e.filters, width, true}});
    }
}

GroupedConv2D::Extent Conv2DOp::extent() const
{
    GroupedConv2D::Extent e = m_extent;
    e.batch = inputs[0]->value.shape[0];
    return e;
}

void Conv2DOp::convolve(const GroupedConv2D::Extent& e, const float* x, float* y)
{
    if (m_transposed)
        m_conv.transposedForward(e, x, m_kernel->value.data(), y);
    else
        m_conv.forward(e, x, m_kernel->value.data(), y);
}

void Conv2DOp::convolveBackward(const GroupedConv2D::Extent& e, const float* x, const float* dy, float* dx)
{
    if (m_transposed)
        m_conv.transposedBackward(e, x, m_kernel->value.data(), dy, m_kernel->grad.data(), dx);
    else
        m_conv.backward(e, x, m_kernel->value.data(), dy, m_kernel->grad.data(), dx);
}

void Conv2DOp::forward(const ForwardContext&)
{
    const GroupedConv2D::Extent e = extent();
    const Sizes& n = m_sizes;
    const Index pixels = n.outRows * n.outCols;
    const float* x = channelsFirst() ? m_cf.input->data : inputs[0]->value.data;
    float* y = channelsFirst() ? m_cf.output->data : m_z->data; // channels_last, before the bias
    if (channelsFirst())
        moveChannels(inputs[0]->value.data, m_cf.input->data, e.batch, n.inChannels, n.inPixels, true, false);
    if (m_p.kernel) {
        convolve(e, x, m_p.inner->data);
        multiply({m_p.inner->data, Stored::AsIs, m_p.kernel->value.data(), Stored::AsIs, y, e.batch * pixels, n.filters,
                  e.filters});
    } else {
        convolve(e, x, y);
    }
    if (!channelsFirst()) {
        const Index rows = e.batch * pixels;
        if (m_bias)
            MatrixMap(m_z->data, rows, n.filters).rowwise() +=
                Eigen::Map<const Eigen::RowVectorXf>(m_bias->value.data(), n.filters);
        activate(m_activation, m_z->data, output->value.data, rows, n.filters);
        return;
    }
    moveChannels(m_cf.output->data, m_z->data, e.batch, n.filters, pixels, false, false);
    if (m_bias)
        for (Index b = 0; b < e.batch; ++b)
            for (Index f = 0; f < n.filters; ++f) {
                float* plane = m_z->data + (b * n.filters + f) * pixels;
                const float v = m_bias->value[static_cast<std::size_t>(f)];
                for (Index p = 0; p < pixels; ++p)
                    plane[p] += v;
            }
    // Keras applies the activation as it is given the tensor: over the last axis, the columns.
    activate(m_activation, m_z->data, output->value.data, e.batch * n.filters * n.outRows, n.outCols);
}

void Conv2DOp::backward()
{
    const GroupedConv2D::Extent e = extent();
    const Sizes& n = m_sizes;
    const Index pixels = n.outRows * n.outCols;
    const Index cols = channelsFirst() ? n.outCols : n.filters;
    const Index rows = e.batch * pixels * n.filters / cols;
    const float* dz = output->grad.data;
    if (m_dz) {
        activationBackward(m_activation, m_z->data, output->value.data, output->grad.data, m_dz->data, rows, cols);
        dz = m_dz->data;
    }
    float* dx = inputs[0]->grad.data;
    const float* x = inputs[0]->value.data;
    if (m_bias) {
        if (!channelsFirst())
            addColumnSums(dz, e.batch * pixels, n.filters, m_bias->grad.data());
        else
            for (Index b = 0; b < e.batch; ++b)
                for (Index f = 0; f < n.filters; ++f) {
                    const float* plane = dz + (b * n.filters + f) * pixels;
                    float sum = 0.0f;
                    for (Index p = 0; p < pixels; ++p)
                        sum += plane[p];
                    m_bias->grad[static_cast<std::size_t>(f)] += sum;
                }
    }
    if (channelsFirst()) {
        moveChannels(dz, m_cf.outputGrad->data, e.batch, n.filters, pixels, true, false);
        dz = m_cf.outputGrad->data;
        x = m_cf.input->data;
        if (dx)
            std::fill_n(m_cf.inputGrad->data, e.batch * n.inPixels * n.inChannels, 0.0f);
    }
    float* dxLast = channelsFirst() && dx ? m_cf.inputGrad->data : dx;
    if (m_p.kernel) {
        const Index m = e.batch * pixels;
        multiplySideBySide(std::array{Product{m_p.inner->data, Stored::Transposed, dz, Stored::AsIs,
                                              m_p.kernel->grad.data(), e.filters, n.filters, m, true},
                                      Product{dz, Stored::AsIs, m_p.kernel->value.data(), Stored::Transposed,
                                              m_p.innerGrad->data, m, e.filters, n.filters}});
        dz = m_p.innerGrad->data;
    }
    convolveBackward(e, x, dz, dxLast);
    if (channelsFirst() && dx)
        moveChannels(m_cf.inputGrad->data, dx, e.batch, n.inChannels, n.inPixels, false, true);
}

} // namespace sf
