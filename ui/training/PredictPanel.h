#pragma once

#include "data/Dataset.h"
#include "io/ArraySource.h"
#include "shape/Shape.h"

#include <QFutureWatcher>
#include <QImage>
#include <QWidget>
#include <map>
#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QFormLayout;

namespace sf {

class GraphDocument;
class RefreshWhenShown;

/// Runs the model's trained weights: for each model input, one sample typed in (token ids or
/// numbers, separated by spaces or commas; token ids are padded with 0 to a fixed length) or
/// every row of a file; shows each output per sample (with the class for a classifier), after a
/// picture of each image input's sample, and saves them as .npy or .npz. Prediction runs off the GUI thread; it is off,
/// with the reason, while the model has errors or no trained weights.
class PredictPanel : public QWidget {
    Q_OBJECT
public:
    explicit PredictPanel(GraphDocument& document, QWidget* parent = nullptr);
    ~PredictPanel() override;

    /// Starts a prediction; false, with the reason shown, when the inputs cannot be read.
    bool predict();
    bool isBusy() const { return m_watcher.isRunning(); }
    QLineEdit* sampleEdit(const QString& input) const;
    /// Predicts every row of a file for `input` (an empty source: back to the typed sample).
    void setInputFile(const QString& input, const std::optional<ArraySource>& source);
    QPushButton* predictButton() const { return m_predict; }
    QPushButton* saveButton() const { return m_save; }
    QTableWidget* results() const { return m_results; }
    /// Drops the outputs shown (another model was opened); a prediction still running is not shown.
    void forget();
    QString message() const;
    QString reason() const;
    const std::map<std::string, Array>& outputs() const { return m_outputs; }
    bool saveOutputs(const QString& path);

signals:
    void predicted();

private:
    struct InputRow {
        QLineEdit* edit;
        QPushButton* file;
        QPushButton* clear; ///< back to a typed sample
        std::optional<ArraySource> source;
    };
    struct Outcome {
        std::map<std::string, Array> outputs;
        /// The shown samples of each input that is an image, as pictures (made off the GUI thread).
        std::map<std::string, std::vector<QImage>> pictures;
        QString error;
    };
    void rebuild();
    void updateState();
    void show(const Outcome& outcome);
    Dataset gatherInputs() const;
    std::optional<Shape> expectedShape(const std::string& input) const;

    GraphDocument& m_document;
    QFormLayout* m_form;
    std::map<std::string, InputRow> m_inputs;
    std::vector<std::string> m_inputOrder;
    QPushButton* m_predict;
    RefreshWhenShown* m_rows; ///< rebuilds the input rows when the panel can be seen
    QPushButton* m_save;
    QLabel* m_reason;
    QLabel* m_message;
    QTableWidget* m_results;
    QFutureWatcher<Outcome> m_watcher;
    std::map<std::string, Array> m_outputs;
    bool m_dropPending = false; ///< the running prediction was for a model since closed
};

} // namespace sf
