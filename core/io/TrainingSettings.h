#pragma once

#include "qt/TrainingSession.h"
#include "train/TrainConfig.h"

#include <nlohmann/json.hpp>

namespace sf {

/// A model's training settings as kept in its .sfmodel file, under settings.training.
struct TrainingSettings {
    /// In-app defaults: enough generated rows for the examples to generalise, validation, and
    /// early stopping (best weights restored) so that a one-click run ends at its best.
    TrainingSettings()
    {
        config.epochs = 5;
        config.validationSplit = 0.2;
        config.earlyStopping = {true, 3, 0.0, true};
        data.generatedRows = 20000;
    }

    TrainConfig config;
    DataSource data;
    bool lossChosen = false; ///< false: the loss follows the output activation

    bool operator==(const TrainingSettings& other) const { return toJson() == other.toJson(); }
    nlohmann::json toJson() const;
    /// Missing keys keep their defaults; values of the wrong type are ignored.
    static TrainingSettings fromJson(const nlohmann::json& training);
};

} // namespace sf
