#pragma once

#include "Loss.h"
#include "data/DataError.h"
#include "data/Dataset.h"
#include "engine/Network.h"
#include "graph/Graph.h"

#include <string>

namespace sf {

/// The shape of one sample of each Input, from the data, for NetworkCompiler (Inputs whose
/// length is None take it from here). Throws DataError when an input has no data.
std::map<std::string, std::vector<Index>> sampleShapesOf(const Graph& graph, const Dataset& data);

/// Checks everything about `data` before the first batch: an array for every input (and, with
/// `needTargets`, every output), sample shapes, equal row counts, finite values, integer token ids
/// below every consuming Embedding's input_dim, class ids below the output width.
/// `what` names the data in messages ("training data", "validation data").
void checkData(const Graph& graph, const Network& network, const Dataset& data, const LossSpec& loss, bool needTargets,
               const std::string& what);

} // namespace sf
