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
    return (!m_sizes.causal || j <= i) && (!queryMask || queryMask[s * tq + i] != 0.0f) &&
           (!valueMask || valueMask[s * tk + j] != 0.0f) && (!keyMask || keyMask[s * tk + j] != 0.0f);
}

std::vector<Index> MultiHeadAttentionOp::grouping(const NodeBuffers& input, Index& groups, Index& positions) const
{
    const std::vector<Index>& shape = input.value.shape; // (batch, inner axes..., features)
    const int rank = static_cast<int>(shape.size());
    std::vector<char> attended(static_cast<std::size_t>(rank), m_sizes.attentionAxes.empty() ? 1 : 0);
    for (int a : m_sizes.attentionAxes)
        attended[static_cast<std::size_t>(a)] = 1;
    std::vector<int> outer, inner; // the axes not attended over, and those attended over
    bool inOrder = true;           // no axis left out after an attended one
    for (int a = 1; a < rank - 1; ++a) {
        (attended[static_cast<std::size_t>(a)] ? inner : outer).push_back(a);
        inOrder = inOrder && (attended[static_cast<std::size_t>(a)] || inner.empty());
    }
    const auto rows = [&](const std::vector<int>& axes) { // each index's row offset, row-major over `axes`
        std::vector<Index> offsets{0};
        for (int a : axes) {
            Index stride = 1;
            for (int b = a + 1; b < rank - 1; ++b)
                stride *= shape[static_cast<std::size_t>(b)];
            std::vector<Index> next;
            next.reserve(offsets.size() * static_cast<std::size_t>(shape[static_cast<std::size_t>(a)]));
            for (Index o : offsets)
                for (Index i = 0; i < shape[static_cast<std::size_t>(a)]; ++i)
                    next.push_back(o + i * stride);
            offsets = std::move(next);
        }
        return offsets;
    };
    const std::vector<Index> groupRows = rows(outer);
    const std::vector<Index> positionRows = rows(inner);
    groups = static_cast<Index>(groupRows.size());
    positions = static_cast<Index>(positionRows.size());
    if (inOrder)
        return {};
    std::vector<Index> order;
    order.reserve(groupRows.size() * positionRows.size());
    for (Index g : groupRows)
        for (Index p : positionRows)
            order.push_back(g + p);
    return order;
}

void MultiHeadAttentionOp::regroup(const float* from, float* to, const std::vector<Index>& order, Index width,
                                   bool back)
{
    for (std::size_t r = 0; r < order.size(); ++r) {
        const float* source = from + (back ? static_cast<Index>(r) : order[r]) * width;
        std::copy(source, source + width, to + (back ? order[r] : static_cast<Index>(r)) * width);
    }
}

MultiHeadAttentionOp::Extent MultiHeadAttentionOp::extent()
{
    std::vector<std::vector<Index>> shapes{inputs[0]->value.shape, keyInput().value.shape};
    for (std::vector<Index>& shape : shapes)
        shape[0] = 0; // the running batch does not change the groupings
    if (shapes != m_shapes) {
        m_queryOrder = grouping(*inputs[0], m_groups, m_pq);
        Index keyGroups = 0; // the query's, as the shape rule checks
        m_keyOrder = grouping(keyInput(), keyGroups, m_pk);
        m_shapes = std::move(shapes);
    }
    return {output->value.shape[0],
            m_groups * m_pq,
            m_groups * m_pk,
            m_groups,
            m_pq,
            m_pk,
            m_sizes.heads * m_sizes.keyDim,
            m_sizes.heads * m_sizes.valueDim,
            m_sizes.outputDim,
            m_pq * m_pk,
            1.0f / std::sqrt(static_cast<float>(m_sizes.keyDim))};
}

void MultiHeadAttentionOp::forward(const ForwardContext& ctx)
{
    const auto [batch, tq, tk, groups, pq, pk, nk, nv, out, area, inverseRoot] = extent();
    const Index heads = m_sizes.heads, keyDim = m_sizes.keyDim, valueDim = m_sizes.valueDim;
    m_trained = ctx.training && m_dropout > 0.0f && m_b.dropped;
    // Keras 3's _compute_attention leaves ops.dot_product_attention for the Softmax layer with
    // dropout or when it returns the scores.
    const bool softmaxPath = m_dropout > 0.0f || m_sizes.scores;
    // One input's sample projected, its rows in grouped order.
    const auto projectGrouped = [&](const NodeBuffers& input, Index s, Index rows, const Projection& p,
                                    const std::vector<Index>& order, float* to, Index width) {
        const Index in = input.value.shape.back();
        if (order.empty())
            return project(SampleOf{input, s}.value(), rows, in, p.kernel, p.bias, to, width);
        m_ordered.resize(static_cast<std::size_t>(rows * width));
        project(SampleOf{input, s}.value(), rows, in, p.kernel, p.bias, m_ordered.data(), width);
        regroup(m_ordered.data(), to, order, width, false);
    };
    for (Index s = 0; s < batch; ++s) {
        float* q = m_b.query->data + s * tq * nk;
        float* k = m_b.key->data + s * tk * nk;
        float* v = m_b.value->data + s * tk * nv;
        float* o = m_b.heads->data + s * tq * nv;
        projectGrouped(*inputs[0], s, tq, m_query, m_queryOrder, q, nk);
        projectGrouped(keyInput(), s, tk, m_key, m_keyOrder, k, nk);
        projectGrouped(*inputs[1], s, tk, m_value, m_keyOrder, v, nv);
        for (Index g = 0; g < groups; ++g)
            for (Index h = 0; h < heads; ++h) {
                const Index at = ((s * groups + g) * heads + h) * area;
                float* w = m_b.weights->data + at;
                attention::pairProducts({q + g * pq * nk + h * keyDim, pq, keyDim, nk},
                                        {k + g * pk * nk + h * keyDim, pk, keyDim, nk}, w);
                for (Index i = 0; i < pq; ++i) {
                    float* row = w + i * pk;
                    float top = -INFINITY;
                    for (Index j = 0; j < pk; ++j)
                        if (attends(s, i, j, pq, pk))
                            top = std::max(top, row[j] * inverseRoot);
                    if (top == -INFINITY) { // nothing to attend to
                        std::fill(row, row + pk, softmaxPath ? 0.0f : 1.0f / static_cast<float>(pk));
                        continue;
                    }
                    double sum = 0.0;
                    for (Index j = 0; j < pk; ++j)
                        sum += row[j] = attends(s, i, j, pq, pk) ? std::exp(row[j] * inverseRoot - top) : 0.0f;
                    for (Index j = 0; j < pk; ++j)
                        row[j] = static_cast<float>(row[j] / sum);
                }
                if (m_sizes.scores)
                    std::copy_n(w, area, moreOutputs[0]->value.data + at);
                const float* used = w;
                if (m_trained) {
                    float* dropped = m_b.dropped->data + at;
                    attention::drop(w, area, m_dropout, *ctx.rng, m_b.keep->data + at, dropped);
                    used = dropped;
                }
                attention::weigh(used, pq, {v + g * pk * nv + h * valueDim, pk, valueDim, nv},
                                 o + g * pq * nv + h * valueDim, nv);
            }
        const float* joined = o;
        if (!m_queryOrder.empty()) {
            m_ordered.resize(static_cast<std::size_t>(tq * nv));
            regroup(o, m_ordered.data(), m_queryOrder, nv, true);
            joined = m_ordered.data();
        }
        project(joined, tq, nv, m_output.kernel, m_output.bias, output->value.data + s * tq * out, out);
    }
}

void MultiHeadAttentionOp::backward()
{
    const auto [batch, tq, tk, groups, pq, pk, nk, nv, out, area, inverseRoot] = extent();
    const Index heads = m_sizes.heads, keyDim = m_sizes.keyDim, valueDim = m_sizes.valueDim;
    m_work.resize(static_cast<std::size_t>(tq * nv + tq * nk + tk * nk + tk * nv + area));
    float* dHeads = m_work.data();
    float* dq = dHeads + tq * nv;
    float* dk = dq + tq * nk;
    float* dv = dk + tk * nk;
    float* dw = dv + tk * nv;
    // A projection's backward from gradients in grouped order.
    const auto projectBackGrouped = [&](const NodeBuffers& input, Index s, Index rows, const Projection& p,
                                        const std::vector<Index>& order, const float* dy, Index width) {
        const SampleOf x{input, s};
        const Index in = input.value.shape.back();
        if (!order.empty()) {
            m_ordered.resize(static_cast<std::size_t>(rows * width));
            regroup(dy, m_ordered.data(), order, width, true);
            dy = m_ordered.data();
        }
        projectBackward(x.value(), dy, rows, in, width, p.kernel, p.bias, x.grad());
    };
    for (Index s = 0; s < batch; ++s) {
        const float* q = m_b.query->data + s * tq * nk;
        const float* k = m_b.key->data + s * tk * nk;
        const float* v = m_b.value->data + s * tk * nv;
        const float* o = m_b.heads->data + s * tq * nv;
        const float* dy = output->grad.data + s * tq * out;
        std::fill(m_work.begin(), m_work.end() - area, 0.0f);
        if (m_queryOrder.empty()) {
            projectBackward(o, dy, tq, nv, out, m_output.kernel, m_output.bias, dHeads);
        } else { // the heads in the query's order, and their gradient back in grouped order
            m_ordered.resize(static_cast<std::size_t>(2 * tq * nv));
            float* ordered = m_ordered.data();
            float* dOrdered = ordered + tq * nv;
            regroup(o, ordered, m_queryOrder, nv, true);
            std::fill(dOrdered, dOrdered + tq * nv, 0.0f);
            projectBackward(ordered, dy, tq, nv, out, m_output.kernel, m_output.bias, dOrdered);
            regroup(dOrdered, dHeads, m_queryOrder, nv, false);
        }
        m_live.assign(static_cast<std::size_t>(pq), 0); // the query steps with a key step to attend to
        for (Index i = 0; i < pq; ++i)
            for (Index j = 0; j < pk && !m_live[static_cast<std::size_t>(i)]; ++j)
                m_live[static_cast<std::size_t>(i)] = attends(s, i, j, pq, pk);
        for (Index g = 0; g < groups; ++g)
            for (Index h = 0; h < heads; ++h) {
                const Index at = ((s * groups + g) * heads + h) * area;
                const float* w = m_b.weights->data + at;
                const float* used = m_trained ? m_b.dropped->data + at : w;
                attention::weighBackward(used, {v + g * pk * nv + h * valueDim, pk, valueDim, nv},
                                         {dHeads + g * pq * nv + h * valueDim, pq, valueDim, nv}, dw,
                                         dv + g * pk * nv + h * valueDim);
                if (m_trained)
                    attention::dropBackward(m_b.keep->data + at, area, dw);
                if (m_sizes.scores &&
                    moreOutputs[0]->grad.data) // what reached the scores output joins the weights' gradient
                    for (Index i = 0; i < area; ++i)
                        dw[i] += moreOutputs[0]->grad.data[at + i];
                // Through the softmax; a masked score is a constant, and so is a row with nothing to attend to.
                attention::softmaxBackward(w, dw, pq, pk, inverseRoot,
                                           [&](Index i, Index) { return m_live[static_cast<std::size_t>(i)] != 0; });
                attention::pairProductsBackward(dw, {q + g * pq * nk + h * keyDim, pq, keyDim, nk},
                                                {k + g * pk * nk + h * keyDim, pk, keyDim, nk},
                                                dq + g * pq * nk + h * keyDim, dk + g * pk * nk + h * keyDim);
            }
        projectBackGrouped(*inputs[0], s, tq, m_query, m_queryOrder, dq, nk);
        projectBackGrouped(keyInput(), s, tk, m_key, m_keyOrder, dk, nk);
        projectBackGrouped(*inputs[1], s, tk, m_value, m_keyOrder, dv, nv);
    }
}

} // namespace sf
