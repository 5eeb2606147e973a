#pragma once

#include "graph/Ids.h"

#include <QGraphicsItem>
#include <QPainterPath>
#include <optional>

namespace sf {

/// A connection drawn as a curve from an output port to an input port, labelled with the
/// tensor's shape (`(None, 20, 64)`; `?` an unknown size; a number in the batch place a fixed
/// batch). Red when the consuming port has an error, amber for a warning. The label sits at the
/// curve's middle, or, when a card would hide it there, at the nearest point along the curve
/// where none does (placed again when the cards change, when it is next painted); zoomed out
/// too far to read, it is not drawn.
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
    /// Where the label is drawn (scene coordinates); empty when it is hidden or there is none.
    QRectF labelRect() const;
    int severity() const { return m_severity; }

    /// What hovering shows: the shape, and how to read it.
    QString toolTipText() const;

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    /// The curve between two points, as every edge (and the connection being dragged) draws it.
    static QPainterPath curve(QPointF from, QPointF to);

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;

private:
    /// The curve, the label's size and the bounds, kept from the ends, the label and its visibility.
    void updateGeometry();
    static QFont labelFont();
    static constexpr double kLabelLevelOfDetail = 0.3;

    Connection m_connection;
    QPointF m_from;
    QPointF m_to;
    QString m_label;
    int m_severity = 0;
    bool m_labelVisible = true;
    QPainterPath m_path;
    QSizeF m_labelSize;
    mutable QRectF m_labelRect;
    mutable std::optional<quint64> m_labelPlacedFor; ///< the scene's cardsGeneration it was placed for
    QRectF m_bounds;
};

} // namespace sf
