#pragma once

#include "Ids.h"
#include "ParamMap.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sf {

/// Position of a node's card on the canvas, in scene units.
struct Point {
    double x = 0.0;
    double y = 0.0;
    bool operator==(const Point&) const = default;
};

/// A tensor shape a node states rather than infers (an opaque layer's output), batch axis first as
/// Keras writes it; nullopt is Keras's None.
using StatedShape = std::vector<std::optional<std::int64_t>>;

/// One layer call in the graph. A Keras layer called twice becomes two nodes, the second one
/// naming the first in sharesWeightsWith. A node whose type LayerCatalogue does not know is an
/// opaque node (OpaqueLayer.h): a Keras layer Shapeflow has no rule for (a Lambda, a custom class).
/// It keeps that layer's class, whole config and call in kerasFields, takes its inputs as Keras
/// called it, and has the output shapes the file stored or the user typed (outputShapes).
struct Node {
    NodeId id;
    std::string type; ///< Keras class name: a key of LayerCatalogue, or an unsupported layer's class
    std::string name; ///< Keras layer name, unique in a valid graph
    ParamMap params;
    Point position;
    NodeId sharesWeightsWith; ///< invalid unless this call reuses another node's weights
    /// What the Keras file says of this layer that Shapeflow does not model, as JSON object text
    /// (`{"config": {"kernel_regularizer": ...}, "module": ...}`), written back on export so that
    /// import then export gives the same model; empty when there is nothing to keep.
    std::string kerasFields;
    /// An opaque node's output shapes, one per output port, as the Keras file stored them or the
    /// user typed them; empty when unknown. Always empty for a catalogue layer, whose shape rule
    /// says its shape.
    std::vector<StatedShape> outputShapes;

    bool operator==(const Node&) const = default;
};

/// A layer given as an argument (NestedLayer) as a node of its own, with the id `id`: what its
/// LayerType reads.
inline Node asNode(const NestedLayer& layer, NodeId id = {})
{
    Node node;
    node.id = id;
    node.type = layer.className;
    node.name = layer.name;
    node.params = layer.arguments();
    node.kerasFields = layer.kerasFields;
    return node;
}

} // namespace sf
