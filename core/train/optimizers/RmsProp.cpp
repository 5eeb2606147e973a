#include "RmsProp.h"

#include "engine/Parallel.h"

#include <cmath>

namespace sf {

void RmsProp::update(std::size_t index, Parameter& p, const float* grad, float lr)
{
    const std::size_t n = p.value.size();
    const auto rho = static_cast<float>(m_config.rho);
    const auto eps = static_cast<float>(m_config.epsilon);
    const auto mu = static_cast<float>(m_config.momentum);
    float* __restrict v = slot(0, index, n).data();
    float* __restrict m = mu > 0.0f ? slot(1, index, n).data() : nullptr;
    float* __restrict w = p.value.data();
#pragma omp parallel for schedule(static) if (n > static_cast <std::size_t>(kParallelWork))
    for (std::size_t k = 0; k < n; ++k) {
        v[k] = rho * v[k] + (1.0f - rho) * grad[k] * grad[k];
        const float increment = lr * grad[k] / std::sqrt(v[k] + eps);
        if (m) {
            m[k] = mu * m[k] + increment;
            w[k] -= m[k];
        } else {
            w[k] -= increment;
        }
    }
}

} // namespace sf
