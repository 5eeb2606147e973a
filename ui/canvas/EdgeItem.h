#pragma once

#include "graph/Ids.h"

#include <QGraphicsItem>
#include <QPainterPath>

namespace sf {

/// A connection drawn as a curve from an output port to an input port, labelled with the
/// tensor's shape (`(None, 20, 64)`; `?` an unknown size; a number in the batch place a fixed
/// batch). Red when the consuming port has an error, amber for a warning.
class EdgeItem : public QGraphicsItem {
public:
    explicit EdgeItem(Connection c) : m_connection(c)
    {
        setZValue(-1);
        setFlag(ItemIsSelectable);
        setAcceptHoverEvents(true);
        updateGeometry();
    }

    const Connection& connection() const { return m_connection; }
    void setEnds(QPointF from, QPointF to);
    void setLabel(const QString& label, int severity);
    void setLabelVisible(bool visible);
    QString label() const { return m_label; }
    int severity() const { return m_severity; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    /// The curve between two points, as every edge (and the connection being dragged) draws it.
    static QPainterPath curve(QPointF from, QPointF to);

private:
    /// The curve, the label's box and the bounds, kept from the ends, the label and its visibility.
    void updateGeometry();

    Connection m_connection;
    QPointF m_from;
    QPointF m_to;
    QString m_label;
    int m_severity = 0;
    bool m_labelVisible = true;
    QPainterPath m_path;
    QRectF m_labelRect;
    QRectF m_bounds;
};

} // namespace sf
