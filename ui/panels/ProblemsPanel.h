#pragma once

#include "graph/Graph.h"
#include "io/KerasImport.h"
#include "shape/Diagnostic.h"

#include <QWidget>
#include <vector>

class QPushButton;
class QTreeWidget;

namespace sf {

/// Every diagnostic of the model, errors first (severity, layer, message; the hint and fixes on
/// hover). Selecting one selects its layer; Fix applies its first fix, the arrow offers the others.
class ProblemsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ProblemsPanel(QWidget* parent = nullptr);

    void showProblems(const Graph& graph, const std::vector<Diagnostic>& diagnostics,
                      const std::vector<ImportProblem>& importProblems);
    QTreeWidget* tree() const { return m_tree; }
    QPushButton* fixButton() const { return m_fix; }
    /// The diagnostic of the current row, if it is one (not an import problem).
    const Diagnostic* current() const;

signals:
    void layerSelected(sf::NodeId node);
    void fixRequested(const sf::QuickFix& fix);

private:
    void updateFixButton();

    QTreeWidget* m_tree;
    QPushButton* m_fix;
    std::vector<Diagnostic> m_diagnostics; ///< in row order after the import problems
    int m_importRows = 0;
};

} // namespace sf
