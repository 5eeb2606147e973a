#pragma once

#include "io/TrainingSettings.h"
#include "qt/TrainingSession.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace sf {

class DataTable;
class GraphDocument;
class LossChart;
class PredictPanel;

/// Trains the model on the canvas: each input's and output's data (a file, an array, CSV columns
/// or generated; a manifest can fill them all), validation split or separate validation data,
/// epochs, batch size, optimizer, learning rate, loss, seed and early stopping, kept in the
/// model's file and edited as undo steps; Train, Stop, Resume, Reset weights and Evaluate (of a
/// run's weights, or of those the model was opened with); progress per epoch and per batch with
/// samples/s and time left; the live LossChart and the Predict tab. Training is disabled, with the
/// reason, while the model has errors or its data does not fit. A run trains a snapshot, from the
/// model's weights when they fit: editing the model during a run is allowed and said to detach
/// the run. A finished or stopped run's weights become the model's.
class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(GraphDocument& document, QWidget* parent = nullptr);

    TrainingSession& session() { return m_session; }
    LossChart& chart() { return *m_chart; }
    DataTable& dataTable() { return *m_data; }
    PredictPanel& predictPanel() { return *m_predict; }
    QPushButton* trainButton() const { return m_train; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* evaluateButton() const { return m_evaluate; }
    QString statusText() const;
    /// Why Train is off, or what a running run should know (empty: nothing to say).
    QString reasonText() const;
    int epochsSeen() const { return m_epochsSeen; }

    void train();
    /// Loss and metrics of the model's weights: the run's, or without one those the model was
    /// opened with (saved beside it, or restored), on the worker.
    void evaluate();
    /// Where `name`'s data comes from (an undo step), as the data table's buttons set it.
    void setSource(bool validation, bool target, const QString& name, const ArraySource& source);
    /// Drops the data entry for `name` (one the model has no input or output of).
    void forgetSource(bool validation, bool target, const QString& name);
    /// Validation from the split, or from data of its own (an undo step).
    void setSeparateValidation(bool separate);
    /// Fills every input and target from a dataset manifest (an undo step); false, with the
    /// reason in the status, when it cannot be read.
    bool importManifest(const QString& path);
    void resetWeights();
    /// Ends the active run before its model is closed: waits for the worker, and with `keepWeights`
    /// the weights it trained become the model's (so that they can be saved with it). An
    /// evaluation without a run trained none: the model keeps its own.
    void stopRun(bool keepWeights);

signals:
    void failedAtLayer(const QString& layer);

private:
    void loadSettings();
    void commitSettings();
    void commitData(const DataBinding& data, const QString& what);
    void refreshData();
    void updateState();
    /// Another model was opened: its panel starts empty (no run, chart, status or predictions).
    void onDocumentReplaced();
    /// The model on the canvas differs, in anything but card positions, from the one running.
    bool runIsDetached() const;
    TrainingSettings currentSettings() const;
    /// What a run (or an evaluation) of the model as it is now gets: graph, settings, data, weights.
    TrainingRequest currentRequest() const;

    GraphDocument& m_document;
    TrainingSession m_session;
    LossChart* m_chart;
    DataTable* m_data;
    PredictPanel* m_predict;
    QSpinBox* m_rows;
    QPushButton* m_importManifest;
    QComboBox* m_validationKind;
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QComboBox* m_optimizer;
    QDoubleSpinBox* m_lr;
    QComboBox* m_loss;
    QDoubleSpinBox* m_split;
    QSpinBox* m_seed;
    QSpinBox* m_patience;
    QPushButton* m_train;
    QPushButton* m_stop;
    QPushButton* m_resume;
    QPushButton* m_reset;
    QPushButton* m_evaluate;
    QProgressBar* m_epochBar;
    QProgressBar* m_batchBar;
    QLabel* m_reason;
    QLabel* m_status;
    QString m_runNote; ///< which weights the run started from
    Graph m_runGraph;  ///< the model as the current run got it
    bool m_loading = false;
    int m_epochsSeen = 0;
    int m_epochsPlanned = 0;
    double m_secondsPerBatch = 0.0;
};

} // namespace sf
