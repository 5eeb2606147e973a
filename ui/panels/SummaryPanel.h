#pragma once

#include "shape/ModelSummary.h"

#include <QTreeWidget>
#include <unordered_map>

class QLabel;

namespace sf {

/// The `model.summary()` table: layer (type), output shape, params, connected to, with the
/// severity of each layer's worst diagnostic as its icon, and totals with weight memory below.
class SummaryPanel : public QWidget {
    Q_OBJECT
public:
    explicit SummaryPanel(QWidget* parent = nullptr);

    void showModel(const Graph& graph, const ShapeReport& report);
    /// Selects the row of `node` without announcing it (the canvas selection moved).
    void selectNode(NodeId node);
    QTreeWidget* table() const { return m_table; }

signals:
    void layerSelected(sf::NodeId node);

private:
    QTreeWidget* m_table;
    std::unordered_map<NodeId, QTreeWidgetItem*> m_rows; ///< the row of each layer, to select it
    QLabel* m_totals;
};

} // namespace sf
