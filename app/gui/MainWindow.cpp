#include "MainWindow.h"

#include "canvas/CardFootprint.h"
#include "canvas/FindBar.h"
#include "canvas/GraphScene.h"
#include "canvas/GraphView.h"
#include "canvas/Minimap.h"
#include "canvas/NodeItem.h"
#include "canvas/SceneExport.h"
#include "commands/GraphCommands.h"
#include "dialogs/ShortcutsDialog.h"
#include "document/Autosave.h"
#include "document/GraphClipboard.h"
#include "graph/ConnectionRules.h"
#include "graph/LayerCatalogue.h"
#include "io/FileFormatError.h"
#include "io/KerasExport.h"
#include "io/KerasModelWriting.h"
#include "io/KerasPython.h"
#include "io/ModelLoader.h"
#include "io/Npy.h"
#include "io/Npz.h"
#include "io/TfjsModelFolder.h"
#include "io/TrainingProject.h"
#include "io/WeightsFile.h"
#include "panels/AnalysisPanel.h"
#include "panels/InspectorPanel.h"
#include "panels/LayerPalette.h"
#include "panels/ProblemsPanel.h"
#include "panels/QuickAddPopup.h"
#include "panels/StatusMessage.h"
#include "panels/SummaryPanel.h"
#include "training/TrainingPanel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTreeWidget>
#include <QUndoView>
#include <QVBoxLayout>
#include <filesystem>

namespace sf {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_document(new GraphDocument(this)), m_scene(new GraphScene(*m_document, this)),
      m_view(new GraphView(m_scene, this)), m_palette(new LayerPalette(this)),
      m_inspector(new InspectorPanel(*m_document, this)), m_problems(new ProblemsPanel(this)),
      m_summary(new SummaryPanel(this)), m_analysis(new AnalysisPanel(this)),
      m_training(new TrainingPanel(*m_document, this)), m_findBar(new FindBar(m_document->graph(), this)),
      m_status(new QLabel(this)), m_message(new StatusMessage(this))
{
    auto* canvas = new QWidget(this);
    auto* column = new QVBoxLayout(canvas);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    column->addWidget(m_findBar);
    column->addWidget(m_view, 1);
    setCentralWidget(canvas);
    m_minimap = new Minimap(*m_view, *m_scene);
    m_message->setObjectName("statusMessage");
    m_status->setObjectName("statusCounts");
    statusBar()->addWidget(m_message, 1);
    statusBar()->addPermanentWidget(m_status);
    createDocks();
    createMenus();

    connect(m_document, &GraphDocument::reportChanged, this, &MainWindow::onReportChanged);
    connect(m_document, &GraphDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_scene, &GraphScene::statusMessage, this, [this](const QString& message) { showStatus(message, 6000); });
    connect(m_scene, &QGraphicsScene::selectionChanged, this, [this] {
        const auto selected = m_scene->selectedNodes();
        m_inspector->showNode(selected.size() == 1 ? selected.front() : NodeId{});
        m_summary->selectNode(selected.size() == 1 ? selected.front() : NodeId{});
        m_analysis->selectNodes(selected);
    });
    connect(m_palette, &LayerPalette::layerActivated, this, [this](const QString& name) {
        addLayerBesideSelection(name, m_view->mapToScene(m_view->viewport()->rect().center()));
    });
    connect(m_view, &GraphView::layerDropped, this, &MainWindow::addLayer);
    auto* quickAdd = new QuickAddPopup(this);
    connect(m_view, &GraphView::quickAddRequested, this, [this, quickAdd](QPoint global, QPointF scenePos) {
        m_quickAddAt = scenePos;
        quickAdd->popup(global);
    });
    connect(quickAdd, &QuickAddPopup::layerChosen, this,
            [this](const QString& name) { addLayerBesideSelection(name, m_quickAddAt); });
    connect(m_problems, &ProblemsPanel::layerSelected, this, &MainWindow::revealLayer);
    connect(m_problems, &ProblemsPanel::fixRequested, this, &MainWindow::applyFix);
    connect(m_summary, &SummaryPanel::layerSelected, this, &MainWindow::revealLayer);
    connect(m_analysis, &AnalysisPanel::layerSelected, this, &MainWindow::revealLayer);
    connect(m_findBar, &FindBar::layerFound, this, &MainWindow::revealLayer);
    connect(m_findBar, &FindBar::layersFound, this, [this](const std::vector<NodeId>& ids) {
        m_scene->select(ids);
        if (NodeItem* first = m_scene->nodeItem(ids.front()))
            m_view->centerOn(first);
    });
    connect(m_findBar, &FindBar::closed, this, [this] { m_view->setFocus(Qt::ShortcutFocusReason); });
    connect(m_scene, &GraphScene::duplicateRequested, this, &MainWindow::duplicateSelection);
    connect(m_training, &TrainingPanel::failedAtLayer, this, [this](const QString& name) {
        if (const Node* n = m_document->graph().findByName(name.toStdString()))
            revealLayer(n->id);
    });
    m_autosave = new Autosave(*m_document, 60000, this);
    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray()))
        resize(QSize(1400, 860).boundedTo(screen()->availableGeometry().size() * 0.96)); // a 1024×700 screen too
    m_docksUnsized = !restoreState(settings.value("window/state").toByteArray());
    onReportChanged();
    updateTitle();
    setWindowIcon(QIcon(QStringLiteral(":/icons/shapeflow.svg")));
}

MainWindow::~MainWindow()
{
    // The docks (the inspector among them) go before the other children, and the scene clears its
    // selection as it goes: nothing may call back into this window while it is taken apart.
    for (const QObject* descendant : findChildren<QObject*>())
        descendant->disconnect(this);
}

void MainWindow::createDocks()
{
    auto dock = [this](const QString& title, QWidget* widget, Qt::DockWidgetArea area, const char* name) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        addDockWidget(area, d);
        return d;
    };
    dock(tr("Layers"), m_palette, Qt::LeftDockWidgetArea, "palette");
    dock(tr("Inspector"), m_inspector, Qt::RightDockWidgetArea, "inspector");
    QDockWidget* problems = dock(tr("Problems"), m_problems, Qt::BottomDockWidgetArea, "problems");
    QDockWidget* summary = dock(tr("Summary"), m_summary, Qt::BottomDockWidgetArea, "summary");
    QDockWidget* analysis = dock(tr("Analysis"), m_analysis, Qt::BottomDockWidgetArea, "analysis");
    // The training panel scrolls when its dock is lower than its controls (a 700-pixel screen).
    auto* trainingScroll = new QScrollArea;
    trainingScroll->setWidget(m_training);
    trainingScroll->setWidgetResizable(true);
    trainingScroll->setFrameShape(QFrame::NoFrame);
    QDockWidget* training = dock(tr("Training"), trainingScroll, Qt::BottomDockWidgetArea, "training");
    tabifyDockWidget(problems, summary);
    tabifyDockWidget(summary, analysis);
    tabifyDockWidget(analysis, training);
    problems->raise();
    auto* history = new QUndoView(&m_document->undoStack());
    history->setEmptyLabel(tr("<opened>"));
    QDockWidget* historyDock = dock(tr("Undo History"), history, Qt::RightDockWidgetArea, "history");
    historyDock->hide();
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    if (std::exchange(m_docksUnsized, false))
        sizeDocks();
}

void MainWindow::sizeDocks()
{
    // The canvas gets most of the room: the bottom docks a third of the height at most, the side
    // docks a fifth of the width each at most.
    resizeDocks({findChild<QDockWidget*>("problems")}, {std::min(280, height() / 3)}, Qt::Vertical);
    resizeDocks({findChild<QDockWidget*>("palette"), findChild<QDockWidget*>("inspector")},
                {std::min(220, width() / 5), std::min(300, width() / 4)}, Qt::Horizontal);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, &MainWindow::closeModel);
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        if (!maybeClose())
            return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a model or a Keras model"), QString(),
                                                          tr("Models (*.sfmodel *.json *.keras *.h5);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    file->addAction(tr("&Import Keras JSON…"), QKeySequence(Qt::CTRL | Qt::Key_I), this, [this] {
        if (!maybeClose())
            return;
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Import a Keras model (model.to_json(), model.json, config.json)"),
                                         QString(), tr("Keras model JSON (*.json);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    QMenu* examples = file->addMenu(tr("&Examples"));
    const QDir dir(QStringLiteral(":/examples"));
    for (const QString& name : dir.entryList({"*.sfmodel"}, QDir::Files, QDir::Name)) {
        QAction* action = examples->addAction(QFileInfo(name).completeBaseName().replace('_', ' '));
        if (QFile example(dir.filePath(name)); example.open(QIODevice::ReadOnly)) {
            const auto json = nlohmann::json::parse(example.readAll().toStdString(), nullptr, false);
            if (json.is_object() && json.contains("settings") && json["settings"].contains("note"))
                action->setStatusTip(QString::fromStdString(json["settings"]["note"].get<std::string>()));
        }
        connect(action, &QAction::triggered, this, [this, path = dir.filePath(name)] {
            if (maybeClose())
                openFile(path);
        });
    }
    m_recent = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::save);
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, &MainWindow::saveAs);
    file->addAction(tr("&Export Image…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                    &MainWindow::exportImage);
    file->addAction(tr("Export to &Keras…"), this, &MainWindow::exportKeras);
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence(Qt::CTRL | Qt::Key_W), this, &MainWindow::closeModel);
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_document->undoStack().createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_document->undoStack().createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(tr("Cu&t"), QKeySequence::Cut, this, [this] { copySelection(true); });
    edit->addAction(tr("&Copy"), QKeySequence::Copy, this, [this] { copySelection(false); });
    edit->addAction(tr("&Paste"), QKeySequence::Paste, this, &MainWindow::paste);
    edit->addAction(tr("D&uplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), this, &MainWindow::duplicateSelection);
    edit->addAction(tr("&Delete"), QKeySequence::Delete, m_scene, &GraphScene::deleteSelection);
    edit->addAction(tr("Select &All"), QKeySequence::SelectAll, m_scene, &GraphScene::selectAll);
    edit->addSeparator();
    edit->addAction(tr("&Find Layer…"), QKeySequence::Find, m_findBar, &FindBar::open);
    edit->addAction(tr("Find &Next"), QKeySequence::FindNext, m_findBar, &FindBar::findNext);
    edit->addAction(tr("Find Pre&vious"), QKeySequence::FindPrevious, m_findBar, &FindBar::findPrevious);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, this, [this] { m_view->zoomBy(1.2); });
    view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, this, [this] { m_view->zoomBy(1.0 / 1.2); });
    view->addAction(tr("&Fit to View"), QKeySequence(Qt::CTRL | Qt::Key_0), m_view, &GraphView::fitAll);
    QAction* labels = view->addAction(tr("Show &Shapes on Edges"));
    labels->setCheckable(true);
    labels->setChecked(true);
    labels->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(labels, &QAction::toggled, m_scene, &GraphScene::setEdgeLabelsVisible);
    QAction* overview = view->addAction(tr("Show &Overview"));
    overview->setObjectName("showOverview");
    overview->setCheckable(true);
    overview->setChecked(true);
    overview->setStatusTip(tr("A map of the whole model in the canvas's corner while part of it is out of view"));
    connect(overview, &QAction::toggled, m_minimap, &Minimap::setAllowed);
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* layout = menuBar()->addMenu(tr("&Layout"));
    layout->addAction(tr("&Auto-Layout"), QKeySequence(Qt::CTRL | Qt::Key_L), this, &MainWindow::autoLayout);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    training->addAction(tr("&Train"), QKeySequence(Qt::Key_F5), this, [this] {
        if (m_training->trainButton()->isEnabled()) {
            findChild<QDockWidget*>("training")->raise();
            m_training->train();
        } else {
            showStatus(tr("Training is not available now: see the Training panel."), 6000);
        }
    });
    training->addAction(tr("&Stop"), QKeySequence(Qt::SHIFT | Qt::Key_F5), this,
                        [this] { m_training->session().stop(); });
    training->addSeparator();
    QAction* handOver = training->addAction(tr("&Hand Over to Keras…"), this, [this] {
        const QString dir = QFileDialog::getSaveFileName(this, tr("Hand Over to Keras: a new folder for the project"),
                                                         exportPathFor("-training"));
        if (!dir.isEmpty())
            exportTrainingProjectTo(dir);
    });
    handOver->setObjectName("handOverToKeras");
    handOver->setStatusTip(tr("Write a Keras 3 training project (model.keras, train.py, the data) to train on "
                              "other machines"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        auto* shortcuts = new ShortcutsDialog(*menuBar(), this);
        shortcuts->setAttribute(Qt::WA_DeleteOnClose);
        shortcuts->show();
    });
}

std::optional<Node> MainWindow::newLayer(const QString& className) const
{
    const LayerSpec* spec = LayerCatalogue::instance().find(className.toStdString());
    if (!spec)
        return std::nullopt;
    return Node{m_document->graph().nextId(),
                spec->className,
                m_document->graph().uniqueName(spec->defaultName),
                spec->defaults(),
                {},
                {},
                {}};
}

void MainWindow::addLayer(const QString& className, QPointF where)
{
    std::optional<Node> node = newLayer(className);
    if (!node)
        return;
    node->position =
        freeSpotNear(m_document->graph(), *node, {where.x() - NodeItem::kWidth / 2, where.y() - 40}, cardFootprint);
    insertLayer(*node, {});
}

void MainWindow::addLayerBesideSelection(const QString& className, QPointF otherwise)
{
    const std::vector<NodeId> selected = m_scene->selectedNodes();
    std::optional<Node> node = newLayer(className);
    if (!node || selected.empty()) {
        addLayer(className, otherwise);
        return;
    }
    const Graph& graph = m_document->graph();
    node->position = freeSpotBeside(graph, selected, *node, cardFootprint);
    // Fed by the selected layer when that is unambiguous: one layer, whose output feeds nothing yet.
    const auto connections = selected.size() == 1 ? graph.connectionsOf(selected.front()) : std::vector<Connection>{};
    const bool outputFree = std::none_of(connections.begin(), connections.end(),
                                         [&selected](const Connection& c) { return c.from.node == selected.front(); });
    const bool fed = selected.size() == 1 && outputFree && hasInputPort(node->type, 0);
    insertLayer(*node, fed ? PortRef{selected.front(), 0} : PortRef{});
}

void MainWindow::insertLayer(const Node& node, PortRef feed)
{
    auto* add = new AddNodeCommand(m_document->model(), node);
    if (!feed.node.isValid()) {
        m_document->push(add);
    } else {
        QUndoStack& undo = m_document->undoStack();
        undo.beginMacro(add->text());
        undo.push(add);
        undo.push(new ConnectCommand(m_document->model(), {feed, {node.id, 0}}));
        undo.endMacro();
    }
    m_scene->selectOnly(node.id);
    if (NodeItem* item = m_scene->nodeItem(node.id))
        m_view->ensureVisible(item);
}

void MainWindow::applyFix(const QuickFix& fix)
{
    if (!m_document->applyFix(fix))
        showStatus(tr("This fix no longer applies."), 6000);
    m_view->setFocus(Qt::OtherFocusReason); // the button that asked for it may be gone
}

void MainWindow::closeModel()
{
    if (!maybeClose())
        return;
    m_importProblems.clear();
    m_document->load(ModelDocument{}, QString());
}

void MainWindow::autoLayout()
{
    m_document->autoLayout();
    m_view->fitAll();
}

void MainWindow::copySelection(bool cut)
{
    const auto nodes = m_scene->selectedNodes();
    if (nodes.empty())
        return;
    auto* mime = new QMimeData;
    mime->setData(clipboard::kMime, clipboard::copy(m_document->graph(), nodes));
    QGuiApplication::clipboard()->setMimeData(mime);
    if (cut)
        m_scene->deleteSelection();
}

void MainWindow::paste()
{
    if (const QMimeData* mime = QGuiApplication::clipboard()->mimeData(); mime && mime->hasFormat(clipboard::kMime))
        if (const std::optional<Graph> copied = clipboard::read(mime->data(clipboard::kMime)))
            pasteLayers(*copied, tr("Paste"));
}

void MainWindow::pasteLayers(const Graph& copied, const QString& verb)
{
    std::vector<NodeId> added;
    if (!m_document->paste(copied, {40, 40}, added, verb))
        return;
    m_scene->select(added);
}

void MainWindow::exportImage()
{
    const bool selection = !m_scene->selectedNodes().empty();
    QString path = QFileDialog::getSaveFileName(this, selection ? tr("Export the selection") : tr("Export the canvas"),
                                                exportPathFor(".png"), tr("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty())
        return;
    const bool ok = path.endsWith(".svg", Qt::CaseInsensitive) ? exportSvg(*m_scene, path, selection)
                                                               : exportPng(*m_scene, path, selection);
    showStatus(ok ? tr("Exported %1").arg(path) : tr("Cannot write %1").arg(path), 6000);
}

QString MainWindow::exportPathFor(const QString& suffix) const
{
    // Beside the model; an example compiled into the app (":/examples") has no folder to write to.
    QString folder = m_document->folder();
    if (folder.isEmpty() || folder.startsWith(':'))
        folder = QDir::currentPath();
    return QDir(folder).filePath(QFileInfo(m_document->displayName()).completeBaseName() + suffix);
}

void MainWindow::exportKeras()
{
    // Each choice with the ending its files take; the weights go with the three Keras model files.
    const std::vector<std::pair<QString, QString>> choices = {
        {tr("Keras 3 model with its weights (*.keras)"), ".keras"},
        {tr("Keras legacy HDF5 model with its weights, for tf.keras 2.x and Keras 3 (*.h5)"), ".h5"},
        {tr("Keras 3 weights, for model.load_weights (*.weights.h5)"), ".weights.h5"},
        {tr("TensorFlow.js layers model with its weights, a folder of that name (model.json)"), "model.json"},
        {tr("Keras 2 / tf.keras model JSON (*.json)"), ".json"},
        {tr("Keras 3 model JSON (*.json)"), ".json"},
        {tr("Keras 3 Python script (*.py)"), ".py"},
    };
    QStringList filters;
    for (const auto& [filter, ending] : choices)
        filters << filter;
    QString chosen = filters.front();
    QString path =
        QFileDialog::getSaveFileName(this, tr("Export to Keras"), exportPathFor(".keras"), filters.join(";;"), &chosen);
    if (path.isEmpty())
        return; // cancelled
    const QString ending = choices[static_cast<std::size_t>(std::max<qsizetype>(0, filters.indexOf(chosen)))].second;
    const bool tfjs = ending == "model.json"; // a folder's model.json, beside its weight shards
    if (tfjs) {
        // The name chosen is the folder's: model.json and its shards go in it, as TensorFlow.js saves.
        const QFileInfo chosenName(path);
        const QString folder = chosenName.fileName() == "model.json"
                                   ? chosenName.path()
                                   : chosenName.path() + "/" + chosenName.completeBaseName();
        path = folder + "/model.json";
        if (QFileInfo::exists(path) &&
            QMessageBox::question(
                this, tr("Replace the TensorFlow.js model?"),
                tr("%1 already holds a TensorFlow.js model. Replace it?").arg(QDir::toNativeSeparators(folder))) !=
                QMessageBox::Yes)
            return;
        if (!QDir().mkpath(folder)) {
            showStatus(tr("Cannot export: cannot make the folder %1").arg(QDir::toNativeSeparators(folder)), 10000);
            return;
        }
    } else if (!path.endsWith(ending))
        path = QFileInfo(path).path() + "/" + QFileInfo(path).completeBaseName() + ending;
    exportKerasTo(path, chosen == filters[5] ? KerasFlavour::Keras3 : KerasFlavour::Keras2, tfjs);
}

bool MainWindow::exportKerasTo(const QString& path, KerasFlavour flavour, bool tfjsFolder)
{
    const ModelDocument document = m_document->toModelDocument();
    const CheckedModel model = m_document->checkedModel();
    std::string text;
    std::vector<std::string> notes;
    if (isKerasModelFilePath(path.toStdString()) || tfjsFolder) {
        // The model with its weights (its initial ones when it was never trained), written whole or not at all.
        try {
            if (tfjsFolder) {
                const TfjsWriteResult written = writeTfjsModelFolder(
                    path.toStdString(), model, document.name,
                    m_document->weights().empty() ? initialWeightsOf(document) : m_document->weights());
                notes = written.notes;
            } else {
                notes = writeKerasModelFile(path.toStdString(), document, m_document->weights());
            }
        } catch (const std::exception& e) {
            showStatus(tr("Cannot export: %1").arg(QString::fromStdString(e.what())), 20000);
            return false;
        }
        QString message = tr("Exported %1 with %2")
                              .arg(QDir::toNativeSeparators(path), m_document->weights().empty()
                                                                       ? tr("its initial weights (never trained)")
                                                                       : tr("its trained weights"));
        for (const std::string& note : notes)
            message += QStringLiteral(" — ") + QString::fromStdString(note);
        showStatus(message, 20000);
        return true;
    }
    if (path.endsWith(".py")) {
        KerasPythonResult python = kerasPythonCode(model, document.name);
        text = std::move(python.code);
        notes = std::move(python.notes);
    } else {
        try {
            KerasExportResult exported = exportKerasModel(model, document.name, flavour);
            text = exported.model.dump(1) + "\n";
            notes = std::move(exported.notes);
        } catch (const KerasExportRefused& e) {
            showStatus(tr("Cannot export: %1").arg(QString::fromStdString(e.what())), 20000);
            return false;
        }
    }
    try {
        writeBinaryFile(path.toStdString(), text);
    } catch (const std::exception& e) {
        showStatus(tr("Cannot export: %1").arg(QString::fromStdString(e.what())),
                   10000); // as the image export: nothing is lost
        return false;
    }
    QString message = tr("Exported %1").arg(QDir::toNativeSeparators(path));
    for (const std::string& note : notes)
        message += QStringLiteral(" — ") + QString::fromStdString(note);
    showStatus(message, notes.empty() ? 6000 : 20000);
    return true;
}

bool MainWindow::exportTrainingProjectTo(const QString& dir)
{
    const TrainingSettings settings = m_document->trainingSettings();
    TrainingProjectSource source;
    source.document = m_document->toModelDocument();
    source.weights = m_document->weights();
    source.config = settings.configFor(m_document->checkedModel());
    source.data = settings.data;
    // Relative data file names are taken from the model's folder, as training in the app takes them.
    if (!m_document->filePath().isEmpty())
        source.dataFolder = QFileInfo(m_document->filePath()).path().toStdString();
    try {
        const TrainingProjectReport report = writeTrainingProject(source, dir.toStdString());
        QString message =
            tr("Wrote the training project %1: run python3 train.py there").arg(QDir::toNativeSeparators(dir));
        for (const std::string& note : report.notes)
            message += QStringLiteral(" — ") + QString::fromStdString(note);
        showStatus(message, report.notes.empty() ? 6000 : 20000);
        return true;
    } catch (const std::exception& e) {
        showStatus(tr("Cannot hand over: %1").arg(QString::fromStdString(e.what())), 20000);
        return false;
    }
}

void MainWindow::addRecentFile(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 8)
        recent.removeLast();
    settings.setValue("recentFiles", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recent->clear();
    for (const QString& path : QSettings().value("recentFiles").toStringList())
        m_recent
            ->addAction(QFileInfo(path).fileName(), this,
                        [this, path] {
                            if (maybeClose())
                                openFile(path);
                        })
            ->setStatusTip(path);
    m_recent->setEnabled(!m_recent->isEmpty());
}

void MainWindow::revealLayer(NodeId id)
{
    m_scene->selectOnly(id);
    if (NodeItem* item = m_scene->nodeItem(id))
        m_view->centerOn(item);
}

void MainWindow::onReportChanged()
{
    const ShapeReport& report = m_document->report();
    m_problems->showProblems(m_document->graph(), report.diagnostics(), m_importProblems);
    m_summary->showModel(m_document->graph(), report);
    m_analysis->showModel(m_document->graph(), report);
    const auto importErrors = std::count_if(m_importProblems.begin(), m_importProblems.end(),
                                            [](const ImportProblem& p) { return p.severity == Severity::Error; });
    const int errors = report.errorCount() + static_cast<int>(importErrors);
    const int warnings =
        report.warningCount() + static_cast<int>(m_importProblems.size() - static_cast<std::size_t>(importErrors));
    m_status->setText(tr("%1 layers · %2 %3 · %4 %5")
                          .arg(m_document->graph().nodes().size())
                          .arg(errors)
                          .arg(errors == 1 ? tr("error") : tr("errors"))
                          .arg(warnings)
                          .arg(warnings == 1 ? tr("warning") : tr("warnings")));
}

void MainWindow::updateTitle()
{
    setWindowTitle(tr("%1[*] — Shapeflow").arg(m_document->displayName()));
    setWindowModified(m_document->isModified());
}

bool MainWindow::fail(const QString& message, bool quiet)
{
    m_lastError = message;
    if (!quiet)
        QMessageBox::warning(this, tr("Cannot open the model"), message);
    return false;
}

std::optional<LoadedModel> MainWindow::readModel(const QString& path, bool quiet)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(tr("%1: cannot open (%2)").arg(path, file.errorString()), quiet);
        return std::nullopt;
    }
    // A Keras 3 .keras (ZIP) or a legacy Keras .h5 (HDF5) is read with its weights, from disk.
    if (const QByteArray start = file.peek(8);
        !path.startsWith(":/") && (start.startsWith("PK") || start.startsWith("\x89HDF"))) {
        try {
            return loadModel(path.toStdString());
        } catch (const std::exception& e) {
            fail(QString::fromStdString(e.what()), quiet);
            return std::nullopt;
        }
    }
    const QByteArray text = file.read(static_cast<qint64>(kMaxJsonFileBytes) + 1); // a larger file is refused, not read
    if (text.size() > static_cast<qint64>(kMaxJsonFileBytes)) {
        fail(tr("%1: larger than %2 MB, the most Shapeflow reads as a model").arg(path).arg(kMaxJsonFileBytes >> 20),
             quiet);
        return std::nullopt;
    }
    try {
        LoadedModel loaded = loadModelFromText(text.toStdString(), path.toStdString());
        if (!path.startsWith(":/")) // a TensorFlow.js model.json's weights, from the shards beside it
            readTfjsWeightsBeside(loaded, path.toStdString());
        return loaded;
    } catch (const FileFormatError& e) {
        fail(QString::fromStdString(e.what()), quiet);
        return std::nullopt;
    }
}

bool MainWindow::openFile(const QString& path, bool quiet)
{
    std::optional<LoadedModel> read = readModel(path, quiet);
    if (!read)
        return false;
    LoadedModel& loaded = *read;
    m_importProblems = loaded.problems;
    // A Keras file is imported: saving asks for a .sfmodel name. Examples are read-only resources.
    const bool native = loaded.format == LoadedModel::Format::Shapeflow && !path.startsWith(":/");
    // Trained weights beside the model come with it; a damaged weights file leaves them out, said so.
    std::map<std::string, Array> weights = std::move(loaded.weights);
    QString weightsNote;
    if (!weights.empty())
        weightsNote = tr("Trained weights read from %1.").arg(QString::fromStdString(loaded.weightsSource));
    else if (!loaded.weightsProblem.empty())
        weightsNote = tr("The trained weights were not read: %1").arg(QString::fromStdString(loaded.weightsProblem));
    if (const QString weightsPath = QString::fromStdString(weightsPathBeside(path.toStdString()));
        native && QFileInfo::exists(weightsPath)) {
        try {
            weights = readNpz(weightsPath.toStdString());
            weightsNote = tr("Trained weights read from %1.").arg(QFileInfo(weightsPath).fileName());
        } catch (const std::exception& e) {
            weightsNote = tr("The trained weights were not read: %1").arg(QString::fromStdString(e.what()));
        }
    }
    m_document->load(loaded.document, native ? path : QString(), std::move(weights));
    if (!path.startsWith(":/"))
        addRecentFile(QFileInfo(path).absoluteFilePath());
    m_lastError.clear();
    updateTitle();
    if (!native)
        setWindowTitle(tr("%1[*] — Shapeflow").arg(QFileInfo(path).fileName()));
    QMetaObject::invokeMethod(m_view, &GraphView::showModel, Qt::QueuedConnection);
    // An example says what it shows; a model that opens with problems shows the first one.
    QStringList notes;
    if (!weightsNote.isEmpty())
        notes << weightsNote;
    if (const auto note = m_document->settings().value("note", std::string()); !note.empty())
        notes << QString::fromStdString(note);
    if (!notes.isEmpty())
        showStatus(notes.join(QStringLiteral(" — ")), 30000);
    if (QTreeWidget* problems = m_problems->tree(); problems->topLevelItemCount() > 0)
        problems->setCurrentItem(problems->topLevelItem(0));
    return true;
}

bool MainWindow::saveTo(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        QMessageBox::warning(this, tr("Cannot save"), tr("%1: %2").arg(path, file.errorString()));
        return false;
    }
    file.write(QByteArray::fromStdString(serializeModel(m_document->toModelDocument())));
    if (!file.commit()) {
        QMessageBox::warning(this, tr("Cannot save"), tr("%1: %2").arg(path, file.errorString()));
        return false;
    }
    // Trained weights go beside the model, Keras-named: model.sfmodel -> model.weights.npz. A model
    // whose weights were reset leaves no stale weights file behind to be read with it.
    const std::string weightsPath = weightsPathBeside(path.toStdString());
    try {
        if (!m_document->weights().empty())
            writeNpz(weightsPath, m_document->weights());
        else
            std::filesystem::remove(weightsPath);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot save the weights"), QString::fromStdString(e.what()));
        return false;
    }
    m_document->setFilePath(path);
    m_document->markSaved();
    addRecentFile(path);
    updateTitle();
    showStatus(tr("Saved %1").arg(path), 4000);
    return true;
}

bool MainWindow::save()
{
    return m_document->filePath().isEmpty() ? saveAs() : saveTo(m_document->filePath());
}

bool MainWindow::saveAs()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save model"), m_document->displayName(),
                                                tr("Shapeflow models (*.sfmodel)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(".sfmodel"))
        path += ".sfmodel";
    return saveTo(path);
}

bool MainWindow::endRunBeforeClosing()
{
    if (!m_training->session().isRunning())
        return true;
    QMessageBox box(QMessageBox::Question, tr("Training is running"),
                    tr("%1 is training. The run stops before the model is closed.").arg(m_document->displayName()),
                    QMessageBox::NoButton, this);
    box.setObjectName("endRunQuestion");
    QPushButton* keep = box.addButton(tr("Stop and keep weights"), QMessageBox::AcceptRole);
    QPushButton* discard = box.addButton(tr("Stop and discard weights"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep);
    box.exec();
    if (box.clickedButton() != keep && box.clickedButton() != discard)
        return false;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    m_training->stopRun(box.clickedButton() == keep);
    QApplication::restoreOverrideCursor();
    return true;
}

bool MainWindow::maybeClose()
{
    return endRunBeforeClosing() && maybeSave();
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(this, tr("Unsaved changes"),
                                             tr("%1 has unsaved changes. Save them?").arg(m_document->displayName()),
                                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::showStatus(const QString& message, int milliseconds)
{
    m_message->showMessage(message, milliseconds);
}

QString MainWindow::statusMessage() const
{
    return m_message->message();
}

void MainWindow::trainDemo(int epochs)
{
    TrainingSettings settings = m_document->trainingSettings();
    settings.config.epochs = epochs;
    settings.data.training = {};
    settings.data.validation.reset();
    m_document->push(
        new SetSettingCommand(m_document->model(), "training", settings.toJson(), tr("Change training settings")));
    findChild<QDockWidget*>("training")->raise();
    m_training->train();
}

void MainWindow::duplicateSelection()
{
    const auto nodes = m_scene->selectedNodes();
    if (!nodes.empty())
        pasteLayers(clipboard::fragment(m_document->graph(), nodes),
                    tr("Duplicate")); // no trip through the clipboard's text
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeClose()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    m_autosave->discard();
    event->accept();
}

bool MainWindow::restoreAutosave()
{
    if (!Autosave::pending())
        return false;
    Autosave::Restored restored;
    try {
        restored = Autosave::read();
    } catch (const std::exception& e) {
        fail(tr("The unsaved work could not be restored: %1").arg(QString::fromStdString(e.what())), true);
        m_autosave->discard(); // damaged: offering it again would not help
        return false;
    }
    // The model comes back as it was: its file (Save writes there), settings and weights, unsaved.
    m_document->load(restored.document, restored.path, std::move(restored.weights));
    m_document->markUnsaved();
    updateTitle();
    showStatus(restored.path.isEmpty() ? tr("Restored the unsaved model.")
                                       : tr("Restored unsaved changes to %1.").arg(restored.path),
               10000);
    QMetaObject::invokeMethod(m_view, &GraphView::showModel, Qt::QueuedConnection);
    return true;
}

} // namespace sf
