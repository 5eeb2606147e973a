#include "MainWindow.h"

#include "canvas/GraphScene.h"
#include "canvas/GraphView.h"
#include "canvas/NodeItem.h"
#include "commands/GraphCommands.h"
#include "graph/LayerRegistry.h"
#include "graph/LayeredLayout.h"
#include "io/FileFormatError.h"
#include "io/ModelLoader.h"
#include "panels/InspectorPanel.h"
#include "panels/LayerPalette.h"
#include "panels/ProblemsPanel.h"
#include "panels/SummaryPanel.h"
#include "shape/QuickFixApplier.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QStatusBar>
#include <QUndoView>

namespace sf {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_document(new GraphDocument(this)), m_scene(new GraphScene(*m_document, this)),
      m_view(new GraphView(m_scene, this)), m_palette(new LayerPalette(this)), m_inspector(new InspectorPanel(*m_document, this)),
      m_problems(new ProblemsPanel(this)), m_summary(new SummaryPanel(this)), m_status(new QLabel(this))
{
    setCentralWidget(m_view);
    statusBar()->addPermanentWidget(m_status);
    createDocks();
    createMenus();

    connect(m_document, &GraphDocument::reportChanged, this, &MainWindow::onReportChanged);
    connect(&m_document->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(m_scene, &GraphScene::statusMessage, this, [this](const QString& message) { statusBar()->showMessage(message, 6000); });
    connect(m_scene, &QGraphicsScene::selectionChanged, this, [this] {
        const auto selected = m_scene->selectedNodes();
        m_inspector->showNode(selected.size() == 1 ? selected.front() : NodeId{});
    });
    connect(m_palette, &LayerPalette::layerActivated, this,
            [this](const QString& name) { addLayer(name, m_view->mapToScene(m_view->viewport()->rect().center())); });
    connect(m_view, &GraphView::layerDropped, this, &MainWindow::addLayer);
    connect(m_problems, &ProblemsPanel::layerSelected, this, &MainWindow::revealLayer);
    connect(m_problems, &ProblemsPanel::fixRequested, this, &MainWindow::applyFix);
    connect(m_summary, &SummaryPanel::layerSelected, this, &MainWindow::revealLayer);
    onReportChanged();
    updateTitle();
    resize(1400, 860);
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
    tabifyDockWidget(problems, summary);
    problems->raise();
    auto* history = new QUndoView(&m_document->undoStack());
    history->setEmptyLabel(tr("<opened>"));
    QDockWidget* historyDock = dock(tr("Undo History"), history, Qt::RightDockWidgetArea, "history");
    historyDock->hide();
    resizeDocks({problems}, {180}, Qt::Vertical);
    resizeDocks({findChild<QDockWidget*>("palette"), findChild<QDockWidget*>("inspector")}, {220, 300}, Qt::Horizontal);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, [this] {
        if (maybeSave())
            m_document->load(ModelDocument{}, QString());
    });
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        if (!maybeSave())
            return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a model or a Keras model JSON"), QString(),
                                                          tr("Models (*.sfmodel *.json);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    QMenu* examples = file->addMenu(tr("&Examples"));
    const QDir dir(QStringLiteral(":/examples"));
    for (const QString& name : dir.entryList({"*.sfmodel"}, QDir::Files, QDir::Name)) {
        QAction* action = examples->addAction(QFileInfo(name).completeBaseName().replace('_', ' '));
        connect(action, &QAction::triggered, this, [this, path = dir.filePath(name)] {
            if (maybeSave())
                openFile(path);
        });
    }
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::save);
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, &MainWindow::saveAs);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_document->undoStack().createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_document->undoStack().createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(tr("&Delete"), QKeySequence::Delete, m_scene, &GraphScene::deleteSelection);
    edit->addAction(tr("Select &All"), QKeySequence::SelectAll, this, [this] {
        for (QGraphicsItem* item : m_scene->items())
            item->setSelected(true);
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, this, [this] { m_view->zoomBy(1.2); });
    view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, this, [this] { m_view->zoomBy(1.0 / 1.2); });
    view->addAction(tr("&Fit to View"), QKeySequence(Qt::CTRL | Qt::Key_0), m_view, &GraphView::fitAll);
    QAction* labels = view->addAction(tr("Show &Shapes on Edges"));
    labels->setCheckable(true);
    labels->setChecked(true);
    labels->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(labels, &QAction::toggled, m_scene, &GraphScene::setEdgeLabelsVisible);
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* layout = menuBar()->addMenu(tr("&Layout"));
    layout->addAction(tr("&Auto-Layout"), QKeySequence(Qt::CTRL | Qt::Key_L), this, &MainWindow::autoLayout);
}

void MainWindow::addLayer(const QString& className, QPointF where)
{
    const LayerSpec* spec = LayerRegistry::instance().find(className.toStdString());
    if (!spec)
        return;
    Node node;
    node.id = m_document->graph().nextId();
    node.type = spec->className;
    node.name = m_document->graph().uniqueName(spec->defaultName);
    node.params = spec->defaults();
    node.position = {where.x() - NodeItem::kWidth / 2, where.y() - 40};
    m_document->push(new AddNodeCommand(m_document->model(), node));
    m_scene->selectOnly(node.id);
}

void MainWindow::applyFix(const QuickFix& fix)
{
    Graph after = m_document->graph();
    if (!sf::applyFix(after, fix)) {
        statusBar()->showMessage(tr("This fix no longer applies."), 6000);
        return;
    }
    m_document->push(new EditGraphCommand(m_document->model(), m_document->graph(), after,
                                          tr("Fix: %1").arg(QString::fromStdString(fix.title))));
}

void MainWindow::autoLayout()
{
    Graph after = m_document->graph();
    layOutLayered(after);
    m_document->push(new EditGraphCommand(m_document->model(), m_document->graph(), after, tr("Auto-layout")));
    m_view->fitAll();
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
    const int errors = report.errorCount() + static_cast<int>(m_importProblems.size());
    const int warnings = report.warningCount();
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

bool MainWindow::openFile(const QString& path, bool quiet)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("%1: cannot open (%2)").arg(path, file.errorString()), quiet);
    LoadedModel loaded;
    try {
        loaded = loadModelFromText(file.readAll().toStdString(), path.toStdString());
    } catch (const FileFormatError& e) {
        return fail(QString::fromStdString(e.what()), quiet);
    }
    m_importProblems.clear();
    for (const ImportProblem& p : loaded.problems)
        m_importProblems << QString::fromStdString(p.layer + ": " + p.message + " (" + p.path + ")");
    // A Keras file is imported: saving asks for a .sfmodel name. Examples are read-only resources.
    const bool native = loaded.format == LoadedModel::Format::Shapeflow && !path.startsWith(":/");
    m_document->load(loaded.document, native ? path : QString());
    m_lastError.clear();
    updateTitle();
    if (!native)
        setWindowTitle(tr("%1[*] — Shapeflow").arg(QFileInfo(path).fileName()));
    QMetaObject::invokeMethod(m_view, &GraphView::fitAll, Qt::QueuedConnection);
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
    m_document->setFilePath(path);
    m_document->undoStack().setClean();
    updateTitle();
    statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
    return true;
}

bool MainWindow::save() { return m_document->filePath().isEmpty() ? saveAs() : saveTo(m_document->filePath()); }

bool MainWindow::saveAs()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save model"), m_document->displayName(), tr("Shapeflow models (*.sfmodel)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(".sfmodel"))
        path += ".sfmodel";
    return saveTo(path);
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(this, tr("Unsaved changes"), tr("%1 has unsaved changes. Save them?").arg(m_document->displayName()),
                                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (maybeSave())
        event->accept();
    else
        event->ignore();
}

} // namespace sf
