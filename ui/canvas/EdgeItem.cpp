#include "EdgeItem.h"

#include "GraphScene.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QHash>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace sf {

QPainterPath EdgeItem::curve(QPointF from, QPointF to)
{
    const double bend = std::max(40.0, std::abs(to.x() - from.x()) * 0.5);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(bend, 0), to - QPointF(bend, 0), to);
    return path;
}

void EdgeItem::setEnds(QPointF from, QPointF to)
{
    if (from == m_from && to == m_to)
        return;
    prepareGeometryChange();
    m_from = from;
    m_to = to;
    updateGeometry();
}

void EdgeItem::setLabel(const QString& label, int severity)
{
    if (label == m_label && severity == m_severity)
        return;
    if (label != m_label)
        prepareGeometryChange();
    m_label = label;
    m_severity = severity;
    updateGeometry();
    update();
}

QString EdgeItem::toolTipText() const
{
    return QObject::tr("%1\nNone: the model's batch · ?: an unknown size (a variable length) · a number: a fixed size")
        .arg(m_label.isEmpty() ? QObject::tr("shape unknown (an error upstream)") : m_label);
}

void EdgeItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event)
{
    setToolTip(toolTipText()); // made when it may be shown, not for each of thousands of edges on every edit
    QGraphicsItem::hoverEnterEvent(event);
}

void EdgeItem::setLabelVisible(bool visible)
{
    prepareGeometryChange();
    m_labelVisible = visible;
    updateGeometry();
}

QFont EdgeItem::labelFont()
{
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    return font;
}

void EdgeItem::updateGeometry()
{
    m_path = curve(m_from, m_to);
    m_labelSize = QSizeF();
    if (m_labelVisible && !m_label.isEmpty()) {
        // Measuring text is slow and a model has few distinct shapes: each is measured once.
        static QHash<QString, QSizeF> measured;
        auto found = measured.find(m_label);
        if (found == measured.end()) {
            const QFontMetricsF metrics(labelFont());
            found = measured.insert(m_label, QSizeF(metrics.horizontalAdvance(m_label) + 12, metrics.height() + 4));
        }
        m_labelSize = *found;
    }
    m_labelPlacedFor.reset();
    // The label sits somewhere along the curve: the bounds hold it wherever it goes.
    const double dx = std::max(4.0, m_labelSize.width() / 2 + 1), dy = std::max(4.0, m_labelSize.height() / 2 + 1);
    m_bounds = m_path.boundingRect().adjusted(-dx, -dy, dx, dy);
}

QRectF EdgeItem::labelRect() const
{
    if (m_labelSize.isEmpty())
        return {};
    const auto* graph = qobject_cast<const GraphScene*>(scene());
    const quint64 generation = graph ? graph->cardsGeneration() : 0;
    if (m_labelPlacedFor == generation)
        return m_labelRect;
    auto at = [this](double t) {
        const QPointF p = m_path.pointAtPercent(t);
        return QRectF(p - QPointF(m_labelSize.width() / 2, m_labelSize.height() / 2), m_labelSize);
    };
    // The middle of the curve, else the nearest point along it where no card hides the label.
    m_labelRect = at(0.5);
    if (graph)
        for (double t : {0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88})
            if (!graph->overlapsCard(at(t).adjusted(-2, -2, 2, 2))) {
                m_labelRect = at(t);
                break;
            }
    m_labelPlacedFor = generation;
    return m_labelRect;
}

QRectF EdgeItem::boundingRect() const
{
    return m_bounds;
}

QPainterPath EdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(10);
    QPainterPath s = stroker.createStroke(m_path);
    s.addRect(labelRect());
    return s;
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const QPalette palette = QApplication::palette();
    const QColor color = m_severity == 2   ? QColor(0xd9, 0x30, 0x25)
                         : m_severity == 1 ? QColor(0xe0, 0x9b, 0x15)
                         : isSelected()    ? palette.highlight().color()
                                           : palette.dark().color();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(color, m_severity || isSelected() ? 2.5 : 1.6));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
    // Zoomed out this far the text could not be read: the curves alone show the model's shape.
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < kLabelLevelOfDetail)
        return;
    const QRectF box = labelRect();
    if (box.isEmpty())
        return;
    painter->setFont(labelFont());
    painter->setPen(QPen(color, 1.0));
    painter->setBrush(palette.base());
    painter->drawRoundedRect(box, 4, 4);
    painter->setPen(m_severity ? color : palette.text().color());
    painter->drawText(box, Qt::AlignCenter, m_label);
}

} // namespace sf
