#pragma once

#include <QWidget>

namespace sf {

class GraphScene;
class GraphView;

/// The overview (View > Overview): a map of every card in the canvas's lower right corner, errors
/// red, warnings amber, the selection in the highlight colour, and a frame around what the view
/// shows. A click or a drag in it centres the view there. It is shown only while some card is out
/// of view (and the option is on), and it repaints when cards, the selection, the problems or the
/// view change, never on each scene repaint.
class Minimap : public QWidget {
    Q_OBJECT
public:
    Minimap(GraphView& view, GraphScene& scene);

    /// View > Overview: whether the map may show at all.
    void setAllowed(bool allowed);
    /// The scene rectangle the map draws: the cards, with a margin.
    QRectF mapped() const;
    /// The scene point under a point of the map.
    QPointF sceneAt(QPointF mapPoint) const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    /// Shows or hides the map for what the view shows now, places it, and repaints it.
    void refresh();
    QRectF visibleScene() const;
    /// Scene to map coordinates.
    QTransform toMap() const;

    GraphView& m_view;
    GraphScene& m_scene;
    QWidget* m_viewport; ///< the view's, whose resizing moves the map
    bool m_allowed = true;
};

} // namespace sf
