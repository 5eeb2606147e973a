#include "TrainingSession.h"

#include "train/NetworkWeights.h"
#include "train/Trainer.h"

#include <chrono>

namespace sf {

namespace {

/// The trainer of `request`: its data generated or loaded and checked, the model compiled; throws
/// what goes wrong. It can take a while: the worker does it, not the GUI.
std::unique_ptr<Trainer> prepareTrainer(TrainingRequest& request)
{
    request.data.fillGaps(request.model); // an input or output the user gave no data gets generated data
    LoadedData data = loadData(request.data, request.folder, request.model, request.config.loss, request.config.seed);
    return std::make_unique<Trainer>(request.model, request.config, std::move(data.training),
                                     std::move(data.validation));
}

} // namespace

TrainingSession::TrainingSession(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<BatchReport>();
    qRegisterMetaType<EpochStats>();
    m_worker.moveToThread(&m_thread);
    m_thread.start();
}

template <typename Emit> void TrainingSession::reportEnd(std::uint64_t run, Emit emitSignal)
{
    report(run, [this, emitSignal = std::move(emitSignal)] {
        m_busy = false;
        emitSignal();
    });
}

template <typename Emit> void TrainingSession::report(std::uint64_t run, Emit emitSignal)
{
    QMetaObject::invokeMethod(
        this,
        [this, run, emitSignal = std::move(emitSignal)] {
            if (run == m_run)
                emitSignal();
        },
        Qt::QueuedConnection);
}

TrainingSession::~TrainingSession()
{
    m_stop = true;
    m_thread.quit();
    m_thread.wait();
}

void TrainingSession::start(TrainingRequest request)
{
    if (m_busy)
        return;
    m_stop = false;
    m_running = true;
    m_busy = true;
    m_hasRun = false;
    m_weights.clear();
    const std::uint64_t run = ++m_run;
    QMetaObject::invokeMethod(
        &m_worker,
        [this, run, request = std::move(request)]() mutable {
            QString note;
            try {
                m_trainer = prepareTrainer(request);
                if (!request.weights.empty()) {
                    try {
                        setWeights(m_trainer->network(), request.weights, "the model's weights");
                        note = tr("Training on from the model's weights.");
                    } catch (const DataError& e) {
                        note = tr("The model's weights no longer fit it (%1): training starts from new weights.")
                                   .arg(QString::fromStdString(e.what()));
                    }
                }
            } catch (const std::exception& e) {
                m_trainer.reset();
                m_running = false;
                reportEnd(run, [this, message = QString::fromStdString(e.what())] { emit failed(message, {}); });
                return;
            }
            m_hasRun = true;
            report(run, [this, note] { emit started(note); });
            runOnWorker(run);
        },
        Qt::QueuedConnection);
}

void TrainingSession::resume(int moreEpochs)
{
    if (m_busy || !m_hasRun)
        return;
    if (moreEpochs > 0)
        m_trainer->setEpochs(m_trainer->epochsDone() + moreEpochs);
    m_stop = false;
    m_running = true;
    m_busy = true;
    QMetaObject::invokeMethod(
        &m_worker, [this, run = m_run] { runOnWorker(run); }, Qt::QueuedConnection);
}

void TrainingSession::runOnWorker(std::uint64_t run)
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
            report(run, [this, pending] { emit batchesFinished(pending); });
            pending.losses.clear();
            lastReport = Clock::now();
        }
    };
    callbacks.onEpoch = [&](const EpochStats& e) { report(run, [this, e] { emit epochFinished(e); }); };
    try {
        const TrainOutcome outcome = m_trainer->fit(callbacks, &m_stop);
        if (!pending.losses.empty())
            report(run, [this, pending] { emit batchesFinished(pending); });
        m_weights = weightArrays(m_trainer->network());
        const QString message = QString::fromStdString(outcome.message);
        const QString layer = QString::fromStdString(outcome.failedLayer);
        m_running = false;
        switch (outcome.status) {
        case TrainOutcome::Status::Stopped:
            reportEnd(run, [this, message] { emit stopped(message); });
            break;
        case TrainOutcome::Status::Failed:
            reportEnd(run, [this, message, layer] { emit failed(message, layer); });
            break;
        default:
            reportEnd(run, [this, message] { emit finished(message); });
            break;
        }
    } catch (const std::exception& e) {
        m_running = false;
        reportEnd(run, [this, message = QString::fromStdString(e.what())] { emit failed(message, {}); });
    }
}

void TrainingSession::evaluate()
{
    if (m_busy || !m_hasRun)
        return;
    m_running = true;
    m_busy = true;
    QMetaObject::invokeMethod(
        &m_worker, [this, run = m_run] { evaluateOnWorker(run); }, Qt::QueuedConnection);
}

void TrainingSession::evaluate(TrainingRequest request)
{
    if (m_busy)
        return;
    discard(); // the trainer it prepares is not a run's
    m_running = true;
    m_busy = true;
    QMetaObject::invokeMethod(
        &m_worker,
        [this, run = m_run, request = std::move(request)]() mutable {
            try {
                m_trainer = prepareTrainer(request);
                setWeights(m_trainer->network(), request.weights, "the model's weights");
            } catch (const std::exception& e) {
                m_trainer.reset();
                m_running = false;
                reportEnd(run, [this, message = QString::fromStdString(e.what())] { emit failed(message, {}); });
                return;
            }
            evaluateOnWorker(run);
        },
        Qt::QueuedConnection);
}

void TrainingSession::evaluateOnWorker(std::uint64_t run)
{
    try {
        const bool validation = m_trainer->validationData().has_value();
        const EpochStats stats =
            m_trainer->evaluate(validation ? *m_trainer->validationData() : m_trainer->trainingData());
        const QString what = validation ? tr("validation data") : tr("training data");
        m_running = false;
        reportEnd(run, [this, stats, what] { emit evaluated(stats, what); });
    } catch (const std::exception& e) {
        m_running = false;
        reportEnd(run, [this, message = QString::fromStdString(e.what())] { emit failed(message, {}); });
    }
}

void TrainingSession::stopAndWait()
{
    if (!m_busy)
        return;
    m_stop = true;
    // The worker checks the flag between batches; the data preparation before the first one is
    // not interrupted, so this can take as long as that.
    while (m_running)
        QThread::msleep(2);
    m_busy = false;
    ++m_run; // its end is handled here, by the caller: the queued signals are not delivered
}

void TrainingSession::abandon()
{
    stopAndWait();
    ++m_run;
    discard();
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
