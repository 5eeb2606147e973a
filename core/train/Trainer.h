#pragma once

#include "Metrics.h"
#include "TrainConfig.h"
#include "data/DataError.h"
#include "data/Dataset.h"
#include "engine/Network.h"
#include "shape/CheckedModel.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <random>

namespace sf {

/// Keras's fit/evaluate/predict over a compiled Network: epochs of shuffled batches (the last one
/// partial), validation, early stopping, callbacks, a stop flag checked between batches, and
/// resuming where it stopped. Same seed, machine and thread count: the same history, bit for bit.
class Trainer {
public:
    struct Callbacks {
        std::function<void(const BatchStats&)> onBatch;
        std::function<void(const EpochStats&)> onEpoch;
    };

    /// Checks the data (DataError), compiles the graph (CompileError), resolves the loss, metrics
    /// and optimizer (std::invalid_argument) and initialises the weights from the seed.
    Trainer(CheckedModel model, TrainConfig config, Dataset data, std::optional<Dataset> validation = {});

    /// Trains until config().epochs epochs are done, the stop flag is raised, early stopping
    /// triggers or the loss is not finite. A later call resumes at the next batch.
    TrainOutcome fit(const Callbacks& callbacks = {}, const std::atomic<bool>* stop = nullptr);

    /// Loss and metrics of `data`, batch by batch, as Keras's evaluate.
    EpochStats evaluate(const Dataset& data);
    /// The outputs for `inputs`, one array per model output.
    std::map<std::string, Array> predict(const Dataset& inputs);

    void setEpochs(int epochs) { m_config.epochs = epochs; }
    const TrainConfig& config() const { return m_config; }
    const std::vector<EpochStats>& history() const { return m_history; }
    int epochsDone() const { return m_epoch; }
    Network& network() { return *m_network; }
    const Dataset& trainingData() const { return m_train; }
    const std::optional<Dataset>& validationData() const { return m_validation; }

private:
    /// Copies rows `order[begin, end)` of every batched array into the network and the targets.
    void loadBatch(const Dataset& data, const std::vector<Index>& order, Index begin, Index end);
    /// Forward, loss and metrics for the loaded batch; writes the loss gradient when training.
    double lossOfBatch(bool training, std::vector<std::pair<double, double>>* metricSums);
    void copyFixedInputs(const Dataset& data);

    CheckedModel m_model;
    TrainConfig m_config;
    Dataset m_train;
    std::optional<Dataset> m_validation;
    std::unique_ptr<Network> m_network;
    std::vector<Parameter*> m_trainable; ///< the network's, listed once rather than each batch
    std::unique_ptr<Optimizer> m_optimizer;
    std::vector<Metric> m_metrics;
    std::vector<std::vector<float>> m_targets; ///< per output, the current batch's targets
    std::mt19937 m_shuffleRng;
    std::mt19937 m_dropoutRng;
    std::vector<EpochStats> m_history;

    // Where a stopped run resumes.
    int m_epoch = 0;       ///< epochs completed
    Index m_nextBatch = 0; ///< next batch within the current epoch
    std::vector<Index> m_order;
    double m_lossSum = 0.0;
    double m_seen = 0.0;
    double m_epochSeconds = 0.0;
    std::vector<std::pair<double, double>> m_metricSums;

    // Early stopping.
    double m_bestValLoss = std::numeric_limits<double>::infinity();
    int m_epochsWithoutImprovement = 0;
    std::vector<std::vector<float>> m_bestWeights;
};

} // namespace sf
