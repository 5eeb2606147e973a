#include "MultiHeadAttentionOp.h"

#include "AttentionProducts.h"
#include "engine/MatrixProduct.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace sf {

namespace {

struct SampleOf {
    const NodeBuffers& in;
    Index s;
    const float* value() const { return in.value.data + s * in.value.sampleStride(); }
    float* grad() const { return in.grad.data ? in.grad.data + s * in.grad.sampleStride() : nullptr; }
};

/// y (rows, out) = x (rows, in) @ kernel (in, out) + bias.
void project(const float* x, Index rows, Index in, const Parameter* kernel, const Parameter* bias, float* y, Index out)
{
    multiply({.a = x, .b = kernel->value.data(), .c = y, .m = rows, .n = out, .k = in});
    if (bias)
        for (Index r = 0; r < rows; ++r)
            for (Index c = 0; c < out; ++c)
                y[r * out + c] += bias->value[static_cast<std::size_t>(c)];
}

/// From dy (rows, out): kernel and bias gradients added, and dx (rows, in) added when wanted.
void projectBackward(const float* x, const float* dy, Index rows, Index in, Index out, Parameter* kernel,
                     Parameter* bias, float* dx)
{
    multiply({.a = x,
              .aStored = Stored::Transposed,
              .b = dy,
              .c = kernel->grad.data(),
              .m = in,
              .n = out,
              .k = rows,
              .accumulate = true});
    if (bias)
        for (Index r = 0; r < rows; ++r)
            for (Index c = 0; c < out; ++c)
                bias->grad[static_cast<std::size_t>(c)] += dy[r * out + c];
    if (dx)
        multiply({.a = dy,
                  .b = kernel->value.data(),
                  .bStored = Stored::Transposed,
                  .c = dx,
                  .m = rows,
                  .n = in,
                  .k = out,
                  .accumulate = true});
}

} // namespace

MultiHeadAttentionOp::MultiHeadAttentionOp(Sizes sizes, float dropout, std::vector<Parameter*> weights, Buffers buffers)
    : m_sizes(sizes), m_dropout(dropout), m_b(buffers)
{
    const bool biased = weights.size() == 8;
    std::size_t w = 0;
    for (Projection* p : {&m_query, &m_key, &m_value, &m_output}) {
        p->kernel = weights[w++];
        p->bias = biased ? weights[w++] : nullptr;
    }
}

bool MultiHeadAttentionOp::attends(Index s, Index i, Index j, Index tq, Index tk) const
{
    const float* queryMask = inputs[0]->mask;
    const float* valueMask = inputs[1]->mask;
    const float* keyMask = inputs.size() > 2 && inputs[2] != inputs[1] ? inputs[2]->mask : nullptr;
    return (!queryMask || queryMask[s * tq + i] != 0.0f) && (!valueMask || valueMask[s * tk + j] != 0.0f) &&
           (!keyMask || keyMask[s * tk + j] != 0.0f);
}

MultiHeadAttentionOp::Extent MultiHeadAttentionOp::extent() const
{
    const Index tq = inputs[0]->value.shape[1];
    const Index tk = keyInput().value.shape[1];
    return {output->value.shape[0],
            tq,
            tk,
            m_sizes.heads * m_sizes.keyDim,
            m_sizes.heads * m_sizes.valueDim,
            m_sizes.outputDim,
            tq * tk,
            1.0f / std::sqrt(static_cast<float>(m_sizes.keyDim))};
}

void MultiHeadAttentionOp::forward(const ForwardContext& ctx)
{
    const auto [batch, tq, tk, nk, nv, out, area, inverseRoot] = extent();
    m_trained = ctx.training && m_dropout > 0.0f && m_b.dropped;
    for (Index s = 0; s < batch; ++s) {
        float* q = m_b.query->data + s * tq * nk;
        float* k = m_b.key->data + s * tk * nk;
        float* v = m_b.value->data + s * tk * nv;
        float* o = m_b.heads->data + s * tq * nv;
        project(SampleOf{*inputs[0], s}.value(), tq, inputs[0]->value.shape[2], m_query.kernel, m_query.bias, q, nk);
        project(SampleOf{keyInput(), s}.value(), tk, keyInput().value.shape[2], m_key.kernel, m_key.bias, k, nk);
        project(SampleOf{*inputs[1], s}.value(), tk, inputs[1]->value.shape[2], m_value.kernel, m_value.bias, v, nv);
        for (Index h = 0; h < m_sizes.heads; ++h) {
            float* w = m_b.weights->data + (s * m_sizes.heads + h) * area;
            attention::pairProducts({q + h * m_sizes.keyDim, tq, m_sizes.keyDim, nk},
                                    {k + h * m_sizes.keyDim, tk, m_sizes.keyDim, nk}, w);
            for (Index i = 0; i < tq; ++i) {
                float* row = w + i * tk;
                float top = -INFINITY;
                for (Index j = 0; j < tk; ++j)
                    if (attends(s, i, j, tq, tk))
                        top = std::max(top, row[j] * inverseRoot);
                if (top == -INFINITY) { // nothing to attend to
                    std::fill(row, row + tk, m_dropout > 0.0f ? 0.0f : 1.0f / static_cast<float>(tk));
                    continue;
                }
                double sum = 0.0;
                for (Index j = 0; j < tk; ++j)
                    sum += row[j] = attends(s, i, j, tq, tk) ? std::exp(row[j] * inverseRoot - top) : 0.0f;
                for (Index j = 0; j < tk; ++j)
                    row[j] = static_cast<float>(row[j] / sum);
            }
            const float* used = w;
            if (m_trained) {
                float* dropped = m_b.dropped->data + (s * m_sizes.heads + h) * area;
                attention::drop(w, area, m_dropout, *ctx.rng, m_b.keep->data + (s * m_sizes.heads + h) * area, dropped);
                used = dropped;
            }
            attention::weigh(used, tq, {v + h * m_sizes.valueDim, tk, m_sizes.valueDim, nv}, o + h * m_sizes.valueDim,
                             nv);
        }
        project(o, tq, nv, m_output.kernel, m_output.bias, output->value.data + s * tq * out, out);
    }
}

void MultiHeadAttentionOp::backward()
{
    const auto [batch, tq, tk, nk, nv, out, area, inverseRoot] = extent();
    m_work.resize(static_cast<std::size_t>(tq * nv + tq * nk + tk * nk + tk * nv + area));
    float* dHeads = m_work.data();
    float* dq = dHeads + tq * nv;
    float* dk = dq + tq * nk;
    float* dv = dk + tk * nk;
    float* dw = dv + tk * nv;
    for (Index s = 0; s < batch; ++s) {
        const float* q = m_b.query->data + s * tq * nk;
        const float* k = m_b.key->data + s * tk * nk;
        const float* v = m_b.value->data + s * tk * nv;
        const float* o = m_b.heads->data + s * tq * nv;
        std::fill(m_work.begin(), m_work.end() - area, 0.0f);
        projectBackward(o, output->grad.data + s * tq * out, tq, nv, out, m_output.kernel, m_output.bias, dHeads);
        m_live.assign(static_cast<std::size_t>(tq), 0); // the query steps with a key step to attend to
        for (Index i = 0; i < tq; ++i)
            for (Index j = 0; j < tk && !m_live[static_cast<std::size_t>(i)]; ++j)
                m_live[static_cast<std::size_t>(i)] = attends(s, i, j, tq, tk);
        for (Index h = 0; h < m_sizes.heads; ++h) {
            const float* w = m_b.weights->data + (s * m_sizes.heads + h) * area;
            const float* used = m_trained ? m_b.dropped->data + (s * m_sizes.heads + h) * area : w;
            attention::weighBackward(used, {v + h * m_sizes.valueDim, tk, m_sizes.valueDim, nv},
                                     {dHeads + h * m_sizes.valueDim, tq, m_sizes.valueDim, nv}, dw,
                                     dv + h * m_sizes.valueDim);
            if (m_trained)
                attention::dropBackward(m_b.keep->data + (s * m_sizes.heads + h) * area, area, dw);
            // Through the softmax; a masked score is a constant, and so is a row with nothing to attend to.
            attention::softmaxBackward(w, dw, tq, tk, inverseRoot,
                                       [&](Index i, Index) { return m_live[static_cast<std::size_t>(i)] != 0; });
            attention::pairProductsBackward(dw, {q + h * m_sizes.keyDim, tq, m_sizes.keyDim, nk},
                                            {k + h * m_sizes.keyDim, tk, m_sizes.keyDim, nk}, dq + h * m_sizes.keyDim,
                                            dk + h * m_sizes.keyDim);
        }
        const SampleOf query{*inputs[0], s};
        const SampleOf key{keyInput(), s};
        const SampleOf value{*inputs[1], s};
        projectBackward(query.value(), dq, tq, inputs[0]->value.shape[2], nk, m_query.kernel, m_query.bias,
                        query.grad());
        projectBackward(key.value(), dk, tk, keyInput().value.shape[2], nk, m_key.kernel, m_key.bias, key.grad());
        projectBackward(value.value(), dv, tk, inputs[1]->value.shape[2], nv, m_value.kernel, m_value.bias,
                        value.grad());
    }
}

} // namespace sf
