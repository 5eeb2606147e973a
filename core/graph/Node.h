#pragma once

#include "Ids.h"
#include "ParamMap.h"

#include <string>

namespace sf {

/// Position of a node's card on the canvas, in scene units.
struct Point {
    double x = 0.0;
    double y = 0.0;
    bool operator==(const Point&) const = default;
};

/// One layer call in the graph. A Keras layer called twice becomes two nodes, the second one
/// naming the first in sharesWeightsWith. A node whose type LayerCatalogue does not know is a
/// placeholder for a Keras layer Shapeflow does not support: it keeps that layer's class and
/// whole config in kerasFields, takes its inputs as Keras called it, and has no known output.
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
