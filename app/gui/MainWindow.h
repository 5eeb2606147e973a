#pragma once

#include "document/GraphDocument.h"
#include "io/KerasExport.h"
#include "io/ModelLoader.h"

#include <QMainWindow>

class QLabel;

namespace sf {

class AnalysisPanel;
class FindBar;
class GraphScene;
class GraphView;
class InspectorPanel;
class LayerPalette;
class Minimap;
class ProblemsPanel;
class StatusMessage;
class SummaryPanel;

/// Shapeflow's main window: the canvas, with the palette, inspector, problems, summary, analysis
/// and training docks, File/Edit/View/Layout/Training/Help menus, and a title that shows the file
/// and unsaved changes.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a .sfmodel or Keras JSON file; on failure shows why (unless `quiet`) and keeps the model.
    bool openFile(const QString& path, bool quiet = false);
    bool saveTo(const QString& path);

    GraphDocument& document() { return *m_document; }
    GraphScene& scene() { return *m_scene; }
    GraphView& view() { return *m_view; }
    ProblemsPanel& problems() { return *m_problems; }
    InspectorPanel& inspector() { return *m_inspector; }
    AnalysisPanel& analysis() { return *m_analysis; }
    LayerPalette& palette() { return *m_palette; }
    class TrainingPanel& training() { return *m_training; }
    FindBar& findBar() { return *m_findBar; }
    Minimap& minimap() { return *m_minimap; }
    QString lastError() const { return m_lastError; }
    /// The status bar's passing message, whole; empty once it has timed out.
    QString statusMessage() const;
    /// Writes the model for Keras as `path`'s ending says: model JSON of `flavour`, a Keras 3 Python
    /// script (.py), or with its weights a .keras, .h5 or .weights.h5; with `tfjsFolder` a TensorFlow.js
    /// folder whose model.json `path` is. What Keras will make of it goes to the status bar.
    bool exportKerasTo(const QString& path, KerasFlavour flavour, bool tfjsFolder = false);
    /// Writes a Keras 3 training project into the new folder `dir` (writeTrainingProject: the
    /// model with its current weights, train.py, a copy of the data its training settings name);
    /// what was written, or why not, goes to the status bar.
    bool exportTrainingProjectTo(const QString& dir);

    /// Adds a layer of `className` at `where` (scene coordinates), or the nearest spot where its
    /// card covers no other, as one undo step; it becomes the selection.
    void addLayer(const QString& className, QPointF where);
    /// Adds a layer from the palette or quick add: beside the selected layers, fed by the selected
    /// layer when there is one whose output feeds nothing yet (freeSpotBeside); with nothing
    /// selected, as addLayer at `otherwise`.
    void addLayerBesideSelection(const QString& className, QPointF otherwise);
    /// Applies a quick fix as one undo step, then the canvas has the focus.
    void applyFix(const QuickFix& fix);
    void autoLayout();
    void copySelection(bool cut);
    /// Pastes Shapeflow layers from the clipboard, offset, as one undo step; they become the selection.
    void paste();
    void duplicateSelection();
    /// Shows the Training panel and trains the open model for `epochs` epochs on generated data.
    void trainDemo(int epochs);
    /// Offers to restore work an earlier run left unsaved; true when it was restored.
    bool restoreAutosave();

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void createDocks();
    /// The docks' first sizes, for the window's size when it is first shown (when no earlier
    /// arrangement was kept).
    void sizeDocks();
    /// A layer of `className` not yet in the model: its id, free name and default arguments.
    std::optional<Node> newLayer(const QString& className) const;
    /// Adds `node`, fed by `feed` when that is valid, as one undo step; selects and shows it.
    void insertLayer(const Node& node, PortRef feed);
    /// File > New and Close: once maybeClose agrees, an empty untitled model.
    void closeModel();
    void createMenus();
    void onReportChanged();
    void updateTitle();
    /// A message in the status bar for `milliseconds`, elided to the room beside the counts (whole in its tooltip).
    void showStatus(const QString& message, int milliseconds);
    /// Before the model is closed (New, Close, Open, Import, Quit): a running training asks to stop,
    /// keeping or discarding its weights, then unsaved changes ask to be saved. False: cancelled.
    bool maybeClose();
    bool endRunBeforeClosing();
    bool maybeSave();
    bool save();
    bool saveAs();
    void revealLayer(NodeId id);
    bool fail(const QString& message, bool quiet);
    /// Reads a .sfmodel or Keras JSON file; on failure reports why (see fail) and returns nothing.
    std::optional<LoadedModel> readModel(const QString& path, bool quiet);
    /// Adds copies of `copied`'s layers, offset, as one undo step named `verb`; they become the selection.
    void pasteLayers(const Graph& copied, const QString& verb);
    void exportImage();
    void exportKeras();
    /// Where an export of the model is offered first: beside its file, named after it.
    QString exportPathFor(const QString& suffix) const;
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();

    GraphDocument* m_document;
    GraphScene* m_scene;
    GraphView* m_view;
    LayerPalette* m_palette;
    InspectorPanel* m_inspector;
    ProblemsPanel* m_problems;
    SummaryPanel* m_summary;
    AnalysisPanel* m_analysis;
    class TrainingPanel* m_training;
    FindBar* m_findBar;
    Minimap* m_minimap = nullptr;
    QLabel* m_status;         ///< the permanent counts: layers, errors, warnings
    StatusMessage* m_message; ///< the passing message beside them
    QMenu* m_recent = nullptr;
    QPointF m_quickAddAt;
    class Autosave* m_autosave = nullptr;
    std::vector<ImportProblem> m_importProblems; ///< what the import of the open file could not carry over
    QString m_lastError;
    bool m_docksUnsized = false; ///< sizeDocks is due when the window is first shown
};

} // namespace sf
