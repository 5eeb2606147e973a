#pragma once

#include "Graph.h"

#include <functional>
#include <vector>

namespace sf {

/// A rectangle on the canvas, in scene units: where a layer's card is drawn.
struct CardRect {
    double left = 0.0;
    double top = 0.0;
    double width = 0.0;
    double height = 0.0;

    double right() const { return left + width; }
    double bottom() const { return top + height; }
    /// Overlaps `other`, or comes closer to it than `gap`.
    bool crowds(const CardRect& other, double gap) const;
};

/// The rectangle `node`'s card covers where the node is (it need not be in `graph` yet): the
/// canvas, which draws the cards, measures them.
using CardFootprint = std::function<CardRect(const Graph& graph, const Node& node)>;

/// Where `node`'s card can go, as near `wanted` as there is room: a position at which it crowds
/// none of the other cards of `graph` (`node` itself is left out when it is in the graph).
Point freeSpotNear(const Graph& graph, const Node& node, Point wanted, const CardFootprint& footprint);

/// Where `node`'s card can go beside the layers `selected`: one layout column right of the
/// rightmost of them, in its row, or the nearest free spot to that.
Point freeSpotBeside(const Graph& graph, const std::vector<NodeId>& selected, const Node& node,
                     const CardFootprint& footprint);

/// Places `id`, a layer just put into a connection, between the layer feeding its first input and
/// the leftmost layer it feeds, in the feeding layer's row. When the two are too close for its
/// card, the layer it feeds and everything downstream of it move right by whole layout columns,
/// with whatever cards they would then crowd (and what is downstream of those); nothing else moves.
void placeBetweenNeighbours(Graph& graph, NodeId id, const CardFootprint& footprint);

} // namespace sf
