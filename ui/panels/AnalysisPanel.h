#pragma once

#include "shape/ModelAnalysis.h"

#include <QTreeWidget>
#include <unordered_map>

class QSpinBox;

namespace sf {

/// The model analysis (ModelAnalysis) as a table: per layer its output shape, trainable and
/// non-trainable parameters, weight memory, activation memory per sample and at the batch size
/// of the spin box, and forward FLOPs, with a totals row that stays last whatever the sort.
/// Columns sort by their numbers (`#` gives the model order back); rows and cards select each
/// other; Export CSV… writes what the table shows, exactly (writeAnalysisCsv).
class AnalysisPanel : public QWidget {
    Q_OBJECT
public:
    explicit AnalysisPanel(QWidget* parent = nullptr);

    void showModel(const Graph& graph, const ShapeReport& report);
    /// Selects the rows of `nodes` without announcing it (the canvas selection moved).
    void selectNodes(const std::vector<NodeId>& nodes);
    /// Whether the table is in view (its dock's tab in front: QDockWidget::visibilityChanged).
    /// Out of view it is not refilled, so that editing a large model costs nothing here; it
    /// catches up when it comes into view.
    void setInView(bool inView);
    bool isInView() const { return m_inView; }
    /// Writes the analysis at the chosen batch size as CSV; false when the file cannot be written.
    bool exportCsv(const QString& path) const;

    QTreeWidget* table() const { return m_table; }
    QSpinBox* batchSize() const { return m_batch; }
    /// The row of `node`, or nullptr.
    QTreeWidgetItem* rowOf(NodeId node) const;
    QTreeWidgetItem* totalsRow() const { return m_totals; }

signals:
    void layerSelected(sf::NodeId node);

private:
    /// Makes the table show m_analysis and m_selected.
    void fillTable();
    /// Selects the rows of m_selected, and scrolls to the first.
    void showSelection();
    /// Fills the columns that depend on the batch size (a layer's activations, every total).
    void showBatchColumns();

    ModelAnalysis m_analysis;
    QTreeWidget* m_table;
    QSpinBox* m_batch;
    QTreeWidgetItem* m_totals = nullptr;
    bool m_inView = true;
    bool m_tableStale = true;       ///< the table does not show m_analysis yet (see setInView)
    std::vector<NodeId> m_selected; ///< the canvas's selection, kept for the next fill
    std::unordered_map<NodeId, QTreeWidgetItem*> m_rows; ///< the row of each layer, to select it
};

} // namespace sf
