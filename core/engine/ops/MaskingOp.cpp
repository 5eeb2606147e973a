#include "MaskingOp.h"

namespace sf {

void MaskingOp::forward(const ForwardContext&)
{
    const TensorView& x = inputs[0]->value;
    const Index rows = x.rows();
    const Index cols = x.cols();
    for (Index r = 0; r < rows; ++r) {
        bool keep = false;
        for (Index c = 0; c < cols && !keep; ++c)
            keep = x.data[r * cols + c] != m_maskValue;
        m_mask[r] = keep ? 1.0f : 0.0f;
        for (Index c = 0; c < cols; ++c)
            output->value.data[r * cols + c] = keep ? x.data[r * cols + c] : 0.0f;
    }
}

void MaskingOp::backward()
{
    if (!inputs[0]->grad.data)
        return;
    const Index rows = output->value.rows();
    const Index cols = output->value.cols();
    for (Index r = 0; r < rows; ++r)
        if (m_mask[r] != 0.0f)
            for (Index c = 0; c < cols; ++c)
                inputs[0]->grad.data[r * cols + c] += output->grad.data[r * cols + c];
}

} // namespace sf
