#pragma once

#include "data/Array.h"
#include "graph/Graph.h"
#include "io/DataBinding.h"
#include "train/TrainConfig.h"

#include <QObject>
#include <QThread>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

namespace sf {

class Trainer;

/// What a run trains: a snapshot of the model, its settings and data, and the weights to start
/// from (empty: new initial weights).
struct TrainingRequest {
    CheckedModel model;
    TrainConfig config;
    DataBinding data;
    std::string folder; ///< relative data file names are taken from here (the model's folder)
    std::map<std::string, Array> weights;
};

/// Batches reported to the GUI since the last report (at most ~20 reports a second).
struct BatchReport {
    int epoch = 0;
    Index batch = 0;
    Index batches = 0;
    std::vector<double> losses; ///< one per batch, in order
    double samplesPerSecond = 0.0;
};

/// Trains a snapshot of the model on a worker thread (the QThread worker-object pattern). The
/// worker never touches GraphModel or an item; it is stopped by an atomic flag, checked between
/// batches; every exception is caught there and reported as failed(message).
class TrainingSession : public QObject {
    Q_OBJECT
public:
    explicit TrainingSession(QObject* parent = nullptr);
    ~TrainingSession() override;

    /// Starts a run on the worker thread, which first prepares it (data generated or loaded,
    /// checked, the model compiled, the starting weights set): a problem there is reported by
    /// failed() and nothing trains; otherwise started() says which weights it starts from.
    void start(TrainingRequest request);
    /// Continues a stopped run for `moreEpochs` more epochs if it had finished.
    void resume(int moreEpochs = 0);
    /// Evaluates the trained weights on the validation data (or the training data without one),
    /// on the worker; the result arrives by evaluated().
    void evaluate();
    /// Evaluates `request`'s weights (the model's, opened with it) the same way without a run:
    /// the worker prepares the data and compiles the model as for start(), and weights that do
    /// not fit the model are reported by failed(). A run that is not running is forgotten first
    /// (discard()), and Resume has none to continue.
    void evaluate(TrainingRequest request);
    /// Forgets a run that is not running: Resume and Evaluate have nothing to continue.
    void discard();
    /// Asks the worker to stop after the current batch.
    void stop() { m_stop = true; }
    /// Stops the run and waits until the worker is idle (a batch, or the data preparation), then
    /// weights() holds what it trained. Its stopped() or finished() signal is then not sent.
    void stopAndWait();
    /// Forgets everything about past runs (another model was opened): stops and waits for a run
    /// still going, and no signal of an earlier run or evaluation arrives after this.
    void abandon();
    /// A run or an evaluation is under way, as the GUI thread sees it: from its start until its
    /// last signal (finished, stopped, failed, evaluated) is delivered, or it is waited for or
    /// abandoned. The worker may be done a little earlier; buttons follow this, not the worker.
    bool isRunning() const { return m_busy; }
    bool hasRun() const { return m_hasRun; }
    /// The weights as the last run left them, by Keras name (empty before any run): taken on the
    /// worker before finished(), stopped() or failed() is sent, so those signals' handlers read
    /// that run's weights even if another job has started since.
    const std::map<std::string, Array>& weights() const { return m_weights; }

signals:
    void started(const QString& note);
    void batchesFinished(const sf::BatchReport& report);
    void epochFinished(const sf::EpochStats& stats);
    void stopped(const QString& message);
    void finished(const QString& message);
    void failed(const QString& message, const QString& layer);
    void evaluated(const sf::EpochStats& stats, const QString& what);

private:
    void runOnWorker(std::uint64_t run);
    void evaluateOnWorker(std::uint64_t run);
    /// Sends a signal from the worker to the GUI thread, unless the run it belongs to has been
    /// abandoned or waited for by then (checked on the GUI thread, where those happen).
    template <typename Emit> void report(std::uint64_t run, Emit emitSignal);
    /// report() for a job's last signal: the job stops being busy as it is delivered.
    template <typename Emit> void reportEnd(std::uint64_t run, Emit emitSignal);

    QThread m_thread;
    QObject m_worker; ///< lives on m_thread; runs the loop through invokeMethod
    std::unique_ptr<Trainer> m_trainer;
    std::map<std::string, Array> m_weights; ///< written on the worker at the end of a run only
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_running{false}; ///< the worker has a job
    bool m_busy = false;                ///< isRunning(); GUI thread only
    std::atomic<bool> m_hasRun{false};  ///< a trainer exists (set on the worker)
    std::uint64_t m_run = 0;            ///< the current run's number; GUI thread only
};

} // namespace sf

Q_DECLARE_METATYPE(sf::BatchReport)
Q_DECLARE_METATYPE(sf::EpochStats)
