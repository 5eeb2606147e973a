#include "ChartReadOut.h"

#include <QChart>
#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>

namespace sf {

namespace {
constexpr qreal kPadding = 6.0; ///< between the text and its box's border
constexpr qreal kGap = 8.0;     ///< between the line and the box
} // namespace

ChartReadOut::ChartReadOut(QChart* chart) : QGraphicsItem(chart), m_chart(chart)
{
    setZValue(100); // above the curves and the legend
    setAcceptedMouseButtons(Qt::NoButton);
    hide();
}

void ChartReadOut::showAt(qreal x, const QString& text)
{
    prepareGeometryChange();
    m_x = x;
    m_text = text;
    const QRectF plot = m_chart->plotArea();
    const QSizeF size = QFontMetricsF(m_chart->font()).boundingRect(QRectF(), Qt::AlignLeft, text).size() +
                        QSizeF(2 * kPadding, 2 * kPadding);
    // Inside the plot area where it fits (the axes' labels stay readable), else inside the chart.
    const QRectF room = plot.width() >= size.width() && plot.height() >= size.height() ? plot : m_chart->rect();
    qreal left = x + kGap;
    if (left + size.width() > room.right())
        left = x - kGap - size.width();
    left = std::clamp(left, room.left(), std::max(room.left(), room.right() - size.width()));
    const qreal top = std::clamp(plot.top() + kGap, room.top(), std::max(room.top(), room.bottom() - size.height()));
    m_box = QRectF(QPointF(left, top), size);
    show();
    update();
}

QRectF ChartReadOut::boundingRect() const
{
    const QRectF plot = m_chart->plotArea();
    return m_box.united(QRectF(m_x - 1.0, plot.top(), 2.0, plot.height())).adjusted(-1, -1, 1, 1);
}

void ChartReadOut::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QRectF plot = m_chart->plotArea();
    painter->setPen(QPen(QColor(60, 60, 60, 160), 1.0, Qt::DashLine));
    painter->drawLine(QPointF(m_x, plot.top()), QPointF(m_x, plot.bottom()));
    painter->setPen(QPen(QColor(60, 60, 60), 1.0));
    painter->setBrush(QColor(255, 255, 255, 235));
    painter->drawRoundedRect(m_box, 3.0, 3.0);
    painter->setFont(m_chart->font());
    painter->drawText(m_box.adjusted(kPadding, kPadding, -kPadding, -kPadding), Qt::AlignLeft | Qt::AlignTop, m_text);
}

} // namespace sf
