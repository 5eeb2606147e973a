#include "ConcatenateOp.h"

#include <algorithm>

namespace sf {

Index ConcatenateOp::outer() const
{
    Index n = 1;
    for (int a = 0; a < m_axis; ++a)
        n *= output->value.shape[static_cast<std::size_t>(a)];
    return n;
}

Index ConcatenateOp::inner(const TensorView& t) const
{
    Index n = 1;
    for (std::size_t a = static_cast<std::size_t>(m_axis); a < t.shape.size(); ++a)
        n *= t.shape[a];
    return n;
}

void ConcatenateOp::forward(const ForwardContext&)
{
    const Index rows = outer();
    const Index width = inner(output->value);
    Index offset = 0;
    for (const NodeBuffers* in : inputs) {
        const Index w = inner(in->value);
        if (in->value.data != output->value.data + offset) // else its producer wrote it in place
            for (Index r = 0; r < rows; ++r)
                std::copy_n(in->value.data + r * w, w, output->value.data + r * width + offset);
        offset += w;
    }
    if (!m_mask)
        return;
    const Index batch = output->value.shape[0];
    const bool alongSteps = joinsSteps(m_axis, static_cast<int>(output->value.shape.size()));
    if (alongSteps) {
        const Index steps = output->value.shape[1];
        Index at = 0;
        for (const NodeBuffers* in : inputs) {
            const Index s = in->value.shape[1];
            for (Index b = 0; b < batch; ++b)
                for (Index t = 0; t < s; ++t)
                    m_mask[b * steps + at + t] = in->mask ? in->mask[b * s + t] : 1.0f;
            at += s;
        }
        return;
    }
    const Index cells = output->value.rows(); // (batch, steps) positions
    std::fill_n(m_mask, cells, 0.0f);
    for (const NodeBuffers* in : inputs)
        for (Index i = 0; i < cells; ++i)
            m_mask[i] = std::max(m_mask[i], in->mask[i]);
}

void ConcatenateOp::backward()
{
    const Index rows = outer();
    const Index width = inner(output->value);
    Index offset = 0;
    for (NodeBuffers* in : inputs) {
        const Index w = inner(in->value);
        const bool inPlace = in->grad.data == output->grad.data + offset; // its producer reads it there
        if (in->grad.data && !inPlace)
            for (Index r = 0; r < rows; ++r) {
                float* dst = in->grad.data + r * w;
                const float* src = output->grad.data + r * width + offset;
                for (Index k = 0; k < w; ++k)
                    dst[k] += src[k];
            }
        offset += w;
    }
}

} // namespace sf
