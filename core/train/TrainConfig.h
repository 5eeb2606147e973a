#pragma once

#include "Loss.h"
#include "NumberRange.h"
#include "Optimizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sf {

/// Keras's EarlyStopping on val_loss.
struct EarlyStopping {
    bool enabled = false;
    int patience = 3;
    double minDelta = 0.0;
    bool restoreBestWeights = true;

    bool operator==(const EarlyStopping&) const = default;
};

/// Everything `model.compile()` and `model.fit()` would be told, with Keras's defaults.
struct TrainConfig {
    int epochs = 10;
    Index batchSize = 32;
    bool shuffle = true;
    std::uint32_t seed = 1;
    double validationSplit = 0.0; ///< the last fraction of the rows, as Keras takes it
    static constexpr NumberRange validationSplitRange = NumberRange::unitOpen();
    LossSpec loss;
    std::vector<std::string> metrics; ///< empty: accuracy for cross-entropy losses, mae for mse/mae
    OptimizerConfig optimizer;
    EarlyStopping earlyStopping;

    bool operator==(const TrainConfig&) const = default;
};

/// One epoch's numbers, as Keras's History records them.
struct EpochStats {
    int epoch = 0; ///< 1-based
    double loss = 0.0;
    std::vector<std::pair<std::string, double>> metrics;
    std::optional<double> valLoss;
    std::vector<std::pair<std::string, double>> valMetrics;
    double seconds = 0.0;
    double samplesPerSecond = 0.0;
    double learningRate = 0.0;
};

/// One batch's loss, for live plots.
struct BatchStats {
    int epoch = 0;   ///< 1-based
    Index batch = 0; ///< 1-based within the epoch
    Index batches = 0;
    double loss = 0.0;
};

/// How a call to Trainer::fit ended.
struct TrainOutcome {
    enum class Status { Finished, Stopped, EarlyStopped, Failed };
    Status status = Status::Finished;
    std::string message;
    std::string failedLayer; ///< for a non-finite loss: the first layer whose output went non-finite
};

} // namespace sf
