#pragma once

#include "io/DataBinding.h"
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
    }

    TrainConfig config;
    DataBinding data;
    std::string dataProblem; ///< why the file's data entry was not understood (then all data is generated); not saved
    bool lossChosen = false; ///< false: the loss follows the output activation

    nlohmann::json toJson() const;
    /// Missing keys keep their defaults; values of the wrong type are ignored.
    static TrainingSettings fromJson(const nlohmann::json& training);
};

} // namespace sf
