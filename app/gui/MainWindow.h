#pragma once

#include "io/ModelLoader.h"
#include "shape/ShapeReport.h"

#include <QMainWindow>

class QLabel;

namespace sf {

class SummaryPanel;
class ProblemsPanel;

/// Shapeflow's main window: for now the model's summary and its problems, with File and
/// Examples menus. The node-graph canvas joins it with the editor issue.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// Opens a .sfmodel or Keras JSON file; on failure shows why and keeps the current model.
    bool openFile(const QString& path, bool quiet = false);
    /// Opens a model from text (an example resource); `title` names it in the window.
    bool openText(const QByteArray& text, const QString& title, bool quiet = false);

    const ModelDocument& document() const { return m_document; }
    const ShapeReport& report() const { return m_report; }
    QString lastError() const { return m_lastError; }

private slots:
    void onOpen();

private:
    void createMenus();
    void display(LoadedModel loaded, const QString& title);
    bool fail(const QString& message, bool quiet);

    ModelDocument m_document;
    ShapeReport m_report;
    QString m_lastError;
    QLabel* m_note;
    QLabel* m_status;
    SummaryPanel* m_summary;
    ProblemsPanel* m_problems;
};

} // namespace sf
