#include "Trainer.h"

#include "DataCheck.h"
#include "Initializers.h"
#include "Predict.h"
#include "engine/NetworkCompiler.h"

#include <chrono>
#include <cmath>
#include <numeric>

namespace sf {

namespace {

std::map<std::string, Index> fixedRowsOf(const Network& net)
{
    std::map<std::string, Index> fixed;
    for (const Network::Port& in : net.inputs())
        if (!in.batched)
            fixed[in.name] = in.buffers->value.shape[0];
    return fixed;
}

} // namespace

Trainer::Trainer(CheckedModel model, TrainConfig config, Dataset data, std::optional<Dataset> validation)
    : m_model(std::move(model)), m_config(std::move(config)), m_train(std::move(data)),
      m_validation(std::move(validation)), m_shuffleRng(m_config.seed), m_dropoutRng(m_config.seed + 1)
{
    if (m_config.batchSize < 1)
        throw std::invalid_argument("The batch size must be 1 or more; got " + std::to_string(m_config.batchSize));
    if (m_config.epochs < 0)
        throw std::invalid_argument("The number of epochs must not be negative");
    if (!TrainConfig::validationSplitRange.contains(m_config.validationSplit))
        throw std::invalid_argument("validation_split must be in [0, 1); got " +
                                    std::to_string(m_config.validationSplit));
    m_network = NetworkCompiler::compile(m_model, m_config.batchSize, sampleShapesOf(m_model.graph(), m_train));
    m_trainable = m_network->trainableParameters();
    checkData(m_model.graph(), *m_network, m_train, m_config.loss, true, "training data");
    if (m_config.validationSplit > 0.0 && !m_validation) {
        m_validation = m_train.splitTail(m_config.validationSplit, fixedRowsOf(*m_network));
        if (m_validation->rows() == 0 || m_train.rows() == 0)
            throw DataError("validation_split=" + std::to_string(m_config.validationSplit) +
                            " leaves no rows for training or for validation");
    }
    if (m_validation)
        checkData(m_model.graph(), *m_network, *m_validation, m_config.loss, true, "validation data");

    const Index width = m_network->outputs().front().buffers->value.cols();
    if (m_config.metrics.empty()) {
        const bool regression =
            m_config.loss.kind == LossKind::MeanSquaredError || m_config.loss.kind == LossKind::MeanAbsoluteError;
        m_config.metrics = {regression ? "mae" : "accuracy"};
    }
    m_metrics = resolveMetrics(m_config.metrics, m_config.loss, width);
    m_optimizer = Optimizer::create(m_config.optimizer);
    for (const Network::Port& out : m_network->outputs())
        m_targets.emplace_back(static_cast<std::size_t>(
            out.buffers->value.rows() *
            (m_config.loss.kind == LossKind::SparseCategoricalCrossentropy ? 1 : out.buffers->value.cols())));
    initializeWeights(*m_network, m_config.seed);
}

void Trainer::copyFixedInputs(const Dataset& data)
{
    for (const Network::Port& in : m_network->inputs())
        if (!in.batched) {
            const Array& a = data.inputs.at(in.name);
            std::copy(a.values.begin(), a.values.end(), in.buffers->value.data);
        }
}

void Trainer::loadBatch(const Dataset& data, const std::vector<Index>& order, Index begin, Index end)
{
    m_network->setActiveBatch(end - begin);
    for (const Network::Port& in : m_network->inputs()) {
        if (!in.batched)
            continue;
        const Array& a = data.inputs.at(in.name);
        const Index sample = a.sampleSize();
        float* dst = in.buffers->value.data;
        for (Index i = begin; i < end; ++i, dst += sample)
            std::copy_n(a.values.data() + order[static_cast<std::size_t>(i)] * sample, sample, dst);
    }
    for (std::size_t o = 0; o < m_network->outputs().size(); ++o) {
        const Array& a = data.targets.at(m_network->outputs()[o].name);
        const Index sample = a.sampleSize();
        float* dst = m_targets[o].data();
        for (Index i = begin; i < end; ++i, dst += sample)
            std::copy_n(a.values.data() + order[static_cast<std::size_t>(i)] * sample, sample, dst);
    }
}

double Trainer::lossOfBatch(bool training, std::vector<std::pair<double, double>>* metricSums)
{
    m_network->forward({training, &m_dropoutRng});
    if (training)
        m_network->zeroGradients();
    double loss = 0.0;
    for (std::size_t o = 0; o < m_network->outputs().size(); ++o) {
        const Network::Port& out = m_network->outputs()[o];
        // A sequence output's mask, one entry per (sample, step) row of it, weighs loss and metrics.
        const float* mask = out.buffers->value.shape.size() == 3 ? out.buffers->mask : nullptr;
        loss += computeLoss(m_config.loss, out.buffers->value, m_targets[o].data(),
                            training ? out.buffers->grad.data : nullptr, mask);
        if (metricSums && o == 0)
            for (std::size_t m = 0; m < m_metrics.size(); ++m)
                accumulateMetric(m_metrics[m], m_config.loss, out.buffers->value, m_targets[o].data(),
                                 (*metricSums)[m].first, (*metricSums)[m].second, mask);
    }
    return loss;
}

TrainOutcome Trainer::fit(const Callbacks& callbacks, const std::atomic<bool>* stop)
{
    using Clock = std::chrono::steady_clock;
    const Index rows = m_train.rows();
    const Index batches = (rows + m_config.batchSize - 1) / m_config.batchSize;
    copyFixedInputs(m_train);

    while (m_epoch < m_config.epochs) {
        if (m_nextBatch == 0) {
            m_order.resize(static_cast<std::size_t>(rows));
            std::iota(m_order.begin(), m_order.end(), Index{0});
            if (m_config.shuffle)
                std::shuffle(m_order.begin(), m_order.end(), m_shuffleRng);
            m_lossSum = m_seen = m_epochSeconds = 0.0;
            m_metricSums.assign(m_metrics.size(), {0.0, 0.0});
        }
        const auto started = Clock::now();
        for (; m_nextBatch < batches; ++m_nextBatch) {
            if (stop && stop->load(std::memory_order_relaxed)) {
                m_epochSeconds += std::chrono::duration<double>(Clock::now() - started).count();
                return {TrainOutcome::Status::Stopped,
                        "Stopped at epoch " + std::to_string(m_epoch + 1) + ", batch " +
                            std::to_string(m_nextBatch + 1) + " of " + std::to_string(batches),
                        {}};
            }
            const Index begin = m_nextBatch * m_config.batchSize;
            const Index end = std::min(rows, begin + m_config.batchSize);
            loadBatch(m_train, m_order, begin, end);
            const double loss = lossOfBatch(true, &m_metricSums);
            if (!std::isfinite(loss)) {
                const std::string layer = m_network->firstNonFiniteLayer();
                const std::string where =
                    "epoch " + std::to_string(m_epoch + 1) + ", batch " + std::to_string(m_nextBatch + 1);
                m_nextBatch = 0; // the weights are no longer usable: a resume starts the epoch again
                return {TrainOutcome::Status::Failed,
                        "The loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at " + where +
                            (layer.empty()
                                 ? std::string(": every layer's output is finite, so the loss itself overflowed")
                                 : "; the first layer whose output is not finite is \"" + layer + "\"") +
                            ". Try a smaller learning rate.",
                        layer};
            }
            m_network->backward();
            m_optimizer->step(m_trainable);
            const auto size = static_cast<double>(end - begin);
            m_lossSum += loss * size;
            m_seen += size;
            if (callbacks.onBatch)
                callbacks.onBatch({m_epoch + 1, m_nextBatch + 1, batches, loss});
        }
        m_epochSeconds += std::chrono::duration<double>(Clock::now() - started).count();

        EpochStats stats;
        stats.epoch = m_epoch + 1;
        stats.loss = m_lossSum / m_seen;
        for (std::size_t m = 0; m < m_metrics.size(); ++m)
            stats.metrics.emplace_back(m_metrics[m].name, m_metricSums[m].first / m_metricSums[m].second);
        stats.seconds = m_epochSeconds;
        stats.samplesPerSecond = m_seen / std::max(m_epochSeconds, 1e-9);
        stats.learningRate = m_optimizer->learningRate();
        if (m_validation) {
            const EpochStats val = evaluate(*m_validation);
            stats.valLoss = val.loss;
            stats.valMetrics = val.metrics;
        }
        m_history.push_back(stats);
        ++m_epoch;
        m_nextBatch = 0;
        if (callbacks.onEpoch)
            callbacks.onEpoch(stats);

        if (m_config.earlyStopping.enabled && stats.valLoss) {
            if (*stats.valLoss < m_bestValLoss - m_config.earlyStopping.minDelta) {
                m_bestValLoss = *stats.valLoss;
                m_epochsWithoutImprovement = 0;
                m_bestWeights.clear();
                for (const Parameter* p : m_network->parameters())
                    m_bestWeights.push_back(p->value);
            } else if (++m_epochsWithoutImprovement >= m_config.earlyStopping.patience) {
                if (m_config.earlyStopping.restoreBestWeights && !m_bestWeights.empty()) {
                    const auto params = m_network->parameters();
                    for (std::size_t i = 0; i < params.size(); ++i)
                        params[i]->value = m_bestWeights[i];
                }
                return {TrainOutcome::Status::EarlyStopped,
                        "Early stopping at epoch " + std::to_string(m_epoch) + ": val_loss has not improved for " +
                            std::to_string(m_config.earlyStopping.patience) + " epochs",
                        {}};
            }
        }
    }
    return {TrainOutcome::Status::Finished, "Finished " + std::to_string(m_epoch) + " epochs", {}};
}

EpochStats Trainer::evaluate(const Dataset& data)
{
    checkData(m_model.graph(), *m_network, data, m_config.loss, true, "evaluation data");
    copyFixedInputs(data);
    const Index rows = data.rows();
    std::vector<Index> order(static_cast<std::size_t>(rows));
    std::iota(order.begin(), order.end(), Index{0});
    std::vector<std::pair<double, double>> sums(m_metrics.size(), {0.0, 0.0});
    double lossSum = 0.0;
    for (Index begin = 0; begin < rows; begin += m_config.batchSize) {
        const Index end = std::min(rows, begin + m_config.batchSize);
        loadBatch(data, order, begin, end);
        lossSum += lossOfBatch(false, &sums) * static_cast<double>(end - begin);
    }
    copyFixedInputs(m_train);
    EpochStats stats;
    stats.loss = lossSum / static_cast<double>(rows);
    for (std::size_t m = 0; m < m_metrics.size(); ++m)
        stats.metrics.emplace_back(m_metrics[m].name, sums[m].first / sums[m].second);
    return stats;
}

std::map<std::string, Array> Trainer::predict(const Dataset& inputs)
{
    checkData(m_model.graph(), *m_network, inputs, m_config.loss, false, "prediction input");
    std::map<std::string, Array> outputs = predictArrays(*m_network, inputs);
    copyFixedInputs(m_train);
    return outputs;
}

} // namespace sf
