#include "NormalizationOp.h"

#include <algorithm>
#include <cmath>

namespace sf {

NormalizationLayout normalizationLayout(const std::vector<Index>& sampleShape, const std::vector<int>& paramAxes,
                                        bool acrossBatch)
{
    NormalizationLayout layout;
    const auto rank = static_cast<int>(sampleShape.size());
    std::vector<bool> isParam(static_cast<std::size_t>(rank), false);
    for (int axis : paramAxes)
        isParam[static_cast<std::size_t>(axis)] = true;
    Index values = 1;
    for (int axis = 0; axis < rank; ++axis) {
        const Index size = sampleShape[static_cast<std::size_t>(axis)];
        values *= size;
        (isParam[static_cast<std::size_t>(axis)] ? layout.params : layout.groups) *= size;
    }
    layout.param.resize(static_cast<std::size_t>(values));
    layout.group.resize(static_cast<std::size_t>(values));
    std::vector<Index> at(static_cast<std::size_t>(rank), 0); // the multi-index of value q
    for (Index q = 0; q < values; ++q) {
        Index param = 0;
        Index other = 0;
        for (int axis = 0; axis < rank; ++axis) {
            const auto a = static_cast<std::size_t>(axis);
            Index& index = isParam[a] ? param : other;
            index = index * sampleShape[a] + at[a];
        }
        layout.param[static_cast<std::size_t>(q)] = param;
        layout.group[static_cast<std::size_t>(q)] = acrossBatch ? param : other;
        for (int axis = rank - 1; axis >= 0; --axis) { // the next multi-index, row-major
            const auto a = static_cast<std::size_t>(axis);
            if (++at[a] < sampleShape[a])
                break;
            at[a] = 0;
        }
    }
    if (acrossBatch)
        layout.groups = layout.params;
    layout.acrossBatch = acrossBatch;
    layout.lastAxis = rank == 0 ? 1 : sampleShape.back();
    return layout;
}

NormalizationOp::NormalizationOp(NormalizationLayout layout, Options options, Weights weights, Index maxBatch)
    : m_layout(std::move(layout)), m_options(options), m_weights(weights)
{
    const auto groups = static_cast<std::size_t>(m_layout.acrossBatch ? m_layout.groups : m_layout.groups * maxBatch);
    for (std::vector<double>* v : {&m_mean, &m_inv, &m_denom, &m_offset, &m_sumG, &m_sumGC})
        v->assign(groups, 0.0);
}

Index NormalizationOp::groupOf(Index sample, Index value) const
{
    const Index group = m_layout.group[static_cast<std::size_t>(value)];
    return m_layout.acrossBatch ? group : sample * m_layout.groups + group;
}

float NormalizationOp::weightOf(Index sample, Index value) const
{
    const float* mask = inputs[0]->mask;
    if (!m_options.maskedMoments || !mask)
        return 1.0f;
    const auto values = static_cast<Index>(m_layout.param.size());
    return mask[(sample * values + value) / m_layout.lastAxis];
}

void NormalizationOp::batchMoments(const TensorView& x, Index batch)
{
    const auto values = static_cast<Index>(m_layout.param.size());
    const std::size_t groups = m_layout.acrossBatch ? static_cast<std::size_t>(m_layout.groups)
                                                    : static_cast<std::size_t>(m_layout.groups * batch);
    std::fill_n(m_mean.begin(), groups, 0.0);
    std::fill_n(m_denom.begin(), groups, 0.0);
    std::fill_n(m_offset.begin(), groups, 0.0);
    std::fill_n(m_inv.begin(), groups, 0.0); // the sum of squares, until it becomes rsqrt below
    for (Index b = 0; b < batch; ++b) {
        const float* xs = x.data + b * x.sampleStride();
        for (Index q = 0; q < values; ++q) {
            const auto g = static_cast<std::size_t>(groupOf(b, q));
            const double w = weightOf(b, q);
            m_denom[g] += w;
            m_mean[g] += w * xs[q];
        }
    }
    // Keras 3's masked moments divide by the weight sum plus backend.epsilon(); unmasked, by the count.
    const double pad = m_options.maskedMoments && inputs[0]->mask ? 1e-7 : 0.0;
    for (std::size_t g = 0; g < groups; ++g) {
        m_denom[g] += pad;
        m_mean[g] = m_denom[g] > 0.0 ? m_mean[g] / m_denom[g] : 0.0;
    }
    for (Index b = 0; b < batch; ++b) {
        const float* xs = x.data + b * x.sampleStride();
        for (Index q = 0; q < values; ++q) {
            const auto g = static_cast<std::size_t>(groupOf(b, q));
            const double w = weightOf(b, q);
            const double c = xs[q] - m_mean[g];
            m_offset[g] += w * c;
            m_inv[g] += w * c * c;
        }
    }
    const bool moving = m_weights.movingMean != nullptr;
    const double momentum = m_options.momentum;
    for (std::size_t g = 0; g < groups; ++g) {
        // The biased variance (divided by the count, not the count less one), as Keras 3, tf.keras
        // and TensorFlow.js all fold into the moving variance.
        const double variance = m_denom[g] > 0.0 ? m_inv[g] / m_denom[g] : 0.0;
        m_inv[g] = 1.0 / std::sqrt(variance + static_cast<double>(m_options.epsilon));
        if (moving) { // BatchNormalization: group g is gamma entry g
            float& mean = m_weights.movingMean->value[g];
            float& var = m_weights.movingVariance->value[g];
            mean = static_cast<float>(mean * momentum + m_mean[g] * (1.0 - momentum));
            var = static_cast<float>(var * momentum + variance * (1.0 - momentum));
        }
    }
}

void NormalizationOp::forward(const ForwardContext& ctx)
{
    const TensorView& x = inputs[0]->value;
    const TensorView& y = output->value;
    const Index batch = y.samples();
    const auto values = static_cast<Index>(m_layout.param.size());
    const bool moving = m_weights.movingMean != nullptr;
    m_batchMoments = !moving || (ctx.training && m_options.trains);
    if (m_batchMoments) {
        batchMoments(x, batch); // updates the moving statistics only while training
    } else {
        for (Index g = 0; g < m_layout.groups; ++g) {
            const auto i = static_cast<std::size_t>(g);
            m_mean[i] = m_weights.movingMean->value[i];
            m_inv[i] = 1.0 / std::sqrt(static_cast<double>(m_weights.movingVariance->value[i]) +
                                       static_cast<double>(m_options.epsilon));
        }
    }
    const float* gamma = m_weights.gamma ? m_weights.gamma->value.data() : nullptr;
    const float* beta = m_weights.beta ? m_weights.beta->value.data() : nullptr;
    for (Index b = 0; b < batch; ++b) {
        const float* xs = x.data + b * x.sampleStride();
        float* ys = y.data + b * y.sampleStride();
        for (Index q = 0; q < values; ++q) {
            const auto g = static_cast<std::size_t>(groupOf(b, q));
            const auto p = static_cast<std::size_t>(m_layout.param[static_cast<std::size_t>(q)]);
            double v = (m_options.centered ? xs[q] - m_mean[g] : static_cast<double>(xs[q])) * m_inv[g];
            if (gamma)
                v *= gamma[p];
            if (beta)
                v += beta[p];
            ys[q] = static_cast<float>(v);
        }
    }
}

void NormalizationOp::backward()
{
    const TensorView& x = inputs[0]->value;
    const TensorView& dy = output->grad;
    const Index batch = dy.samples();
    const auto values = static_cast<Index>(m_layout.param.size());
    const float* gamma = m_weights.gamma ? m_weights.gamma->value.data() : nullptr;
    float* dGamma = m_weights.gamma ? m_weights.gamma->grad.data() : nullptr;
    float* dBeta = m_weights.beta ? m_weights.beta->grad.data() : nullptr;
    const auto centred = [&](const float* xs, Index q, std::size_t g) {
        return m_options.centered ? xs[q] - m_mean[g] : static_cast<double>(xs[q]);
    };
    for (Index b = 0; b < batch; ++b) {
        const float* xs = x.data + b * x.sampleStride();
        const float* gs = dy.data + b * dy.sampleStride();
        for (Index q = 0; q < values; ++q) {
            const auto g = static_cast<std::size_t>(groupOf(b, q));
            const auto p = static_cast<std::size_t>(m_layout.param[static_cast<std::size_t>(q)]);
            if (dGamma)
                dGamma[p] += static_cast<float>(gs[q] * centred(xs, q, g) * m_inv[g]);
            if (dBeta)
                dBeta[p] += gs[q];
        }
    }
    if (!inputs[0]->grad.data)
        return;
    const TensorView& dx = inputs[0]->grad;
    const auto scaled = [&](const float* gs, Index q) {
        return gamma ? static_cast<double>(gs[q]) * gamma[m_layout.param[static_cast<std::size_t>(q)]]
                     : static_cast<double>(gs[q]);
    };
    if (!m_batchMoments) { // fixed statistics: an affine map of each value
        for (Index b = 0; b < batch; ++b) {
            const float* gs = dy.data + b * dy.sampleStride();
            float* dxs = dx.data + b * dx.sampleStride();
            for (Index q = 0; q < values; ++q)
                dxs[q] += static_cast<float>(scaled(gs, q) * m_inv[static_cast<std::size_t>(groupOf(b, q))]);
        }
        return;
    }
    // Through the moments: with g = dL/dxhat, c = x - mean, w the value's weight and D the
    // weight sum, dL/dx = inv·g - (w/D)·[inv·Σg (centered only) + inv³·Σ(g·xhat/inv)·(c - Σ(w·c)/D)].
    const std::size_t groups = m_layout.acrossBatch ? static_cast<std::size_t>(m_layout.groups)
                                                    : static_cast<std::size_t>(m_layout.groups * batch);
    std::fill_n(m_sumG.begin(), groups, 0.0);
    std::fill_n(m_sumGC.begin(), groups, 0.0);
    for (Index b = 0; b < batch; ++b) {
        const float* xs = x.data + b * x.sampleStride();
        const float* gs = dy.data + b * dy.sampleStride();
        for (Index q = 0; q < values; ++q) {
            const auto g = static_cast<std::size_t>(groupOf(b, q));
            const double s = scaled(gs, q);
            m_sumG[g] += s;
            m_sumGC[g] += s * centred(xs, q, g);
        }
    }
    for (Index b = 0; b < batch; ++b) {
        const float* xs = x.data + b * x.sampleStride();
        const float* gs = dy.data + b * dy.sampleStride();
        float* dxs = dx.data + b * dx.sampleStride();
        for (Index q = 0; q < values; ++q) {
            const auto g = static_cast<std::size_t>(groupOf(b, q));
            const double inv = m_inv[g];
            const double d = m_denom[g];
            const double share = d > 0.0 ? weightOf(b, q) / d : 0.0;
            const double c = xs[q] - m_mean[g] - m_offset[g] / std::max(d, 1e-30);
            double through = inv * inv * inv * m_sumGC[g] * c;
            if (m_options.centered)
                through += inv * m_sumG[g];
            dxs[q] += static_cast<float>(scaled(gs, q) * inv - share * through);
        }
    }
}

} // namespace sf
