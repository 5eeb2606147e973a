#pragma once

#include "shape/ModelSummary.h"

#include <QTreeWidget>
#include <unordered_map>

class QLabel;

namespace sf {

class RefreshWhenShown;

/// The `model.summary()` table: layer (type), output shape, params, connected to, with the
/// severity of each layer's worst diagnostic as its icon, and totals with weight memory below.
class SummaryPanel : public QWidget {
    Q_OBJECT
public:
    explicit SummaryPanel(QWidget* parent = nullptr);

    /// Shows the model, at once while the panel can be seen, else when it is next shown: `graph`
    /// and `report` (the document's) must outlive the panel.
    void showModel(const Graph& graph, const ShapeReport& report);
    /// Selects the row of `node` without announcing it (the canvas selection moved).
    void selectNode(NodeId node);
    /// The table, up to date.
    QTreeWidget* table() const;

signals:
    void layerSelected(sf::NodeId node);

private:
    void fill(const Graph& graph, const ShapeReport& report);

    QTreeWidget* m_table;
    std::unordered_map<NodeId, QTreeWidgetItem*> m_rows; ///< the row of each layer, to select it
    QLabel* m_totals;
    RefreshWhenShown* m_fill;
    const Graph* m_graph = nullptr;
    const ShapeReport* m_report = nullptr;
    NodeId m_selected; ///< the canvas's one selected layer, selected again after a refill
};

} // namespace sf
