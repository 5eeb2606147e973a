#pragma once

#include "QuickAddRanking.h"

#include <QFrame>

class QLineEdit;
class QListWidget;

namespace sf {

/// A popup at the cursor (Tab on the canvas) that lists the layer types, filters as you type (name
/// matches before description matches: rankLayers) and adds the chosen one with Enter or a click.
class QuickAddPopup : public QFrame {
    Q_OBJECT
public:
    explicit QuickAddPopup(QWidget* parent = nullptr);
    void popup(QPoint globalPos);
    QLineEdit* filter() const { return m_filter; }
    QListWidget* list() const { return m_list; }

signals:
    void layerChosen(const QString& className);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyFilter(const QString& text);
    void choose();

    QLineEdit* m_filter;
    QListWidget* m_list;
    std::vector<LayerEntry> m_layers; ///< every layer type, in the registry's order
};

} // namespace sf
