#pragma once

#include <QGraphicsView>
#include <optional>

namespace sf {

/// The canvas view: Ctrl+wheel and Ctrl +/- zoom, middle-button drag or Space+drag pans, fit to
/// view; dropping a layer from the palette asks for it to be added where it was dropped.
class GraphView : public QGraphicsView {
    Q_OBJECT
public:
    explicit GraphView(QGraphicsScene* scene, QWidget* parent = nullptr);

    void zoomBy(double factor);
    void fitAll();
    double zoom() const { return transform().m11(); }

    static constexpr const char* kLayerMime = "application/x-shapeflow-layer";

signals:
    void layerDropped(const QString& className, QPointF scenePos);
    void quickAddRequested(QPoint globalPos, QPointF scenePos); ///< Tab over the canvas

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool focusNextPrevChild(bool next) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    std::optional<QPointF> m_keptCentre; ///< shown before the scene's rect changed
};

} // namespace sf
