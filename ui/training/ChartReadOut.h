#pragma once

#include <QGraphicsItem>
#include <QString>

class QChart;

namespace sf {

/// What the loss chart shows where the mouse is: a vertical line across the plot area at a step,
/// and beside it a box with the values there, on the line's right, or on its left where the right
/// has no room, always inside the chart. A child item of the chart, drawn above its curves.
class ChartReadOut : public QGraphicsItem {
public:
    explicit ChartReadOut(QChart* chart);

    /// Shows the line at `x` (chart coordinates) with `text` (one line per curve) beside it.
    void showAt(qreal x, const QString& text);
    QString text() const { return isVisible() ? m_text : QString(); }
    qreal lineX() const { return m_x; }
    /// The box with the values, in chart coordinates.
    QRectF box() const { return m_box; }

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    QChart* m_chart;
    qreal m_x = 0.0;
    QString m_text;
    QRectF m_box;
};

} // namespace sf
