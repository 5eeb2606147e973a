#include "EdgeItem.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>

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
    if (label == m_label && severity == m_severity && !toolTip().isEmpty())
        return;
    if (label != m_label)
        prepareGeometryChange();
    m_label = label;
    m_severity = severity;
    updateGeometry();
    setToolTip(QObject::tr("%1\nNone: the model's batch · ?: an unknown size (a variable length) · a number: a fixed size")
                   .arg(label.isEmpty() ? QObject::tr("shape unknown (an error upstream)") : label));
    update();
}

void EdgeItem::setLabelVisible(bool visible)
{
    prepareGeometryChange();
    m_labelVisible = visible;
    updateGeometry();
}

void EdgeItem::updateGeometry()
{
    m_path = curve(m_from, m_to);
    m_labelRect = QRectF();
    if (m_labelVisible && !m_label.isEmpty()) {
        QFont font = QApplication::font();
        font.setPointSizeF(font.pointSizeF() * 0.9);
        const QFontMetricsF metrics(font);
        const QPointF mid = m_path.pointAtPercent(0.5);
        const double w = metrics.horizontalAdvance(m_label) + 12;
        const double h = metrics.height() + 4;
        m_labelRect = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h);
    }
    m_bounds = m_path.boundingRect().adjusted(-4, -4, 4, 4).united(m_labelRect);
}

QRectF EdgeItem::boundingRect() const { return m_bounds; }

QPainterPath EdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(10);
    QPainterPath s = stroker.createStroke(m_path);
    s.addRect(m_labelRect);
    return s;
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QPalette palette = QApplication::palette();
    const QColor color = m_severity == 2 ? QColor(0xd9, 0x30, 0x25) : m_severity == 1 ? QColor(0xe0, 0x9b, 0x15)
                         : isSelected()  ? palette.highlight().color()
                                         : palette.dark().color();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(color, m_severity || isSelected() ? 2.5 : 1.6));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
    const QRectF box = m_labelRect;
    if (box.isEmpty())
        return;
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    painter->setFont(font);
    painter->setPen(QPen(color, 1.0));
    painter->setBrush(palette.base());
    painter->drawRoundedRect(box, 4, 4);
    painter->setPen(m_severity ? color : palette.text().color());
    painter->drawText(box, Qt::AlignCenter, m_label);
}

} // namespace sf
