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
/// naming the first in sharesWeightsWith.
struct Node {
    NodeId id;
    std::string type; ///< Keras class name, a key of LayerRegistry
    std::string name; ///< Keras layer name, unique in a valid graph
    ParamMap params;
    Point position;
    NodeId sharesWeightsWith; ///< invalid unless this call reuses another node's weights

    bool operator==(const Node&) const = default;
};

} // namespace sf
