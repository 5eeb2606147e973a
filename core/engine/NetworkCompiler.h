#pragma once

#include "Network.h"
#include "graph/Graph.h"
#include "shape/CheckedModel.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sf {

/// A graph that cannot be compiled: it has errors, or a size only the data can give is missing.
/// The message names the layer.
class CompileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Sizes of one sample of each Input, by layer name, from the data: they fill the Inputs whose
/// shape has None (a variable sequence length is fixed by the padded data).
using SampleShapes = std::map<std::string, std::vector<Index>>;

/// `graph` with the None sizes of each Input's shape taken from `samples` (by Input name).
/// Throws CompileError when an Input with a None size has no sample shape, or one of another rank.
Graph withSampleSizes(const Graph& graph, const SampleShapes& samples);

/// The first opaque node (graph/OpaqueLayer.h) in topological order that a model output depends
/// on, or nullptr: the compiler refuses a model with one, naming it.
const Node* opaqueOnPath(const Graph& graph, const ShapeReport& report);

/// Turns a valid graph into a Network for batches of up to `batchSize`. Weights start at zero;
/// initializeWeights() (train/Initializers) gives them Keras's initial values. The gradients of
/// the model's float inputs are only computed with `inputGradients` (gradient checks need them,
/// training does not).
class NetworkCompiler {
public:
    static std::unique_ptr<Network> compile(const CheckedModel& model, Index batchSize,
                                            const SampleShapes& sampleShapes = {}, bool inputGradients = false);
};

} // namespace sf
