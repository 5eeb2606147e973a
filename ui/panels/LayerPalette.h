#pragma once

#include <QWidget>

class QLineEdit;
class QTreeWidget;

namespace sf {

/// Every layer type by category with its one-line description, a search field, double-click to
/// add at the centre of the view, or drag onto the canvas.
class LayerPalette : public QWidget {
    Q_OBJECT
public:
    explicit LayerPalette(QWidget* parent = nullptr);
    QTreeWidget* tree() const { return m_tree; }
    QLineEdit* search() const { return m_search; }

signals:
    void layerActivated(const QString& className);

private:
    void filter(const QString& text);

    QLineEdit* m_search;
    QTreeWidget* m_tree;
};

} // namespace sf
