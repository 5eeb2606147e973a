#include "EmbeddingOp.h"

#include <algorithm>

namespace sf {

void EmbeddingOp::forward(const ForwardContext&)
{
    const TensorView& ids = inputs[0]->value;
    const Index dim = m_embeddings->shape[1];
    const Index vocabulary = m_embeddings->shape[0];
    const Index count = ids.size();
    float* out = output->value.data;
    for (Index i = 0; i < count; ++i) {
        const auto id = static_cast<Index>(ids.data[i]);
        float* row = out + i * dim;
        if (id >= 0 && id < vocabulary)
            std::copy_n(m_embeddings->value.data() + id * dim, dim, row);
        else
            std::fill_n(row, dim, 0.0f);
        if (m_mask)
            m_mask[i] = id != 0 ? 1.0f : 0.0f;
    }
}

void EmbeddingOp::backward()
{
    const TensorView& ids = inputs[0]->value;
    const Index dim = m_embeddings->shape[1];
    const Index vocabulary = m_embeddings->shape[0];
    const Index count = ids.size();
    const float* dy = output->grad.data;
    float* grad = m_embeddings->grad.data();
    for (Index i = 0; i < count; ++i) {
        const auto id = static_cast<Index>(ids.data[i]);
        if (id < 0 || id >= vocabulary)
            continue;
        float* row = grad + id * dim;
        const float* d = dy + i * dim;
        for (Index k = 0; k < dim; ++k)
            row[k] += d[k];
    }
}

} // namespace sf
