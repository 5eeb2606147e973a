#include "MainWindow.h"

#include "io/FileFormatError.h"
#include "panels/ProblemsPanel.h"
#include "panels/SummaryPanel.h"
#include "shape/ShapeInference.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace sf {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_note(new QLabel(this)), m_status(new QLabel(this)), m_summary(new SummaryPanel(this)),
      m_problems(new ProblemsPanel(this))
{
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* splitter = new QSplitter(Qt::Vertical, central);
    splitter->addWidget(m_summary);
    splitter->addWidget(m_problems);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(m_note);
    layout->addWidget(splitter);
    setCentralWidget(central);
    statusBar()->addWidget(m_status, 1);
    createMenus();
    connect(m_problems, &ProblemsPanel::layerSelected, this, [this](NodeId id) {
        for (int i = 0; i < m_summary->table()->topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = m_summary->table()->topLevelItem(i);
            if (item->data(0, Qt::UserRole + 1).toULongLong() == id.value)
                m_summary->table()->setCurrentItem(item);
        }
    });
    setWindowTitle(tr("Shapeflow"));
    resize(1100, 720);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::onOpen);
    open->setShortcut(QKeySequence::Open);
    QMenu* examples = file->addMenu(tr("&Examples"));
    const QDir dir(QStringLiteral(":/examples"));
    for (const QString& name : dir.entryList({"*.sfmodel"}, QDir::Files, QDir::Name)) {
        QAction* action = examples->addAction(QFileInfo(name).completeBaseName().replace('_', ' '));
        connect(action, &QAction::triggered, this, [this, path = dir.filePath(name)] { openFile(path); });
    }
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::onOpen()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open model"), QString(),
                                                      tr("Models (*.sfmodel *.json);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
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
    return openText(file.readAll(), path, quiet);
}

bool MainWindow::openText(const QByteArray& text, const QString& title, bool quiet)
{
    try {
        display(loadModelFromText(text.toStdString(), title.toStdString()), title);
    } catch (const FileFormatError& e) {
        return fail(QString::fromStdString(e.what()), quiet);
    }
    m_lastError.clear();
    return true;
}

void MainWindow::display(LoadedModel loaded, const QString& title)
{
    m_document = std::move(loaded.document);
    m_report = inferShapes(m_document.graph);
    QStringList importProblems;
    for (const ImportProblem& p : loaded.problems)
        importProblems << QString::fromStdString(p.layer + ": " + p.message + " (" + p.path + ")");
    m_summary->showModel(m_document.graph, m_report);
    m_problems->showProblems(m_document.graph, m_report.diagnostics(), importProblems);
    const auto note = m_document.settings.value("note", std::string());
    m_note->setText(QString::fromStdString(note));
    m_note->setVisible(!note.empty());
    const int errors = m_report.errorCount() + static_cast<int>(importProblems.size());
    const int warnings = m_report.warningCount();
    m_status->setText(tr("%1 layers · %2 %3 · %4 %5")
                          .arg(m_document.graph.nodes().size())
                          .arg(errors)
                          .arg(errors == 1 ? tr("error") : tr("errors"))
                          .arg(warnings)
                          .arg(warnings == 1 ? tr("warning") : tr("warnings")));
    setWindowTitle(tr("%1 — Shapeflow").arg(QFileInfo(title).fileName()));
}

} // namespace sf
