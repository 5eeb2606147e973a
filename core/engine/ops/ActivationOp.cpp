#include "ActivationOp.h"

namespace sf {

void ActivationOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    activate(m_f, x.data, output->value.data, x.rows(), x.cols());
}

void ActivationOp::backward()
{
    if (!inputs[0]->grad.data)
        return;
    const TensorView& x = inputs[0]->value;
    activationBackward(m_f, x.data, output->value.data, output->grad.data, m_scratch->data, x.rows(), x.cols());
    inputs[0]->grad.array() += m_scratch->array();
}

} // namespace sf
