#pragma once

#include "io/TrainingSettings.h"
#include "qt/TrainingSession.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace sf {

class DataPreview;
class GraphDocument;
class LossChart;

/// Trains the model on the canvas: data (generated, or a dataset manifest), epochs, batch size,
/// optimizer, learning rate, loss, validation split, seed and early stopping, kept in the model's
/// file and edited as undo steps; Train, Stop, Resume and Reset; progress per epoch and per
/// batch with samples/s and time left; the live LossChart. Training is disabled, with the reason,
/// while the model has errors. The run trains a snapshot: editing the model during a run is
/// allowed and said to detach the run from the model on the canvas.
class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(GraphDocument& document, QWidget* parent = nullptr);

    TrainingSession& session() { return m_session; }
    LossChart& chart() { return *m_chart; }
    DataPreview& preview() { return *m_preview; }
    QPushButton* trainButton() const { return m_train; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* evaluateButton() const { return m_evaluate; }
    QString statusText() const;
    int epochsSeen() const { return m_epochsSeen; }

    void train();

signals:
    void failedAtLayer(const QString& layer);

private:
    void loadSettings();
    void commitSettings();
    void updateState();
    TrainingSettings currentSettings() const;

    GraphDocument& m_document;
    TrainingSession m_session;
    LossChart* m_chart;
    DataPreview* m_preview;
    QComboBox* m_dataKind;
    QSpinBox* m_rows;
    QLineEdit* m_manifest;
    QPushButton* m_browse;
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
    bool m_loading = false;
    bool m_detached = false;
    int m_epochsSeen = 0;
    int m_epochsPlanned = 0;
    double m_secondsPerBatch = 0.0;
};

} // namespace sf
