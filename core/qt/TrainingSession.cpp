#include "TrainingSession.h"

#include "io/WeightsFile.h"
#include "train/Trainer.h"

#include <chrono>

namespace sf {

TrainingSession::TrainingSession(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<BatchReport>();
    qRegisterMetaType<EpochStats>();
    m_worker.moveToThread(&m_thread);
    m_thread.start();
}

TrainingSession::~TrainingSession()
{
    m_stop = true;
    m_thread.quit();
    m_thread.wait();
}

void TrainingSession::start(TrainingRequest request)
{
    if (m_running)
        return;
    m_stop = false;
    m_running = true;
    m_hasRun = false;
    m_weights.clear();
    // Generating or loading data and compiling can take a while: the worker does it, not the GUI.
    QMetaObject::invokeMethod(
        &m_worker,
        [this, request = std::move(request)]() mutable {
            QString note;
            try {
                request.data.fillGaps(request.graph); // an input or output the user gave no data gets generated data
                LoadedData data = loadData(request.data, request.folder, request.graph, request.config.loss, request.config.seed);
                m_trainer = std::make_unique<Trainer>(request.graph, request.config, std::move(data.training), std::move(data.validation));
                if (!request.weights.empty()) {
                    try {
                        setWeights(m_trainer->network(), request.weights, "the model's weights");
                        note = tr("Training on from the model's weights.");
                    } catch (const DataError& e) {
                        note = tr("The model's weights no longer fit it (%1): training starts from new weights.").arg(QString::fromStdString(e.what()));
                    }
                }
            } catch (const std::exception& e) {
                m_trainer.reset();
                m_running = false;
                emit failed(QString::fromStdString(e.what()), {});
                return;
            }
            m_hasRun = true;
            emit started(note);
            runOnWorker();
        },
        Qt::QueuedConnection);
}

void TrainingSession::resume(int moreEpochs)
{
    if (m_running || !m_hasRun)
        return;
    if (moreEpochs > 0)
        m_trainer->setEpochs(m_trainer->epochsDone() + moreEpochs);
    m_stop = false;
    m_running = true;
    QMetaObject::invokeMethod(&m_worker, [this] { runOnWorker(); }, Qt::QueuedConnection);
}

void TrainingSession::runOnWorker()
{
    using Clock = std::chrono::steady_clock;
    BatchReport pending;
    auto lastReport = Clock::now();
    Trainer::Callbacks callbacks;
    callbacks.onBatch = [&](const BatchStats& s) {
        pending.epoch = s.epoch;
        pending.batch = s.batch;
        pending.batches = s.batches;
        pending.losses.push_back(s.loss);
        if (Clock::now() - lastReport >= std::chrono::milliseconds(50) || s.batch == s.batches) {
            emit batchesFinished(pending);
            pending.losses.clear();
            lastReport = Clock::now();
        }
    };
    callbacks.onEpoch = [&](const EpochStats& e) { emit epochFinished(e); };
    try {
        const TrainOutcome outcome = m_trainer->fit(callbacks, &m_stop);
        if (!pending.losses.empty())
            emit batchesFinished(pending);
        m_weights = weightArrays(m_trainer->network());
        m_running = false;
        const QString message = QString::fromStdString(outcome.message);
        switch (outcome.status) {
        case TrainOutcome::Status::Stopped: emit stopped(message); break;
        case TrainOutcome::Status::Failed: emit failed(message, QString::fromStdString(outcome.failedLayer)); break;
        default: emit finished(message); break;
        }
    } catch (const std::exception& e) {
        m_running = false;
        emit failed(QString::fromStdString(e.what()), {});
    }
}

void TrainingSession::evaluate()
{
    if (m_running || !m_hasRun)
        return;
    m_running = true;
    QMetaObject::invokeMethod(
        &m_worker,
        [this] {
            try {
                const bool validation = m_trainer->validationData().has_value();
                const EpochStats stats = m_trainer->evaluate(validation ? *m_trainer->validationData() : m_trainer->trainingData());
                m_running = false;
                emit evaluated(stats, validation ? tr("validation data") : tr("training data"));
            } catch (const std::exception& e) {
                m_running = false;
                emit failed(QString::fromStdString(e.what()), {});
            }
        },
        Qt::QueuedConnection);
}

void TrainingSession::discard()
{
    if (m_running)
        return;
    m_hasRun = false;
    m_trainer.reset();
    m_weights.clear();
}

} // namespace sf
