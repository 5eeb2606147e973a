#pragma once

#include "io/DataBinding.h"
#include "train/TrainConfig.h"

#include <nlohmann/json.hpp>

namespace sf {

/// A model's training settings as kept in its .sfmodel file, under settings.training: the whole
/// TrainConfig with Keras's names (the optimizer's arguments beside its name; the learning-rate
/// schedule and early stopping as small objects) and the data binding.
/// ```
/// {"epochs": 5, "batch_size": 32, "shuffle": true, "seed": 1, "validation_split": 0.2,
///  "loss": null, "from_logits": false, "metrics": [],
///  "optimizer": "adam", "learning_rate": null, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
///  "momentum": 0.0, "nesterov": false, "rho": 0.9, "weight_decay": null, "clipnorm": null,
///  "global_clipnorm": null, "schedule": {"kind": "cosine_decay", "decay_steps": 1000, "alpha": 0.0},
///  "early_stopping": {"enabled": true, "patience": 3, "min_delta": 0.0, "restore_best_weights": true},
///  "data": {...}}
/// ```
/// null says "the default": the loss follows the output activation, the learning rate and weight
/// decay are the optimizer's own, no clipping. The schedule is {"kind": "constant"},
/// {"kind": "step_decay", "decay_steps", "decay_rate"} (Keras's ExponentialDecay with staircase) or
/// {"kind": "cosine_decay", "decay_steps", "alpha"} (Keras's CosineDecay).
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
    bool lossChosen = false; ///< false: the loss follows the output activation

    bool operator==(const TrainingSettings&) const = default;

    /// The config a run of `graph` trains with: without a chosen loss, the one its output suggests.
    TrainConfig configFor(const CheckedModel& model) const;

    nlohmann::json toJson() const;
    /// null and missing keys keep the defaults; files written before the whole config was saved read as
    /// they did (`"early_stopping_patience": N`, 0 for off, sets early stopping). Throws
    /// FileFormatError naming the JSON path (`settings.training.beta_1`) of a value of the wrong
    /// type, out of range or unknown, and of a key Shapeflow does not know.
    static TrainingSettings fromJson(const nlohmann::json& training);
};

} // namespace sf
