#include "Optimizer.h"

#include "engine/Parallel.h"
#include "optimizers/Adam.h"
#include "optimizers/RmsProp.h"
#include "optimizers/Sgd.h"

#include <cmath>
#include <stdexcept>

namespace sf {

namespace {

void require(const char* argument, double value, const NumberRange& range)
{
    if (!range.contains(value))
        throw std::invalid_argument(std::string(argument) + " must be " + range.describe() + "; got " +
                                    std::to_string(value));
}

} // namespace

std::unique_ptr<Optimizer> Optimizer::create(const OptimizerConfig& config)
{
    OptimizerConfig c = config;
    if (!c.learningRate)
        c.learningRate = c.name == "sgd" ? 0.01 : 0.001;
    if (!c.weightDecay)
        c.weightDecay = c.name == "adamw" ? 0.004 : 0.0;
    require("learning_rate", *c.learningRate, OptimizerRanges::learningRate);
    for (const auto& [argument, value] : {std::pair{"beta_1", c.beta1}, std::pair{"beta_2", c.beta2},
                                          std::pair{"momentum", c.momentum}, std::pair{"rho", c.rho}})
        require(argument, value, OptimizerRanges::decay);
    require("epsilon", c.epsilon, OptimizerRanges::epsilon);
    require("weight_decay", *c.weightDecay, OptimizerRanges::weightDecay);
    require("clipnorm", c.clipnorm, OptimizerRanges::clipnorm);
    require("global_clipnorm", c.globalClipnorm, OptimizerRanges::clipnorm);
    if (c.schedule.decaySteps < 1)
        throw std::invalid_argument("decay_steps must be 1 or more; got " + std::to_string(c.schedule.decaySteps));
    require("decay_rate", c.schedule.decayRate, LearningRateSchedule::Ranges::decayRate);
    require("alpha", c.schedule.alpha, LearningRateSchedule::Ranges::alpha);
    if (c.name == "sgd")
        return std::unique_ptr<Optimizer>(new Sgd(c));
    if (c.name == "adam" || c.name == "adamw")
        return std::unique_ptr<Optimizer>(new Adam(c));
    if (c.name == "rmsprop")
        return std::unique_ptr<Optimizer>(new RmsProp(c));
    throw std::invalid_argument("Unknown optimizer '" + c.name + "'; Shapeflow knows sgd, adam, adamw and rmsprop");
}

double Optimizer::learningRate() const
{
    return m_config.schedule.at(*m_config.learningRate, m_iterations);
}

std::vector<float>& Optimizer::slot(std::size_t kind, std::size_t index, std::size_t size)
{
    if (m_slots.size() <= kind)
        m_slots.resize(kind + 1);
    auto& slots = m_slots[kind];
    if (slots.size() <= index)
        slots.resize(index + 1);
    if (slots[index].size() != size)
        slots[index].assign(size, 0.0f);
    return slots[index];
}

void Optimizer::step(const std::vector<Parameter*>& parameters)
{
    const auto lr = static_cast<float>(learningRate());
    double globalScale = 1.0;
    if (m_config.globalClipnorm > 0.0) {
        double squares = 0.0;
        for (const Parameter* p : parameters)
            squares += sumOfSquares(p->grad.data(), static_cast<Index>(p->grad.size()));
        const double norm = std::sqrt(squares);
        if (norm > m_config.globalClipnorm)
            globalScale = m_config.globalClipnorm / norm;
    }
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        Parameter& p = *parameters[i];
        double scale = globalScale;
        if (m_config.clipnorm > 0.0) {
            const double norm = std::sqrt(sumOfSquares(p.grad.data(), static_cast<Index>(p.grad.size()))) * globalScale;
            if (norm > m_config.clipnorm)
                scale *= m_config.clipnorm / norm;
        }
        const float* grad = p.grad.data();
        if (scale != 1.0) {
            m_clipped.resize(p.grad.size());
            const auto n = static_cast<Index>(p.grad.size());
            float* clipped = m_clipped.data();
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
            for (Index k = 0; k < n; ++k)
                clipped[k] = static_cast<float>(grad[k] * scale);
            grad = clipped;
        }
        if (*m_config.weightDecay > 0.0) { // decoupled, before the update, as Keras does
            const auto decay = static_cast<float>(*m_config.weightDecay) * lr;
            const auto n = static_cast<Index>(p.value.size());
            float* value = p.value.data();
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
            for (Index k = 0; k < n; ++k)
                value[k] -= value[k] * decay;
        }
        update(i, p, grad, lr);
    }
    ++m_iterations;
}

} // namespace sf
