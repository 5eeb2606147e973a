#include "DenseAttentionOp.h"

#include "AttentionProducts.h"

#include <algorithm>
#include <cmath>

namespace sf {

DenseAttentionOp::Dims DenseAttentionOp::dims() const
{
    const std::vector<Index>& q = inputs[0]->value.shape;
    const std::vector<Index>& v = inputs[1]->value.shape;
    return {output->value.shape[0], q[1], v[1], q[2], v[2]};
}

attention::Rows DenseAttentionOp::value(const Dims& d, Index s) const
{
    return {inputs[1]->value.data + s * inputs[1]->value.sampleStride(), d.tv, d.valueDim, d.valueDim};
}

void DenseAttentionOp::rawScores(const Dims& d, Index s, float* scores) const
{
    const float* q = inputs[0]->value.data + s * inputs[0]->value.sampleStride();
    const float* k = key().value.data + s * key().value.sampleStride();
    if (m_score == AttentionScore::Dot) {
        attention::pairProducts({q, d.tq, d.dim, d.dim}, {k, d.tv, d.dim, d.dim}, scores);
        if (m_b.scale)
            std::transform(scores, scores + d.tq * d.tv, scores, [f = scaleValue()](float x) { return x * f; });
        return;
    }
    const bool concat = m_score == AttentionScore::Concat;
    const float inner = concat ? scaleValue() : 1.0f; // concat scales inside the tanh
    for (Index i = 0; i < d.tq; ++i)
        for (Index j = 0; j < d.tv; ++j) {
            float sum = 0.0f;
            for (Index c = 0; c < d.dim; ++c) {
                const float t = std::tanh(inner * (q[i * d.dim + c] + k[j * d.dim + c]));
                sum += concat || !m_b.scale ? t : m_b.scale->value[static_cast<std::size_t>(c)] * t;
            }
            scores[i * d.tv + j] = concat ? m_b.concatWeight->value[0] * sum : sum;
        }
}

void DenseAttentionOp::forward(const ForwardContext& ctx)
{
    const Dims d = dims();
    const float* valueMask = inputs[1]->mask;
    const float* queryMask = inputs[0]->mask;
    m_trained = ctx.training && m_dropout > 0.0f && m_b.dropped;
    const Index area = d.tq * d.tv;
    for (Index s = 0; s < d.batch; ++s) {
        float* w = m_b.weights->data + s * area;
        rawScores(d, s, w);
        for (Index i = 0; i < d.tq; ++i) {
            float* row = w + i * d.tv;
            if (valueMask || m_causal)
                for (Index j = 0; j < d.tv; ++j)
                    if ((valueMask && valueMask[s * d.tv + j] == 0.0f) || (m_causal && j > i))
                        row[j] -= kMaskedScoreDrop;
            const float top = *std::max_element(row, row + d.tv);
            double sum = 0.0;
            for (Index j = 0; j < d.tv; ++j)
                sum += row[j] = std::exp(row[j] - top);
            for (Index j = 0; j < d.tv; ++j)
                row[j] = static_cast<float>(row[j] / sum);
        }
        const float* used = w;
        if (m_trained) {
            attention::drop(w, area, m_dropout, *ctx.rng, m_b.keep->data + s * area, m_b.dropped->data + s * area);
            used = m_b.dropped->data + s * area;
        }
        if (m_b.scores)
            std::copy_n(used, area, moreOutputs[0]->value.data + s * area);
        float* y = output->value.data + s * d.tq * d.valueDim;
        attention::weigh(used, d.tq, value(d, s), y, d.valueDim);
        if (queryMask)
            for (Index i = 0; i < d.tq; ++i)
                if (queryMask[s * d.tq + i] == 0.0f)
                    std::fill(y + i * d.valueDim, y + (i + 1) * d.valueDim, 0.0f);
    }
}

void DenseAttentionOp::backward()
{
    const Dims d = dims();
    const float* queryMask = inputs[0]->mask;
    const Index area = d.tq * d.tv;
    m_work.resize(static_cast<std::size_t>(d.tq * d.valueDim + area));
    float* dy = m_work.data();          // the output's gradient, 0 at the query steps the mask leaves out
    float* dw = dy + d.tq * d.valueDim; // the weights' gradient, then the scores'
    for (Index s = 0; s < d.batch; ++s) {
        const float* g = output->grad.data + s * d.tq * d.valueDim;
        std::copy(g, g + d.tq * d.valueDim, dy);
        if (queryMask)
            for (Index i = 0; i < d.tq; ++i)
                if (queryMask[s * d.tq + i] == 0.0f)
                    std::fill(dy + i * d.valueDim, dy + (i + 1) * d.valueDim, 0.0f);
        const float* w = m_b.weights->data + s * area;
        const float* used = m_trained ? m_b.dropped->data + s * area : w;
        float* dv = inputs[1]->grad.data ? inputs[1]->grad.data + s * inputs[1]->grad.sampleStride() : nullptr;
        attention::weighBackward(used, value(d, s), {dy, d.tq, d.valueDim, d.valueDim}, dw, dv);
        if (m_b.scores && moreOutputs[0]->grad.data) // what reached the scores output
            for (Index a = 0; a < area; ++a)
                dw[a] += moreOutputs[0]->grad.data[s * area + a];
        if (m_trained)
            attention::dropBackward(m_b.keep->data + s * area, area, dw);
        // Through the softmax (the mask's constant drop passes the gradient on unchanged).
        attention::softmaxBackward(w, dw, d.tq, d.tv, 1.0f, [](Index, Index) { return true; });
        scoresBackward(d, s, dw);
    }
}

void DenseAttentionOp::scoresBackward(const Dims& d, Index s, const float* dScores)
{
    const float* q = inputs[0]->value.data + s * inputs[0]->value.sampleStride();
    const float* k = key().value.data + s * key().value.sampleStride();
    float* dq = inputs[0]->grad.data ? inputs[0]->grad.data + s * inputs[0]->grad.sampleStride() : nullptr;
    float* dk = key().grad.data ? key().grad.data + s * key().grad.sampleStride() : nullptr;
    const Index area = d.tq * d.tv;
    if (m_score == AttentionScore::Dot) {
        const float f = scaleValue();
        std::vector<float> scaled(dScores, dScores + area);
        if (m_b.scale) {
            // d scale = sum of dScores * (q . k), the products recomputed.
            std::vector<float> products(static_cast<std::size_t>(area));
            attention::pairProducts({q, d.tq, d.dim, d.dim}, {k, d.tv, d.dim, d.dim}, products.data());
            double sum = 0.0;
            for (Index a = 0; a < area; ++a) {
                sum += static_cast<double>(dScores[a]) * products[static_cast<std::size_t>(a)];
                scaled[static_cast<std::size_t>(a)] *= f;
            }
            m_b.scale->grad[0] += static_cast<float>(sum);
        }
        attention::pairProductsBackward(scaled.data(), {q, d.tq, d.dim, d.dim}, {k, d.tv, d.dim, d.dim}, dq, dk);
        return;
    }
    const bool concat = m_score == AttentionScore::Concat;
    const float inner = concat ? scaleValue() : 1.0f;
    const float outer = concat ? m_b.concatWeight->value[0] : 1.0f;
    double dInner = 0.0;
    double dOuter = 0.0;
    for (Index i = 0; i < d.tq; ++i)
        for (Index j = 0; j < d.tv; ++j) {
            const float g = dScores[i * d.tv + j];
            double tanhSum = 0.0;
            for (Index c = 0; c < d.dim; ++c) {
                const float x = q[i * d.dim + c] + k[j * d.dim + c];
                const float t = std::tanh(inner * x);
                float slope = g * outer; // d score / d t
                if (!concat && m_b.scale) {
                    m_b.scale->grad[static_cast<std::size_t>(c)] += g * t;
                    slope = g * m_b.scale->value[static_cast<std::size_t>(c)];
                }
                tanhSum += t;
                const float dPre = slope * (1.0f - t * t);
                dInner += static_cast<double>(dPre) * x;
                if (dq)
                    dq[i * d.dim + c] += dPre * inner;
                if (dk)
                    dk[j * d.dim + c] += dPre * inner;
            }
            dOuter += g * tanhSum;
        }
    if (concat) {
        m_b.concatWeight->grad[0] += static_cast<float>(dOuter);
        if (m_b.scale)
            m_b.scale->grad[0] += static_cast<float>(dInner);
    }
}

} // namespace sf
