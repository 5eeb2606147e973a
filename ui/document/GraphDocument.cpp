#include "GraphDocument.h"

#include "GraphClipboard.h"
#include "commands/GraphCommands.h"
#include "graph/LayeredLayout.h"
#include "shape/QuickFixApplier.h"

#include <QFileInfo>
#include <QSignalBlocker>
#include <QTimer>

namespace sf {

GraphDocument::GraphDocument(QObject* parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(0);
    connect(m_timer, &QTimer::timeout, this, &GraphDocument::flushInference);
    connect(&m_model, &GraphModel::structureChanged, this, [this] { scheduleInference(true); });
    connect(&m_model, &GraphModel::nodeChanged, this, [this](NodeId id) { scheduleInference(false, id); });
    connect(&m_model, &GraphModel::settingsChanged, this, &GraphDocument::settingsChanged);
    connect(&m_undo, &QUndoStack::cleanChanged, this, &GraphDocument::modifiedChanged);
    flushInference();
}

GraphDocument::~GraphDocument()
{
    // ~QUndoStack clears its commands and says the stack is clean again: a document being destroyed
    // is not modified, and its receivers (a window's title) may be half destroyed already.
    disconnect(&m_undo, nullptr, this, nullptr);
}

void GraphDocument::scheduleInference(bool full, NodeId changed)
{
    m_fullPending = m_fullPending || full;
    if (changed.isValid())
        m_changedPending.push_back(changed);
    m_timer->start();
}

CheckedModel GraphDocument::checkedModel()
{
    flushInference();
    return {graph(), report()};
}

void GraphDocument::flushInference()
{
    m_timer->stop();
    if (m_fullPending)
        m_inference.run(m_model.graph());
    else
        for (NodeId id : m_changedPending)
            m_inference.update(m_model.graph(), id);
    m_fullPending = false;
    m_changedPending.clear();
    emit reportChanged();
}

void GraphDocument::load(const ModelDocument& document, const QString& path, std::map<std::string, Array> weights)
{
    m_weights = std::move(weights);
    m_unsavedOutsideUndo = false;
    m_undo.clear();
    m_model.replace(document.graph);
    {
        const QSignalBlocker notYet(this); // the model's settingsChanged is forwarded below, after inference
        m_model.replaceSettings(document.settings);
    }
    m_name = document.name;
    m_path = path;
    m_undo.setClean();
    scheduleInference(true);
    flushInference();
    emit replaced();
    emit settingsChanged(); // after inference: followers read the new report with the new settings
    emit weightsChanged();
    emit modifiedChanged();
}

void GraphDocument::setWeights(std::map<std::string, Array> weights)
{
    m_weights = std::move(weights);
    m_unsavedOutsideUndo = true;
    emit weightsChanged();
    emit modifiedChanged();
}

void GraphDocument::markSaved()
{
    m_undo.setClean();
    m_unsavedOutsideUndo = false;
    emit modifiedChanged();
    emit saved();
}

void GraphDocument::markUnsaved()
{
    m_unsavedOutsideUndo = true;
    emit modifiedChanged();
}

ModelDocument GraphDocument::toModelDocument() const
{
    ModelDocument doc;
    doc.name = m_name;
    doc.graph = m_model.graph();
    doc.settings = m_model.settings();
    return doc;
}

bool GraphDocument::applyFix(const QuickFix& fix)
{
    Graph after = graph();
    if (!sf::applyFix(after, fix))
        return false;
    if (m_cardFootprint)
        for (const auto& [id, node] : after.nodes())
            if (!graph().node(id))
                placeBetweenNeighbours(after, id, m_cardFootprint);
    push(new EditGraphCommand(m_model, graph(), after, tr("Fix: %1").arg(QString::fromStdString(fix.title))));
    return true;
}

bool GraphDocument::paste(const Graph& copied, Point offset, std::vector<NodeId>& added, const QString& verb)
{
    Graph after = graph();
    clipboard::paste(after, copied, offset, added);
    if (added.empty())
        return false;
    push(new EditGraphCommand(m_model, graph(), after,
                              added.size() == 1
                                  ? tr("%1 %2").arg(verb, QString::fromStdString(after.node(added[0])->name))
                                  : tr("%1 %2 layers").arg(verb).arg(added.size())));
    return true;
}

bool GraphDocument::insertIntoEdge(const Connection& c, const QString& type)
{
    Graph after = graph();
    NodeId inserted;
    if (!clipboard::insertIntoEdge(after, c, type.toStdString(), inserted))
        return false;
    if (m_cardFootprint)
        placeBetweenNeighbours(after, inserted, m_cardFootprint);
    push(new EditGraphCommand(m_model, graph(), after,
                              tr("Insert %1 between %2 and %3")
                                  .arg(type, QString::fromStdString(graph().node(c.from.node)->name),
                                       QString::fromStdString(graph().node(c.to.node)->name))));
    return true;
}

void GraphDocument::autoLayout()
{
    Graph after = graph();
    layOutLayered(after);
    if (!(after.nodes() == graph().nodes()))
        push(new EditGraphCommand(m_model, graph(), after, tr("Auto-layout")));
}

QString GraphDocument::folder() const
{
    return m_path.isEmpty() ? QString() : QFileInfo(m_path).absolutePath();
}

QString GraphDocument::displayName() const
{
    return m_path.isEmpty() ? tr("untitled.sfmodel") : QFileInfo(m_path).fileName();
}

} // namespace sf
