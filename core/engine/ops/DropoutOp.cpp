#include "DropoutOp.h"

namespace sf {

void DropoutOp::forward(const ForwardContext& ctx)
{
    const TensorView& x = inputs[0]->value;
    m_trained = ctx.training && m_rate > 0.0f;
    if (!m_trained) {
        output->value.array() = x.array();
        return;
    }
    std::bernoulli_distribution keep(1.0 - static_cast<double>(m_rate));
    const float scale = 1.0f / (1.0f - m_rate);
    const Index n = x.size();
    for (Index i = 0; i < n; ++i)
        m_keep->data[i] = keep(*ctx.rng) ? scale : 0.0f;
    output->value.array() = x.array() * m_keep->array();
}

void DropoutOp::backward()
{
    if (!inputs[0]->grad.data)
        return;
    if (m_trained)
        inputs[0]->grad.array() += output->grad.array() * m_keep->array();
    else
        inputs[0]->grad.array() += output->grad.array();
}

} // namespace sf
