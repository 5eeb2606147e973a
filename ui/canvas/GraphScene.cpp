#include "GraphScene.h"

#include "CardFootprint.h"
#include "EdgeItem.h"
#include "NodeItem.h"
#include "commands/GraphCommands.h"
#include "document/GraphDocument.h"
#include "graph/ConnectionRules.h"
#include "graph/LayerCatalogue.h"

#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>
#include <QKeyEvent>
#include <QMenu>
#include <QPen>
#include <utility>

namespace sf {

GraphScene::GraphScene(GraphDocument& document, QObject* parent) : QGraphicsScene(parent), m_document(document)
{
    // No spatial index: an edit of thousands of cards moves or resizes each, and the BSP tree's
    // upkeep for that cost more than looking through the cards when painting or hit-testing.
    setItemIndexMethod(NoIndex);
    m_rectTimer.setSingleShot(true);
    m_rectTimer.setInterval(0);
    connect(&m_rectTimer, &QTimer::timeout, this, &GraphScene::fitRectToContents);
    GraphModel& model = document.model();
    connect(&model, &GraphModel::nodeAdded, this, &GraphScene::onNodeAdded);
    connect(&model, &GraphModel::nodeRemoved, this, &GraphScene::onNodeRemoved);
    connect(&model, &GraphModel::connectionAdded, this, &GraphScene::onConnectionAdded);
    connect(&model, &GraphModel::connectionRemoved, this, &GraphScene::onConnectionRemoved);
    connect(&model, &GraphModel::nodeChanged, this, &GraphScene::onNodeChanged);
    connect(&model, &GraphModel::nodeMoved, this, &GraphScene::onNodeMoved);
    connect(&document, &GraphDocument::reportChanged, this, &GraphScene::annotate);
    connect(&model, &GraphModel::structureChanged, this, &GraphScene::updateFrames);
    document.setCardFootprint(cardFootprint); // the cards' sizes are this scene's to know
    for (const auto& [id, node] : model.graph().nodes())
        onNodeAdded(id);
    for (const Connection& c : model.graph().connections())
        onConnectionAdded(c);
    annotate();
    updateFrames();
}

GraphScene::~GraphScene()
{
    const QList<QGraphicsView*> attached = views();
    for (QGraphicsView* view : attached)
        view->setScene(nullptr);
}

NodeItem* GraphScene::nodeItem(NodeId id) const
{
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : it->second;
}

EdgeItem* GraphScene::edgeItem(const Connection& c) const
{
    auto it = m_edges.find(c);
    return it == m_edges.end() ? nullptr : it->second;
}

void GraphScene::onNodeAdded(NodeId id)
{
    auto* item = new NodeItem(*m_document.model().node(id));
    addItem(item);
    m_nodes[id] = item;
    ++m_cardsGeneration;
    connect(item, &NodeItem::moved, this, &GraphScene::updateEdgesOf);
    connect(item, &NodeItem::moved, &m_rectTimer, qOverload<>(&QTimer::start));
    refreshPorts(id);
    m_rectTimer.start();
}

void GraphScene::fitRectToContents()
{
    if (std::exchange(m_fittedGeneration, m_cardsGeneration) == m_cardsGeneration)
        return; // no card came, went, moved or grew since the last fit
    // Room around the cards to drag them further and to drop new ones; never less than a screen or two.
    constexpr double kMargin = 1500.0;
    const QRectF minimum(-2000, -1500, 4000, 3000);
    QRectF cards;
    for (const auto& [id, item] : m_nodes)
        cards |= item->sceneBoundingRect();
    m_cardsRect = cards;
    emit cardsChanged();
    update(); // an edge's label may move off a card that came, or onto room a card left
    const QRectF rect = cards.adjusted(-kMargin, -kMargin, kMargin, kMargin).united(minimum);
    if (rect == sceneRect())
        return;
    emit rectAboutToChange();
    setSceneRect(rect);
}

void GraphScene::onNodeRemoved(NodeId id)
{
    if (NodeItem* item = nodeItem(id)) {
        m_nodes.erase(id);
        ++m_cardsGeneration;
        deleteItem(item);
        m_rectTimer.start();
    }
}

void GraphScene::deleteItem(QGraphicsItem* item)
{
    if (!item->isSelected()) {
        delete item;
        return;
    }
    // A selected item's removal changes the selection: said once for all the items an edit removes.
    {
        const QSignalBlocker quiet(this);
        delete item;
    }
    if (!std::exchange(m_selectionChangePending, true))
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_selectionChangePending = false;
                emit selectionChanged();
            },
            Qt::QueuedConnection);
}

void GraphScene::onConnectionAdded(const Connection& c)
{
    auto* edge = new EdgeItem(c);
    edge->setLabelVisible(m_labels);
    addItem(edge);
    m_edges[c] = edge;
    refreshPorts(c.to.node);
    placeEdge(c, edge);
}

void GraphScene::placeEdge(const Connection& c, EdgeItem* edge) const
{
    NodeItem* from = nodeItem(c.from.node);
    NodeItem* to = nodeItem(c.to.node);
    if (!from || !to)
        return;
    // A card a closed group hides: the edge runs to that group's frame, or is hidden within it.
    const GroupId fromGroup = m_collapsed.empty() ? GroupId{} : hiddenIn(c.from.node);
    const GroupId toGroup = m_collapsed.empty() ? GroupId{} : hiddenIn(c.to.node);
    edge->setVisible(!fromGroup.isValid() || fromGroup != toGroup);
    const QRectF fromFrame = fromGroup.isValid() ? m_frames.at(fromGroup)->rect() : QRectF();
    const QRectF toFrame = toGroup.isValid() ? m_frames.at(toGroup)->rect() : QRectF();
    edge->setEnds(fromGroup.isValid() ? QPointF(fromFrame.right(), fromFrame.center().y())
                                      : from->outputPortPos(c.from.port),
                  toGroup.isValid() ? QPointF(toFrame.left(), toFrame.center().y()) : to->inputPortPos(c.to.port));
}

GroupId GraphScene::hiddenIn(NodeId id) const
{
    const Graph& graph = m_document.graph();
    GroupId outermost;
    std::size_t steps = 0;
    for (GroupId at = graph.groupOf(id); at.isValid() && steps <= graph.groups().size(); ++steps) {
        if (m_collapsed.contains(at) && m_frames.contains(at))
            outermost = at;
        const NodeGroup* g = graph.group(at);
        at = g ? g->parent : GroupId{};
    }
    return outermost;
}

QGraphicsRectItem* GraphScene::groupFrame(GroupId id) const
{
    const auto it = m_frames.find(id);
    return it == m_frames.end() ? nullptr : it->second;
}

void GraphScene::setGroupCollapsed(GroupId id, bool collapsed)
{
    if (!m_frames.contains(id) || collapsed == m_collapsed.contains(id))
        return;
    if (collapsed)
        m_collapsed.insert(id);
    else
        m_collapsed.erase(id);
    updateFrames();
}

void GraphScene::updateFrames()
{
    const Graph& graph = m_document.graph();
    for (auto it = m_frames.begin(); it != m_frames.end();) {
        if (graph.group(it->first)) {
            ++it;
            continue;
        }
        delete it->second;
        m_collapsed.erase(it->first);
        it = m_frames.erase(it);
    }
    for (const auto& [id, g] : graph.groups())
        if (!m_frames.contains(id)) {
            auto* frame = new QGraphicsRectItem;
            frame->setZValue(-10.0); // behind the cards and edges
            frame->setPen(QPen(QColor(120, 130, 150), 1.5, Qt::DashLine));
            frame->setBrush(QColor(120, 130, 150, 24));
            auto* title = new QGraphicsSimpleTextItem(frame);
            title->setBrush(QColor(70, 78, 95));
            addItem(frame);
            m_frames[id] = frame;
        }
    for (auto& [id, item] : m_nodes)
        item->setVisible(m_collapsed.empty() || !hiddenIn(id).isValid());

    // How many groups deep each group holds, so that a group's frame goes round those inside it.
    std::map<GroupId, int> depth;
    for (const auto& [id, g] : graph.groups()) {
        std::size_t steps = 0;
        for (GroupId at = g.parent, child = id; at.isValid() && steps <= graph.groups().size(); ++steps) {
            int& d = depth[at];
            d = std::max(d, depth[child] + 1);
            child = at;
            at = graph.group(at) ? graph.group(at)->parent : GroupId{};
        }
    }
    constexpr double kMargin = 18.0;
    constexpr double kTitle = 22.0;
    for (const auto& [id, g] : graph.groups()) {
        QGraphicsRectItem* frame = m_frames.at(id);
        QRectF cards;
        std::size_t count = 0;
        for (const auto& [node, item] : m_nodes)
            if (graph.inGroup(node, id)) {
                cards |= QRectF(item->pos(), item->boundingRect().size());
                ++count;
            }
        // A frame inside a closed group is hidden with its cards.
        const NodeGroup* parent = graph.group(g.parent);
        bool hidden = false;
        for (std::size_t steps = 0; parent && steps <= graph.groups().size(); ++steps) {
            hidden = hidden || m_collapsed.contains(parent->id);
            parent = graph.group(parent->parent);
        }
        frame->setVisible(!hidden && count > 0);
        const bool closed = m_collapsed.contains(id);
        const double margin = kMargin * (1 + depth[id]);
        const QRectF rect = closed ? QRectF(cards.topLeft(), QSizeF(240.0, 64.0))
                                   : cards.adjusted(-margin, -margin - kTitle, margin, margin);
        frame->setRect(rect);
        auto* title = static_cast<QGraphicsSimpleTextItem*>(frame->childItems().front());
        const NodeGroup* repeated = graph.group(g.repeats);
        title->setText(
            QString::fromStdString(g.name + " · " + g.className + (repeated ? " (its weights shared)" : "")) +
            (closed ? QString(" \u25b8 %1 layers").arg(count) : QString(" \u25be")));
        title->setPos(rect.topLeft() + QPointF(8.0, 4.0));
    }
    for (const auto& [c, edge] : m_edges)
        placeEdge(c, edge);
}

void GraphScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event)
{
    // On a frame, not on a card: the group closes or opens.
    for (QGraphicsItem* item : items(event->scenePos())) {
        if (dynamic_cast<NodeItem*>(item) || dynamic_cast<EdgeItem*>(item))
            break;
        for (const auto& [id, frame] : m_frames)
            if (item == frame || item->parentItem() == frame) {
                setGroupCollapsed(id, !isGroupCollapsed(id));
                event->accept();
                return;
            }
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

void GraphScene::onConnectionRemoved(const Connection& c)
{
    if (EdgeItem* edge = edgeItem(c)) {
        m_edges.erase(c);
        deleteItem(edge);
    }
    refreshPorts(c.to.node);
}

void GraphScene::onNodeChanged(NodeId id)
{
    refreshPorts(id);
}

void GraphScene::onNodeMoved(NodeId id)
{
    const Node* n = m_document.model().node(id);
    if (NodeItem* item = nodeItem(id); n && item)
        item->setPos(n->position.x, n->position.y); // updateEdgesOf follows through NodeItem::moved
}

void GraphScene::refreshPorts(NodeId id)
{
    const Node* n = m_document.model().node(id);
    NodeItem* item = nodeItem(id);
    if (!n || !item)
        return;
    // The ports drawn: as many as the node's edges in the scene reach (a Concatenate grows one per input).
    int connected = 0;
    int highest = -1;
    for (const Connection& c : m_document.graph().connectionsOf(id))
        if (c.to.node == id && edgeItem(c)) {
            ++connected;
            highest = std::max(highest, c.to.port);
        }
    item->setNode(*n, std::max(connected, highest + 1));
    updateEdgesOf(id);
}

bool GraphScene::overlapsCard(const QRectF& rect) const
{
    if (m_cardGridGeneration != m_cardsGeneration) {
        m_cardGrid.clear();
        for (const auto& [id, item] : m_nodes)
            m_cardGrid.add(item->sceneBoundingRect());
        m_cardGridGeneration = m_cardsGeneration;
    }
    return m_cardGrid.overlaps(rect);
}

void GraphScene::updateEdgesOf(NodeId id)
{
    ++m_cardsGeneration; // it moved, or its ports changed its height
    if (!m_frames.empty() && m_document.graph().groupOf(id).isValid()) {
        updateFrames(); // its group's frame follows, and the edges with it
        return;
    }
    for (const Connection& c : m_document.graph().connectionsOf(id))
        if (EdgeItem* edge = edgeItem(c))
            placeEdge(c, edge);
}

void GraphScene::annotate()
{
    const ShapeReport& report = m_document.report();
    struct Problems {
        int severity = 0;
        QStringList text;
    };
    std::unordered_map<NodeId, Problems> byNode;
    std::map<PortRef, int> byPort; // consumer port -> severity
    for (const Diagnostic& d : report.diagnostics()) {
        const int severity = d.isError() ? 2 : d.isWarning() ? 1 : 0; // an info colours nothing
        for (NodeId id : {d.node, d.related}) {
            if (!id.isValid())
                continue;
            Problems& p = byNode[id];
            p.severity = std::max(p.severity, severity);
            p.text << QString::fromStdString((d.isError()     ? "Error: "
                                              : d.isWarning() ? "Warning: "
                                                              : "Note: ") +
                                             d.message + (d.hint.empty() ? "" : "\n" + d.hint));
        }
        if (d.port >= 0)
            byPort[{d.node, d.port}] = std::max(byPort[{d.node, d.port}], severity);
        for (PortRef blamed : d.blamedInputs)
            byPort[blamed] = std::max(byPort[blamed], severity);
    }
    for (auto& [id, item] : m_nodes) {
        const NodeReport* r = report.node(id);
        const auto problems = byNode.find(id);
        const bool hasOutput = r && r->output;
        item->setAnnotation(hasOutput ? QString::fromStdString(r->output->shape.toDisplay()) : QString(),
                            r ? r->params : 0, problems == byNode.end() ? 0 : problems->second.severity,
                            problems == byNode.end() ? QString() : problems->second.text.join("\n\n"));
    }
    for (auto& [c, edge] : m_edges) {
        const TensorInfo* out = report.tensorAt(c.from);
        int severity = 0;
        if (auto p = byPort.find(c.to); p != byPort.end())
            severity = p->second;
        edge->setLabel(out ? QString::fromStdString(out->shape.toDisplay()) : QString(), severity);
    }
    emit cardsChanged();
}

std::vector<NodeId> GraphScene::selectedNodes() const
{
    std::vector<NodeId> ids;
    for (const auto& [id, item] : m_nodes)
        if (item->isSelected())
            ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<Connection> GraphScene::selectedConnections() const
{
    std::vector<Connection> out;
    for (const auto& [c, edge] : m_edges)
        if (edge->isSelected())
            out.push_back(c);
    return out;
}

void GraphScene::selectOnly(NodeId id)
{
    clearSelection();
    if (NodeItem* item = nodeItem(id))
        item->setSelected(true);
}

void GraphScene::selectAll()
{
    std::vector<NodeId> all;
    all.reserve(m_nodes.size());
    for (const auto& [id, item] : m_nodes)
        all.push_back(id);
    select(all, true);
}

void GraphScene::select(const std::vector<NodeId>& ids, bool withConnections)
{
    {
        // One selectionChanged for the lot: each item's own would make selecting n layers O(n^2).
        const QSignalBlocker quiet(this);
        clearSelection();
        for (NodeId id : ids)
            if (NodeItem* item = nodeItem(id))
                item->setSelected(true);
        if (withConnections)
            for (const auto& [c, edge] : m_edges)
                edge->setSelected(true);
    }
    emit selectionChanged();
}

void GraphScene::deleteSelection()
{
    const auto nodes = selectedNodes();
    const auto connections = selectedConnections();
    if (nodes.empty() && connections.empty())
        return;
    m_document.push(new RemoveItemsCommand(m_document.model(), nodes, connections));
}

void GraphScene::setEdgeLabelsVisible(bool visible)
{
    m_labels = visible;
    for (auto& [c, edge] : m_edges)
        edge->setLabelVisible(visible);
    update();
}

QString GraphScene::connectionRefusal(PortRef from, PortRef to) const
{
    const Graph& g = m_document.graph();
    const auto refusal = sf::connectionRefusal(g, {from, to});
    if (!refusal)
        return {};
    const auto name = [&g](NodeId id) { return QString::fromStdString(g.node(id)->name); };
    switch (*refusal) {
    case ConnectionRefusal::MissingLayer:
        return tr("No such layer.");
    case ConnectionRefusal::NoSuchPort:
        return tr("\"%1\" has no input %2.").arg(name(to.node)).arg(to.port);
    case ConnectionRefusal::FeedsItself:
        return tr("A layer cannot feed itself.");
    case ConnectionRefusal::AlreadyFed:
        return tr("Input %1 of \"%2\" is already fed by \"%3\"; delete that connection first.")
            .arg(to.port)
            .arg(name(to.node), name(g.connectionInto(to)->from.node));
    case ConnectionRefusal::MakesCycle:
        return tr("Connecting \"%1\" to \"%2\" would make a cycle: \"%2\" already feeds \"%1\".")
            .arg(name(from.node), name(to.node));
    }
    return {};
}

std::pair<NodeItem*, int> GraphScene::inputPortAt(QPointF pos) const
{
    for (const auto& [id, item] : m_nodes) {
        const int port = item->inputPortAt(pos);
        if (port >= 0)
            return {item, port};
    }
    return {nullptr, -1};
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        for (const auto& [id, item] : m_nodes)
            if (const int port = item->outputPortAt(event->scenePos()); port >= 0) {
                m_dragFrom = {id, port};
                m_rubber = addPath(EdgeItem::curve(item->outputPortPos(port), event->scenePos()),
                                   QPen(Qt::darkGray, 2, Qt::DashLine));
                event->accept();
                return;
            }
    QGraphicsScene::mousePressEvent(event);
    m_moveStart.clear();
    for (NodeId id : selectedNodes())
        m_moveStart.emplace_back(id, m_document.model().node(id)->position);
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event)
{
    if (!m_rubber) {
        QGraphicsScene::mouseMoveEvent(event);
        return;
    }
    const QPointF start = nodeItem(m_dragFrom.node)->outputPortPos(m_dragFrom.port);
    const auto [target, port] = inputPortAt(event->scenePos());
    QString refusal;
    if (target)
        refusal = connectionRefusal(m_dragFrom, {target->nodeId(), port});
    const QPointF end = target ? target->inputPortPos(port) : event->scenePos();
    m_rubber->setPath(EdgeItem::curve(start, end));
    m_rubber->setPen(QPen(!target             ? Qt::darkGray
                          : refusal.isEmpty() ? QColor(0x2e, 0x9c, 0x4f)
                                              : QColor(0xd9, 0x30, 0x25),
                          2, target ? Qt::SolidLine : Qt::DashLine));
    emit statusMessage(refusal);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event)
{
    if (m_rubber) {
        delete m_rubber;
        m_rubber = nullptr;
        const auto [target, port] = inputPortAt(event->scenePos());
        if (target) {
            const Connection c{m_dragFrom, {target->nodeId(), port}};
            const QString refusal = connectionRefusal(c.from, c.to);
            if (refusal.isEmpty())
                m_document.push(new ConnectCommand(m_document.model(), c));
            emit statusMessage(refusal);
        }
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    std::vector<std::pair<NodeId, Point>> from;
    std::vector<std::pair<NodeId, Point>> to;
    for (const auto& [id, start] : m_moveStart)
        if (NodeItem* item = nodeItem(id); item && (item->pos() != QPointF(start.x, start.y))) {
            from.emplace_back(id, start);
            to.emplace_back(id, Point{item->pos().x(), item->pos().y()});
        }
    m_moveStart.clear();
    if (!to.empty())
        m_document.push(new MoveNodesCommand(m_document.model(), from, to, ++m_dragCounter));
}

void GraphScene::contextMenuEvent(QGraphicsSceneContextMenuEvent* event)
{
    QMenu menu;
    for (QGraphicsItem* item : items(event->scenePos())) {
        if (auto* node = dynamic_cast<NodeItem*>(item)) {
            if (!node->isSelected())
                selectOnly(node->nodeId());
            for (const Diagnostic& d : m_document.report().diagnosticsAbout(node->nodeId()))
                for (const QuickFix& fix : d.fixes)
                    menu.addAction(tr("Fix: %1").arg(QString::fromStdString(fix.title)), this,
                                   [this, fix] { m_document.applyFix(fix); });
            if (!menu.isEmpty())
                menu.addSeparator();
            menu.addAction(tr("Duplicate"), this, &GraphScene::duplicateRequested);
            menu.addAction(tr("Delete"), this, &GraphScene::deleteSelection);
            break;
        }
        if (auto* edge = dynamic_cast<EdgeItem*>(item)) {
            const Connection c = edge->connection();
            QMenu* insert = menu.addMenu(tr("Insert Layer Here"));
            for (const LayerSpec& spec : LayerCatalogue::instance().specs())
                if (canInsertIntoEdge(m_document.graph(), c, spec.className))
                    insert->addAction(QString::fromStdString(spec.className), this,
                                      [this, c, type = QString::fromStdString(spec.className)] {
                                          m_document.insertIntoEdge(c, type);
                                      });
            menu.addAction(tr("Delete Connection"), this,
                           [this, c] { m_document.push(new RemoveItemsCommand(m_document.model(), {}, {c})); });
            break;
        }
    }
    if (!menu.isEmpty())
        menu.exec(event->screenPos());
}

void GraphScene::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) {
        deleteSelection();
        event->accept();
        return;
    }
    QGraphicsScene::keyPressEvent(event);
}

} // namespace sf
