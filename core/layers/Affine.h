#pragma once

#include "engine/Op.h"

#include <vector>

namespace sf {

/// What Rescaling and Normalization share: value by value, y = (x + before) * factor + after, the
/// three numbers repeating every `period` values (one per value of a sample, or one for all), and
/// dx = dy * factor. They are the layer's arguments (Rescaling's scale and offset, Normalization's
/// given mean and variance), not weights: nothing here learns.
class AffineOp final : public Op {
public:
    /// `before`, `factor` and `after` have the same size, the period.
    AffineOp(std::vector<float> before, std::vector<float> factor, std::vector<float> after)
        : m_before(std::move(before)), m_factor(std::move(factor)), m_after(std::move(after))
    {
    }

    void forward(const ForwardContext&) override
    {
        const float* x = inputs[0]->value.data;
        float* y = output->value.data;
        const auto period = static_cast<Index>(m_factor.size());
        for (Index i = 0, n = output->value.size(); i < n; ++i) {
            const auto j = static_cast<std::size_t>(i % period);
            y[i] = (x[i] + m_before[j]) * m_factor[j] + m_after[j];
        }
    }

    void backward() override
    {
        if (!inputs[0]->grad.data)
            return;
        const float* dy = output->grad.data;
        float* dx = inputs[0]->grad.data;
        const auto period = static_cast<Index>(m_factor.size());
        for (Index i = 0, n = output->value.size(); i < n; ++i)
            dx[i] += dy[i] * m_factor[static_cast<std::size_t>(i % period)];
    }

private:
    std::vector<float> m_before;
    std::vector<float> m_factor;
    std::vector<float> m_after;
};

} // namespace sf
