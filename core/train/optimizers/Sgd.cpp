#include "Sgd.h"

#include "engine/Parallel.h"

namespace sf {

void Sgd::update(std::size_t index, Parameter& p, const float* grad, float lr)
{
    const std::size_t n = p.value.size();
    float* __restrict w = p.value.data();
    if (m_config.momentum == 0.0) {
#pragma omp parallel for simd schedule(static) if (n > static_cast <std::size_t>(kParallelWork))
        for (std::size_t k = 0; k < n; ++k)
            w[k] -= lr * grad[k];
        return;
    }
    const auto mu = static_cast<float>(m_config.momentum);
    float* __restrict m = slot(0, index, n).data();
    const bool nesterov = m_config.nesterov;
#pragma omp parallel for simd schedule(static) if (n > static_cast <std::size_t>(kParallelWork))
    for (std::size_t k = 0; k < n; ++k) {
        m[k] = mu * m[k] - lr * grad[k];
        w[k] += nesterov ? mu * m[k] - lr * grad[k] : m[k];
    }
}

} // namespace sf
