#include "SceneExport.h"

#include <QApplication>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QPalette>
#include <QSvgGenerator>

namespace sf {

namespace {

/// The area to render; with `selectionOnly`, the other items are hidden until render() returns.
QRectF prepare(QGraphicsScene& scene, bool selectionOnly, std::vector<QGraphicsItem*>& hidden)
{
    QRectF bounds;
    for (QGraphicsItem* item : scene.items()) {
        if (!item->isVisible() || item->parentItem())
            continue;
        if (selectionOnly && !item->isSelected()) {
            item->hide();
            hidden.push_back(item);
            continue;
        }
        bounds |= item->sceneBoundingRect();
    }
    return bounds.adjusted(-20, -20, 20, 20);
}

template <typename Paint> bool render(QGraphicsScene& scene, bool selectionOnly, Paint paint)
{
    std::vector<QGraphicsItem*> hidden;
    const QList<QGraphicsItem*> selected = scene.selectedItems();
    const QRectF area = prepare(scene, selectionOnly, hidden);
    for (QGraphicsItem* item : selected)
        item->setSelected(false); // draw the selection as it is, without its highlight
    const bool ok = area.isValid() && paint(area);
    for (QGraphicsItem* item : selected)
        item->setSelected(true);
    for (QGraphicsItem* item : hidden)
        item->show();
    return ok;
}

} // namespace

bool exportPng(QGraphicsScene& scene, const QString& path, bool selectionOnly, double scale)
{
    return render(scene, selectionOnly, [&](const QRectF& area) {
        QImage image((area.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.fill(QApplication::palette().base().color());
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        scene.render(&painter, QRectF(QPointF(), image.size()), area);
        painter.end();
        return image.save(path, "PNG");
    });
}

bool exportSvg(QGraphicsScene& scene, const QString& path, bool selectionOnly)
{
    return render(scene, selectionOnly, [&](const QRectF& area) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(area.size().toSize());
        svg.setViewBox(QRectF(QPointF(), area.size()));
        svg.setTitle("Shapeflow model");
        QPainter painter;
        if (!painter.begin(&svg))
            return false;
        scene.render(&painter, QRectF(QPointF(), area.size()), area);
        return painter.end();
    });
}

} // namespace sf
