#include "CardFootprint.h"

#include "NodeItem.h"

namespace sf {

CardRect cardFootprint(const Graph& graph, const Node& node)
{
    int fed = 0;
    for (const Connection& c : graph.connectionsOf(node.id))
        fed += c.to.node == node.id ? 1 : 0;
    NodeItem card(node);
    card.setNode(node, fed);
    const QRectF rect = card.boundingRect().translated(node.position.x, node.position.y);
    return {rect.left(), rect.top(), rect.width(), rect.height()};
}

} // namespace sf
