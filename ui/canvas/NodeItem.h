#pragma once

#include "graph/Node.h"

#include <QGraphicsObject>

namespace sf {

struct NodeReport;

/// A layer's card: type, name, key arguments (`Dense 128 · relu`), output shape and weight count;
/// input ports on the left (named inside the card when there are several), the output port on the
/// right. Red border and badge for an error, amber for a warning; a selected card has a ring of
/// the highlight colour around it, whatever its border. What does not fit is elided (a name in
/// the middle) and whole in the tooltip. Zoomed out too far to read, only the outline, the
/// header's colour and the border are drawn. Position changes are reported to the scene, which turns a finished drag
/// into an undoable move.
class NodeItem : public QGraphicsObject {
    Q_OBJECT
public:
    static constexpr double kWidth = 210.0;
    static constexpr double kPortRadius = 6.0;
    static constexpr double kRing = 5.0; ///< the selection ring's distance outside the card
    /// Below this zoom a card's text could not be read and is not drawn.
    static constexpr double kTextLevelOfDetail = 0.3;

    explicit NodeItem(const Node& node);

    NodeId nodeId() const { return m_node.id; }
    /// Follows the model: arguments, name, and how many input ports (variadic layers grow one free).
    void setNode(const Node& node, int connectedInputs);
    /// Follows the report: output shape, weights, and the worst problem here with its text.
    void setAnnotation(const QString& shape, std::int64_t params, int severity, const QString& problems);

    int severity() const { return m_severity; } ///< 0 none, 1 warning, 2 error
    /// The input ports' names when there are several (a variadic layer's: their order), else none.
    QStringList portLabels() const;

    QPointF inputPortPos(int port) const; ///< in scene coordinates
    QPointF outputPortPos(int port = 0) const;
    int inputPortAt(QPointF scenePos) const; ///< -1 if none is under the point
    /// The output port under `scenePos`, or -1.
    int outputPortAt(QPointF scenePos) const;

    /// What hovering shows: type and whole name, key arguments, output shape, then the problems here.
    QString toolTipText() const;

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

signals:
    void moved(sf::NodeId id);

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;

private:
    double height() const;
    QString keyArguments() const;

    Node m_node;
    int m_inputs = 0;
    QStringList m_outputNames{QString()}; ///< one per output port (LayerType::outputNames)
    QString m_shape;
    QString m_problems;
    std::int64_t m_params = 0;
    int m_severity = 0; ///< 0 none, 1 warning, 2 error
};

} // namespace sf
