#pragma once

#include "graph/Graph.h"
#include "shape/Diagnostic.h"

#include <QTreeWidget>
#include <vector>

namespace sf {

/// Every diagnostic of the model, errors first: severity, layer, message; the hint and the
/// fixes on hover.
class ProblemsPanel : public QTreeWidget {
    Q_OBJECT
public:
    explicit ProblemsPanel(QWidget* parent = nullptr);

    void showProblems(const Graph& graph, const std::vector<Diagnostic>& diagnostics, const QStringList& importProblems);

signals:
    void layerSelected(sf::NodeId node);
};

} // namespace sf
