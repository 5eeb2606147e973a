#pragma once

#include "QuickFix.h"
#include "graph/Graph.h"

namespace sf {

/// Carries out a quick fix on `graph`. Returns false, leaving the graph as it was, when the fix no
/// longer applies (a node or connection it names is gone).
bool applyFix(Graph& graph, const QuickFix& fix);

} // namespace sf
