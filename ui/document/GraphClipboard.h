#pragma once

#include "graph/Graph.h"

#include <QByteArray>
#include <vector>

namespace sf {

/// Copying and pasting layers: the copied nodes and the connections among them, as .sfmodel JSON.
namespace clipboard {

inline constexpr const char* kMime = "application/x-shapeflow-graph";

QByteArray copy(const Graph& graph, const std::vector<NodeId>& nodes);

/// `graph` with the copied layers added under fresh ids and free names, shifted by `offset`.
/// `added` receives the new ids. Returns false (graph unchanged) when `data` is not a copy.
bool paste(Graph& graph, const QByteArray& data, Point offset, std::vector<NodeId>& added);

/// `graph` with a new node of `type` inserted into connection `c` (its first port fed by c's
/// source, its output feeding c's target). False when the type cannot sit in an edge.
bool insertIntoEdge(Graph& graph, const Connection& c, std::string_view type, NodeId& inserted);

} // namespace clipboard

} // namespace sf
