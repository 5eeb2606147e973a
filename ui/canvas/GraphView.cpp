#include "GraphView.h"

#include "GraphScene.h"

#include <QCursor>
#include <QGraphicsScene>
#include <QKeyEvent>
#include <QMimeData>
#include <QScrollBar>
#include <QWheelEvent>

namespace sf {

GraphView::GraphView(QGraphicsScene* scene, QWidget* parent) : QGraphicsView(scene, parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(RubberBandDrag);
    setTransformationAnchor(AnchorUnderMouse);
    setViewportUpdateMode(SmartViewportUpdate);
    setAcceptDrops(true);
    // The scene always reaches beyond the cards, so the scrollbars are always there; saying so keeps
    // the viewport's size from changing under a fit when they first appear.
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    // A scene rect that grows or shrinks would move what the view shows: keep its centre.
    if (auto* graph = qobject_cast<GraphScene*>(scene)) {
        connect(graph, &GraphScene::rectAboutToChange, this,
                [this] { m_keptCentre = mapToScene(viewport()->rect().center()); });
        connect(graph, &QGraphicsScene::sceneRectChanged, this, [this] {
            if (m_keptCentre)
                centerOn(*std::exchange(m_keptCentre, std::nullopt));
        });
    }
}

void GraphView::zoomBy(double factor)
{
    const double next = std::clamp(zoom() * factor, 0.1, 4.0);
    scale(next / zoom(), next / zoom());
}

void GraphView::fitAll()
{
    if (auto* graph = qobject_cast<GraphScene*>(scene()))
        graph->fitRectToContents(); // an edit's pending update first, so that the fit stays
    const QRectF bounds = scene()->itemsBoundingRect().adjusted(-40, -40, 40, 40);
    if (!bounds.isValid())
        return;
    fitInView(bounds, Qt::KeepAspectRatio);
    if (zoom() > 1.0) {
        // No closer than 1:1, still centred: scale() would keep the point under the mouse instead.
        setTransform(QTransform());
        centerOn(bounds.center());
    }
}

void GraphView::showModel()
{
    fitAll();
    if (zoom() >= kOpeningZoom)
        return;
    const QRectF bounds = scene()->itemsBoundingRect().adjusted(-40, -40, 40, 40);
    setTransform(QTransform::fromScale(kOpeningZoom, kOpeningZoom));
    const double halfWidth = viewport()->width() / (2.0 * kOpeningZoom);
    const double halfHeight = viewport()->height() / (2.0 * kOpeningZoom);
    // The left edge at the view's left; vertically the middle, or the top when taller than the view.
    const double y = bounds.height() <= 2.0 * halfHeight ? bounds.center().y() : bounds.top() + halfHeight;
    centerOn(bounds.left() + halfWidth, y);
}

void GraphView::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        zoomBy(event->angleDelta().y() > 0 ? 1.15 : 1.0 / 1.15);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void GraphView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton) {
        // Pan: pretend the left button drags the hand.
        setDragMode(ScrollHandDrag);
        QMouseEvent press(event->type(), event->position(), event->globalPosition(), Qt::LeftButton, Qt::LeftButton,
                          event->modifiers());
        QGraphicsView::mousePressEvent(&press);
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton) {
        QMouseEvent release(event->type(), event->position(), event->globalPosition(), Qt::LeftButton, Qt::NoButton,
                            event->modifiers());
        QGraphicsView::mouseReleaseEvent(&release);
        setDragMode(RubberBandDrag);
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

bool GraphView::focusNextPrevChild(bool next)
{
    Q_UNUSED(next);
    return false; // Tab opens the quick-add popup instead of moving the focus
}

void GraphView::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Tab) {
        const QPoint at = viewport()->mapFromGlobal(QCursor::pos());
        const QPoint inside = viewport()->rect().contains(at) ? at : viewport()->rect().center();
        emit quickAddRequested(viewport()->mapToGlobal(inside), mapToScene(inside));
        return;
    }
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        setDragMode(ScrollHandDrag);
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        setDragMode(RubberBandDrag);
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void GraphView::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasFormat(kLayerMime))
        event->acceptProposedAction();
}

void GraphView::dragMoveEvent(QDragMoveEvent* event)
{
    if (event->mimeData()->hasFormat(kLayerMime))
        event->acceptProposedAction();
}

void GraphView::dropEvent(QDropEvent* event)
{
    if (!event->mimeData()->hasFormat(kLayerMime))
        return;
    emit layerDropped(QString::fromUtf8(event->mimeData()->data(kLayerMime)), mapToScene(event->position().toPoint()));
    event->acceptProposedAction();
}

} // namespace sf
