#include "Placement.h"

#include "LayeredLayout.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>

namespace sf {

namespace {

constexpr double kGap = 24.0;    ///< the least room between two cards
constexpr int kSearchSteps = 24; ///< grid steps searched each way around a wanted spot

/// `rect` moved by (dx, dy).
CardRect shifted(CardRect rect, double dx, double dy)
{
    rect.left += dx;
    rect.top += dy;
    return rect;
}

/// Every layer `start` feeds, directly or not, and `start` itself.
std::set<NodeId> downstreamOf(const Graph& graph, NodeId start)
{
    std::set<NodeId> reached{start};
    std::deque<NodeId> queue{start};
    while (!queue.empty()) {
        const NodeId n = queue.front();
        queue.pop_front();
        for (const Connection& c : graph.connectionsOf(n))
            if (c.from.node == n && reached.insert(c.to.node).second)
                queue.push_back(c.to.node);
    }
    return reached;
}

/// Moves `start` and what is downstream of it right by `dx`, with every card they would then
/// crowd (and what is downstream of that); the `fixed` layers never move.
void pushRight(Graph& graph, NodeId start, double dx, const std::set<NodeId>& fixed, const CardFootprint& footprint)
{
    std::map<NodeId, CardRect> cards;
    for (const auto& [id, node] : graph.nodes())
        cards.emplace(id, footprint(graph, node));
    std::set<NodeId> moving;
    std::deque<NodeId> added;
    auto take = [&](NodeId from) {
        for (NodeId n : downstreamOf(graph, from))
            if (!fixed.contains(n) && moving.insert(n).second)
                added.push_back(n);
    };
    take(start);
    while (!added.empty()) {
        const CardRect after = shifted(cards.at(added.front()), dx, 0.0);
        added.pop_front();
        for (const auto& [id, card] : cards)
            if (!fixed.contains(id) && !moving.contains(id) && after.crowds(card, kGap))
                take(id);
    }
    for (NodeId n : moving)
        graph.node(n)->position.x += dx;
}

} // namespace

bool CardRect::crowds(const CardRect& other, double gap) const
{
    return left < other.right() + gap && other.left < right() + gap && top < other.bottom() + gap &&
           other.top < bottom() + gap;
}

Point freeSpotNear(const Graph& graph, const Node& node, Point wanted, const CardFootprint& footprint)
{
    const CardRect own = footprint(graph, node);
    std::vector<CardRect> others;
    for (const auto& [id, other] : graph.nodes())
        if (id != node.id)
            others.push_back(footprint(graph, other));
    auto fits = [&](Point at) {
        const CardRect card = shifted(own, at.x - node.position.x, at.y - node.position.y);
        return std::none_of(others.begin(), others.end(),
                            [&card](const CardRect& other) { return card.crowds(other, kGap); });
    };
    // Candidates on a grid around `wanted` (half a layout column across, half a row down),
    // nearest first.
    const LayoutSpacing spacing;
    std::vector<Point> candidates;
    for (int i = -kSearchSteps; i <= kSearchSteps; ++i)
        for (int j = -kSearchSteps; j <= kSearchSteps; ++j)
            candidates.push_back({wanted.x + i * spacing.column / 2, wanted.y + j * spacing.row / 2});
    auto distance = [&wanted](Point p) { return std::hypot(p.x - wanted.x, p.y - wanted.y); };
    std::stable_sort(candidates.begin(), candidates.end(), [&](Point a, Point b) { return distance(a) < distance(b); });
    for (Point at : candidates)
        if (fits(at))
            return at;
    // Crowded all around: below every card.
    double bottom = wanted.y;
    for (const CardRect& other : others)
        bottom = std::max(bottom, other.bottom() + kGap);
    return {wanted.x, bottom + (node.position.y - own.top)};
}

Point freeSpotBeside(const Graph& graph, const std::vector<NodeId>& selected, const Node& node,
                     const CardFootprint& footprint)
{
    const Node* rightmost = nullptr;
    for (NodeId id : selected)
        if (const Node* n = graph.node(id); n && (!rightmost || n->position.x > rightmost->position.x))
            rightmost = n;
    if (!rightmost)
        return freeSpotNear(graph, node, node.position, footprint);
    const Point wanted{rightmost->position.x + LayoutSpacing().column, rightmost->position.y};
    return freeSpotNear(graph, node, wanted, footprint);
}

void placeBetweenNeighbours(Graph& graph, NodeId id, const CardFootprint& footprint)
{
    Node* node = graph.node(id);
    if (!node)
        return;
    const auto feeding = graph.connectionInto({id, 0});
    const Node* consumer = nullptr;
    for (const Connection& c : graph.connectionsOf(id))
        if (const Node* to = graph.node(c.to.node);
            c.from.node == id && (!consumer || to->position.x < consumer->position.x))
            consumer = to;
    if (!feeding || !consumer) {
        node->position = freeSpotNear(graph, *node, node->position, footprint);
        return;
    }
    const Node& producer = *graph.node(feeding->from.node);
    const CardRect own = footprint(graph, *node);
    const double from = footprint(graph, producer).right();
    const double missing = own.width + 2 * kGap - (footprint(graph, *consumer).left - from);
    if (missing > 0) {
        const double column = LayoutSpacing().column;
        pushRight(graph, consumer->id, std::ceil(missing / column) * column, {producer.id, id}, footprint);
    }
    const double to = footprint(graph, *graph.node(consumer->id)).left;
    const double left = (from + to - own.width) / 2.0;
    node->position = freeSpotNear(graph, *node, {node->position.x + left - own.left, producer.position.y}, footprint);
}

} // namespace sf
