#pragma once

#include "Graph.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sf {

/// Why a connection may not be made; the editor words each for the user.
enum class ConnectionRefusal : std::uint8_t {
    MissingLayer, ///< either end names no layer of the graph
    NoSuchPort,   ///< not from output port 0, or into an input the target's type does not have
    AlreadyFed,   ///< the input is fed already: one connection per input, delete that one first
    FeedsItself,  ///< from a layer to itself
    MakesCycle,   ///< the target already feeds the source, directly or through others
};

/// Whether a layer of `type` has input port `port` (an Input has none). An unsupported layer's
/// placeholder (an opaque node), a type with no spec, takes any port, as Keras called it.
bool hasInputPort(std::string_view type, int port);

/// Whether `producer` has output port `port`: its layer type's outputNames() (most have one). An
/// unsupported layer's placeholder gives any port, as Keras read its outputs.
bool hasOutputPort(const Node& producer, int port);
/// How many output ports `producer` has; for an opaque node, as many as its stated output shapes
/// (at least 1).
int outputCount(const Node& producer);

/// Why `c` cannot be wired into `graph` at all: a missing layer or port, or an input fed already.
/// Graph::connect refuses exactly these. A model as read or pasted may hold anything else, cycles
/// included, which shape inference reports.
std::optional<ConnectionRefusal> wiringRefusal(const Graph& graph, const Connection& c);

/// Why an edit may not add `c` to `graph`: a layer feeding itself, a wiring refusal, or a cycle.
/// Linear in the size of the graph: it runs on every mouse move of a connection being dragged.
std::optional<ConnectionRefusal> connectionRefusal(const Graph& graph, const Connection& c);

/// Whether a new layer of `type` can be put into connection `c` of `graph`, fed on its only input
/// by c's source and feeding c's target: `c` is in the graph and the type takes exactly one input.
bool canInsertIntoEdge(const Graph& graph, const Connection& c, std::string_view type);

} // namespace sf
