#pragma once

#include "ShapeReport.h"
#include "graph/Graph.h"

namespace sf {

/// A graph with its shape report, inferred once and handed on: the compiler, the exporters, the
/// data checks, the trainer and the CLI take one, instead of each inferring the graph again. The
/// editor's document already keeps the report, and hands both on as they are.
class CheckedModel {
public:
    /// Infers `graph`'s shapes. Not explicit: where a caller has only a graph, it is checked there.
    CheckedModel(Graph graph);
    /// A graph with the report inferred for it (GraphDocument keeps one up to date).
    CheckedModel(Graph graph, ShapeReport report) : m_graph(std::move(graph)), m_report(std::move(report)) {}

    const Graph& graph() const { return m_graph; }
    const ShapeReport& report() const { return m_report; }

private:
    Graph m_graph;
    ShapeReport m_report;
};

} // namespace sf
