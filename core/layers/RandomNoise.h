#pragma once

#include "engine/Op.h"

#include <algorithm>
#include <functional>
#include <random>

namespace sf {

/// What the noise layers (GaussianNoise, GaussianDropout, SpatialDropout1D, SpatialDropout2D)
/// share: the identity at inference, and while training a random factor per value, or per channel
/// for all of a sample's positions (the spatial dropouts), drawn from the training run's seeded
/// generator, so that a run repeats from its seed. `factor` holds the last training pass's
/// factors, batched: (batch, width). A sample is read as (steps, width, run): factor (sample, c)
/// multiplies the `run` consecutive values of channel c at each of the `steps` positions. So
/// channels on the last axis are steps = positions, run = 1; channels first are steps = 1, run =
/// positions; one factor per value is the output's shape with steps = run = 1.
class MultiplicativeNoiseOp final : public Op {
public:
    /// `draw` fills one training pass's factors: 0 or 1 / (1 - rate) for dropout, N(1, stddev) for
    /// Gaussian dropout. It makes its distribution afresh each pass, so that nothing a
    /// distribution caches (std::normal_distribution keeps every second value) outlives the pass:
    /// the factors are the generator's state alone, as a run from a seed needs.
    using Draw = std::function<void(float* factors, Index count, std::mt19937&)>;
    MultiplicativeNoiseOp(Draw draw, bool active, Index steps, TensorView* factor, Index run = 1)
        : m_draw(std::move(draw)), m_active(active), m_steps(steps), m_run(run), m_factor(factor)
    {
    }

    void forward(const ForwardContext& ctx) override
    {
        const float* x = inputs[0]->value.data;
        float* y = output->value.data;
        const Index n = output->value.size();
        m_trained = ctx.training && m_active;
        if (!m_trained) {
            std::copy(x, x + n, y);
            return;
        }
        float* f = m_factor->data;
        m_draw(f, m_factor->size(), *ctx.rng);
        for (Index i = 0; i < n; ++i)
            y[i] = x[i] * f[factorOf(i)];
    }

    void backward() override
    {
        if (!inputs[0]->grad.data)
            return;
        const float* dy = output->grad.data;
        float* dx = inputs[0]->grad.data;
        for (Index i = 0, n = output->value.size(); i < n; ++i)
            dx[i] += m_trained ? dy[i] * m_factor->data[factorOf(i)] : dy[i];
    }

private:
    /// Value i of (batch, steps, width, run) reads factor (sample, channel).
    Index factorOf(Index i) const
    {
        const Index width = m_factor->cols();
        return (i / (m_steps * width * m_run)) * width + (i / m_run) % width;
    }

    Draw m_draw;
    bool m_active;
    Index m_steps;
    Index m_run;
    TensorView* m_factor;
    bool m_trained = false;
};

} // namespace sf
