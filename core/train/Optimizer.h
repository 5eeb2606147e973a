#pragma once

#include "LearningRateSchedule.h"
#include "NumberRange.h"
#include "engine/Parameter.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sf {

/// An optimizer's settings with Keras's names and defaults (the learning rate and weight decay
/// default per optimizer when unset).
struct OptimizerConfig {
    std::string name = "adam"; ///< sgd, adam, adamw, rmsprop
    std::optional<double> learningRate;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-7;
    double momentum = 0.0;
    bool nesterov = false;
    double rho = 0.9;
    std::optional<double> weightDecay;
    double clipnorm = 0.0;       ///< per weight tensor, 0 for none
    double globalClipnorm = 0.0; ///< over all weight tensors, 0 for none
    LearningRateSchedule schedule;

    bool operator==(const OptimizerConfig&) const = default;
};

/// The optimizers Shapeflow has, by Keras's names.
inline constexpr std::array<std::string_view, 4> kOptimizerNames = {"sgd", "adam", "adamw", "rmsprop"};

/// The values an optimizer's arguments accept: Optimizer::create refuses others, and a model
/// file's training settings are read against the same ranges.
struct OptimizerRanges {
    static constexpr NumberRange learningRate = NumberRange::positive();
    static constexpr NumberRange decay = NumberRange::unitOpen(); ///< beta_1, beta_2, momentum, rho
    static constexpr NumberRange epsilon = NumberRange::positive();
    static constexpr NumberRange weightDecay = NumberRange::nonNegative();
    static constexpr NumberRange clipnorm = NumberRange::nonNegative(); ///< 0 for none
};

/// Applies gradients to weights. One global step counts updates (Keras's `iterations`); per-weight
/// state is indexed by the weight's position in the list passed to step(), never by pointer.
class Optimizer {
public:
    virtual ~Optimizer() = default;

    /// Throws std::invalid_argument for an unknown name or a value out of range (OptimizerRanges,
    /// LearningRateSchedule::Ranges), naming the Keras argument.
    static std::unique_ptr<Optimizer> create(const OptimizerConfig& config);

    /// Clips, decays and updates every weight once, then advances the step.
    void step(const std::vector<Parameter*>& parameters);

    std::int64_t iterations() const { return m_iterations; }
    double learningRate() const; ///< at the current step
    const OptimizerConfig& config() const { return m_config; }

protected:
    explicit Optimizer(OptimizerConfig config) : m_config(std::move(config)) {}

    /// Updates one weight from its (clipped) gradient.
    virtual void update(std::size_t index, Parameter& p, const float* grad, float lr) = 0;
    /// State vector `kind` of weight `index`, zero-initialised on first use.
    std::vector<float>& slot(std::size_t kind, std::size_t index, std::size_t size);

    OptimizerConfig m_config;
    std::int64_t m_iterations = 0;

private:
    std::vector<std::vector<std::vector<float>>> m_slots;
    std::vector<float> m_clipped;
};

} // namespace sf
