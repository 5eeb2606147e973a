#pragma once

#include "qt/TrainingSession.h"
#include "train/TrainConfig.h"

#include <nlohmann/json.hpp>

namespace sf {

/// A model's training settings as kept in its .sfmodel file, under settings.training.
struct TrainingSettings {
    TrainingSettings() { config.validationSplit = 0.2; } ///< in-app runs validate by default

    TrainConfig config;
    DataSource data;
    bool lossChosen = false; ///< false: the loss follows the output activation

    bool operator==(const TrainingSettings& other) const { return toJson() == other.toJson(); }
    nlohmann::json toJson() const;
    /// Missing keys keep their defaults; values of the wrong type are ignored.
    static TrainingSettings fromJson(const nlohmann::json& training);
};

} // namespace sf
