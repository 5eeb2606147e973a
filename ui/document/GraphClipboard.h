#pragma once

#include "graph/Graph.h"

#include <QByteArray>
#include <optional>
#include <vector>

namespace sf {

/// Copying and pasting layers: the copied nodes and the connections among them, as .sfmodel JSON.
namespace clipboard {

inline constexpr const char* kMime = "application/x-shapeflow-graph";

/// The layers `nodes` and the connections among them; a weight sharing is kept only when the
/// shared layer is among them.
Graph fragment(const Graph& graph, const std::vector<NodeId>& nodes);
/// The fragment of `nodes`, as the clipboard holds it.
QByteArray copy(const Graph& graph, const std::vector<NodeId>& nodes);
/// The layers a copy holds; nothing when `data` is not a copy.
std::optional<Graph> read(const QByteArray& data);

/// `graph` with the layers of `copied` added under fresh ids and free names, shifted by `offset`.
/// `added` receives the new ids.
void paste(Graph& graph, const Graph& copied, Point offset, std::vector<NodeId>& added);

/// `graph` with a new node of `type` inserted into connection `c` (its first port fed by c's
/// source, its output feeding c's target). False when it cannot (canInsertIntoEdge).
bool insertIntoEdge(Graph& graph, const Connection& c, std::string_view type, NodeId& inserted);

} // namespace clipboard

} // namespace sf
