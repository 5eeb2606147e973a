#pragma once

#include "NodeItem.h"

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
    /// The whole model in view (View > Fit to View), however small its cards become.
    void fitAll();
    /// What a model opens to: the whole of it when its cards still draw their text then, otherwise
    /// its start (the inputs, on the left) at kOpeningZoom, so that a long model does not open as
    /// bare bars.
    void showModel();
    /// The least zoom a model opens at: a little above the least at which cards draw their text
    /// (at exactly that level a card's text may fall to either side of it).
    static constexpr double kOpeningZoom = 1.25 * NodeItem::kTextLevelOfDetail;
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
