#pragma once

#include "shape/ModelAnalysis.h"

#include <QTreeWidget>
#include <unordered_map>

class QSpinBox;

namespace sf {

class RefreshWhenShown;

/// The model analysis (ModelAnalysis) as a table: per layer its output shape, trainable and
/// non-trainable parameters, weight memory, activation memory per sample and at the batch size
/// of the spin box, and forward FLOPs, with a totals row that stays last whatever the sort.
/// Columns sort by their numbers (`#` gives the model order back); rows and cards select each
/// other; Export CSV… writes what the table shows, exactly (writeAnalysisCsv).
class AnalysisPanel : public QWidget {
    Q_OBJECT
public:
    explicit AnalysisPanel(QWidget* parent = nullptr);

    /// Analyses the model; the table shows it at once while it can be seen, else when it is next
    /// in sight (RefreshWhenShown), so that editing a large model costs the table nothing.
    void showModel(const Graph& graph, const ShapeReport& report);
    /// Selects the rows of `nodes` without announcing it (the canvas selection moved).
    void selectNodes(const std::vector<NodeId>& nodes);
    /// Writes the analysis at the chosen batch size as CSV; false when the file cannot be written.
    bool exportCsv(const QString& path) const;

    /// The table, up to date.
    QTreeWidget* table() const;
    QSpinBox* batchSize() const { return m_batch; }
    /// The row of `node`, or nullptr.
    QTreeWidgetItem* rowOf(NodeId node) const;
    QTreeWidgetItem* totalsRow() const;

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
    bool m_tableStale = true;                            ///< the table does not show m_analysis yet
    RefreshWhenShown* m_fill;                            ///< fills the table when it can be seen
    std::vector<NodeId> m_selected;                      ///< the canvas's selection, kept for the next fill
    std::unordered_map<NodeId, QTreeWidgetItem*> m_rows; ///< the row of each layer, to select it
};

} // namespace sf
