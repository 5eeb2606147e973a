#include "EmbeddingOp.h"

#include "engine/Parallel.h"

#include <algorithm>

namespace sf {

void EmbeddingOp::forward(const ForwardContext&)
{
    const TensorView& ids = inputs[0]->value;
    const Index dim = m_embeddings->shape[1];
    const Index vocabulary = m_embeddings->shape[0];
    const Index samples = ids.samples();
    const Index steps = ids.sampleSize();
    const Index stride = output->value.sampleStride();
    const float* table = m_embeddings->value.data();
    float* out = output->value.data;
#pragma omp parallel for schedule(static) if (samples * steps * dim > kParallelWork)
    for (Index s = 0; s < samples; ++s)
        for (Index t = 0; t < steps; ++t) {
            const Index i = s * steps + t;
            const auto id = static_cast<Index>(ids.data[i]);
            float* row = out + s * stride + t * dim;
            if (id >= 0 && id < vocabulary)
                std::copy_n(table + id * dim, dim, row);
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
    const Index samples = ids.samples();
    const Index steps = ids.sampleSize();
    const Index stride = output->grad.sampleStride();
    const float* dy = output->grad.data;
    float* grad = m_embeddings->grad.data();
    // Each core adds into its own band of columns, so no two write the same float and every sum
    // is taken in the same order whatever the number of cores.
#pragma omp parallel if (samples * steps * dim > kParallelWork)
    {
        const auto [from, to] = coreBand(dim);
        for (Index s = 0; s < samples; ++s)
            for (Index t = 0; t < steps; ++t) {
                const auto id = static_cast<Index>(ids.data[s * steps + t]);
                if (id < 0 || id >= vocabulary)
                    continue;
                float* row = grad + id * dim;
                const float* d = dy + s * stride + t * dim;
                for (Index k = from; k < to; ++k)
                    row[k] += d[k];
            }
    }
}

} // namespace sf
