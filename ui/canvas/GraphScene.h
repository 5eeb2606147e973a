#pragma once

#include "CardGrid.h"
#include "graph/Graph.h"

#include <QGraphicsScene>
#include <QTimer>
#include <map>
#include <set>
#include <unordered_map>

class QGraphicsPathItem;
class QGraphicsRectItem;

namespace sf {

class GraphDocument;
class NodeItem;
class EdgeItem;

/// Draws the document's model and follows its signals; never changes the model itself. Finished
/// drags become undoable moves, a drag from an output port to an input port a connection (refused
/// while dragging, with the reason, when the editing rules refuse it: ConnectionRules.h), Delete a
/// removal: all pushed to the document's undo stack.
class GraphScene : public QGraphicsScene {
    Q_OBJECT
public:
    explicit GraphScene(GraphDocument& document, QObject* parent = nullptr);
    /// Lets its views go while it is still whole: a view's scrollbars then tell their listeners
    /// (the overview) of a scene that is still a GraphScene.
    ~GraphScene() override;

    NodeItem* nodeItem(NodeId id) const;
    EdgeItem* edgeItem(const Connection& c) const;
    std::size_t nodeItemCount() const { return m_nodes.size(); }
    const std::unordered_map<NodeId, NodeItem*>& nodeItems() const { return m_nodes; }
    /// Where the cards are, as of the last fitRectToContents (an empty rect: no cards).
    QRectF cardsRect() const { return m_cardsRect; }
    std::size_t edgeItemCount() const { return m_edges.size(); }

    /// The frame drawn around the cards of a group (a model used as a layer, graph/NodeGroup.h),
    /// with the model's name on it; nullptr for no such group.
    QGraphicsRectItem* groupFrame(GroupId id) const;
    bool isGroupCollapsed(GroupId id) const { return m_collapsed.contains(id); }
    /// Shows a group as one closed frame (its cards, and the edges between them, hidden; the edges
    /// crossing its border drawn to the frame) or open again. Double-clicking a frame does the same.
    void setGroupCollapsed(GroupId id, bool collapsed);

    std::vector<NodeId> selectedNodes() const;
    std::vector<Connection> selectedConnections() const;
    void selectOnly(NodeId id);
    /// The scene reaches every card, with room around them (scrolling and Fit then reach them all).
    /// Runs by itself after edits and drags; views keep what they show centred across the change.
    void fitRectToContents();
    /// Selects every layer and connection (Edit > Select All).
    void selectAll();
    /// Selects exactly these layers (and, with `withConnections`, every connection), with one
    /// selectionChanged signal.
    void select(const std::vector<NodeId>& ids, bool withConnections = false);
    void deleteSelection();

    /// Whether `rect` (scene coordinates) overlaps a card: edge labels keep off them.
    bool overlapsCard(const QRectF& rect) const;
    /// Counts the changes to where the cards are: what was placed against them is placed again.
    quint64 cardsGeneration() const { return m_cardsGeneration; }

    /// Why connecting `from` to `to` is refused (connectionRefusal, worded for the status bar), or
    /// an empty string when it is allowed.
    QString connectionRefusal(PortRef from, PortRef to) const;

    void setEdgeLabelsVisible(bool visible);
    bool edgeLabelsVisible() const { return m_labels; }

signals:
    void statusMessage(const QString& message);
    void duplicateRequested();
    /// The scene's rect is about to change (sceneRectChanged follows): views note what they show.
    void rectAboutToChange();
    /// Cards were added, removed or moved (sent once an edit or a drag step is done), or the
    /// problems they show changed.
    void cardsChanged();

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) override;
    void contextMenuEvent(QGraphicsSceneContextMenuEvent* event) override;

private:
    void onNodeAdded(NodeId id);
    void onNodeRemoved(NodeId id);
    void onConnectionAdded(const Connection& c);
    void onConnectionRemoved(const Connection& c);
    void onNodeChanged(NodeId id);
    void onNodeMoved(NodeId id);
    void annotate();
    void updateEdgesOf(NodeId id);
    /// Puts one edge between its cards' ports, or a closed group's frame for a hidden card.
    void placeEdge(const Connection& c, EdgeItem* edge) const;
    /// Fits each group's frame around its cards (or closes it), hides the cards of closed groups.
    void updateFrames();
    /// The outermost closed group that hides node `id`; invalid when its card shows.
    GroupId hiddenIn(NodeId id) const;
    void refreshPorts(NodeId id);

    /// Deletes a card or edge; removing selected ones sends one selectionChanged afterwards.
    void deleteItem(QGraphicsItem* item);
    std::pair<NodeItem*, int> inputPortAt(QPointF pos) const;

    GraphDocument& m_document;
    std::unordered_map<NodeId, NodeItem*> m_nodes;
    std::map<Connection, EdgeItem*> m_edges;
    std::map<GroupId, QGraphicsRectItem*> m_frames;
    std::set<GroupId> m_collapsed;
    bool m_labels = true;
    bool m_selectionChangePending = false; ///< a selectionChanged is queued for removed items
    QTimer m_rectTimer;                    ///< fits the scene's rect to its cards once an edit is done
    QRectF m_cardsRect;
    quint64 m_cardsGeneration = 0;
    quint64 m_fittedGeneration = ~quint64{0}; ///< the cardsGeneration the scene's rect was fitted to
    mutable CardGrid m_cardGrid;              ///< built on the first question after the cards changed
    mutable quint64 m_cardGridGeneration = ~quint64{0};

    // A connection being dragged.
    QGraphicsPathItem* m_rubber = nullptr;
    PortRef m_dragFrom;
    // Nodes being moved: where they started.
    std::vector<std::pair<NodeId, Point>> m_moveStart;
    int m_dragCounter = 0;
};

} // namespace sf
