#include "Adam.h"

#include "engine/Parallel.h"

#include <cmath>

namespace sf {

void Adam::update(std::size_t index, Parameter& p, const float* grad, float lr)
{
    const std::size_t n = p.value.size();
    const double t = static_cast<double>(m_iterations + 1);
    const auto alpha =
        static_cast<float>(lr * std::sqrt(1.0 - std::pow(m_config.beta2, t)) / (1.0 - std::pow(m_config.beta1, t)));
    const auto b1 = static_cast<float>(1.0 - m_config.beta1);
    const auto b2 = static_cast<float>(1.0 - m_config.beta2);
    const auto eps = static_cast<float>(m_config.epsilon);
    float* __restrict m = slot(0, index, n).data();
    float* __restrict v = slot(1, index, n).data();
    float* __restrict w = p.value.data();
    // One fused pass, split over the cores for large tensors: it is bound by memory bandwidth.
#pragma omp parallel for simd schedule(static) if (n > static_cast <std::size_t>(kParallelWork))
    for (std::size_t k = 0; k < n; ++k) {
        const float g = grad[k];
        m[k] += (g - m[k]) * b1;
        v[k] += (g * g - v[k]) * b2;
        w[k] -= alpha * m[k] / (std::sqrt(v[k]) + eps);
    }
}

} // namespace sf
