#include "TimeDistributedOp.h"

#include <algorithm>
#include <stdexcept>

namespace sf {

namespace {

/// `shape` with its first two axes made one.
std::vector<Index> folded(const std::vector<Index>& shape)
{
    std::vector<Index> f(shape.begin() + 1, shape.end());
    f[0] *= shape[0];
    return f;
}

} // namespace

TimeDistributedOp::TimeDistributedOp(OpBuild& b, Index steps)
    : m_steps(steps), m_batched(b.batched), m_outer(b.inputs[0]), m_scratch(b.scratch), m_buffers(b.buffers)
{
    // Views of the same memory. The input is contiguous: a producer writes into a joining layer's
    // output (one sample stride apart) only when that layer is its sole reader.
    if (!m_outer->value.contiguous())
        throw std::logic_error("TimeDistributed's input is laid out one sample stride apart");
    m_input.value = {m_outer->value.data, folded(m_outer->value.shape)};
    if (m_outer->grad.data)
        m_input.grad = {m_outer->grad.data, folded(m_outer->grad.shape)};
    m_output.value = {b.output.value.data, folded(b.output.value.shape)};
    m_output.grad = {b.output.grad.data, folded(b.output.grad.shape)};
    m_innerInputs = {&m_input};
    for (TensorView* v : {&m_input.value, &m_input.grad, &m_output.value, &m_output.grad})
        if (v->data)
            m_folded.push_back(v);
}

OpBuild TimeDistributedOp::innerBuild(const Node& layer, const std::vector<Parameter*>& weights,
                                      const std::vector<Index>& shape)
{
    OpBuild inner{.node = layer,
                  .shape = shape,
                  .batched = m_batched,
                  .inputs = m_innerInputs,
                  .output = m_output,
                  .weights = weights};
    // Network-owned memory the network leaves alone (batched=false); its first axis is folded here.
    inner.scratch = [this](const std::vector<Index>& s, bool batched) {
        TensorView* v = m_scratch(s, false);
        if (batched)
            m_folded.push_back(v);
        return v;
    };
    inner.buffers = [this](const std::vector<Index>& s, bool batched) {
        NodeBuffers* buffers = m_buffers(s, false);
        if (batched)
            m_folded.insert(m_folded.end(), {&buffers->value, &buffers->grad});
        return buffers;
    };
    return inner;
}

void TimeDistributedOp::setInner(std::unique_ptr<Op> inner)
{
    m_inner = std::move(inner);
    if (!m_inner)
        return;
    m_inner->inputs = m_innerInputs;
    m_inner->output = &m_output;
}

void TimeDistributedOp::fold()
{
    if (!m_batched)
        return;
    const Index rows = m_outer->value.shape[0] * m_steps;
    for (TensorView* v : m_folded)
        v->shape[0] = rows;
}

void TimeDistributedOp::forward(const ForwardContext& ctx)
{
    fold();
    if (m_inner)
        m_inner->forward(ctx);
    else
        std::copy(m_input.value.data, m_input.value.data + m_input.value.size(), m_output.value.data);
}

void TimeDistributedOp::backward()
{
    if (m_inner) {
        m_inner->backward();
        return;
    }
    if (!m_input.grad.data)
        return;
    float* grad = m_input.grad.data;
    const float* from = m_output.grad.data;
    for (Index i = 0; i < m_output.grad.size(); ++i)
        grad[i] += from[i];
}

} // namespace sf
