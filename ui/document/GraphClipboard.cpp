#include "GraphClipboard.h"

#include "graph/ConnectionRules.h"
#include "io/FileFormatError.h"
#include "io/ModelFile.h"

#include <map>
#include <unordered_set>

namespace sf::clipboard {

Graph fragment(const Graph& graph, const std::vector<NodeId>& nodes)
{
    Graph part;
    for (NodeId id : nodes)
        if (const Node* n = graph.node(id))
            part.insertNode(*n);
    for (const auto& [id, node] : part.nodes())
        if (node.sharesWeightsWith.isValid() && !part.node(node.sharesWeightsWith))
            part.node(id)->sharesWeightsWith = {};
    for (const Connection& c : graph.connections())
        if (part.node(c.from.node) && part.node(c.to.node))
            part.connect(c);
    return part;
}

QByteArray copy(const Graph& graph, const std::vector<NodeId>& nodes)
{
    ModelDocument doc;
    doc.graph = fragment(graph, nodes);
    return QByteArray::fromStdString(serializeModel(doc));
}

std::optional<Graph> read(const QByteArray& data)
{
    try {
        return parseModel(data.toStdString(), "clipboard").graph;
    } catch (const FileFormatError&) {
        return std::nullopt;
    }
}

void paste(Graph& graph, const Graph& copied, Point offset, std::vector<NodeId>& added)
{
    Graph result = graph;
    std::map<NodeId, NodeId> renumber;
    // The names in use, kept as copies get theirs: one pass over the graph, not one per copy.
    std::unordered_set<std::string> names;
    for (const auto& [id, node] : graph.nodes())
        names.insert(node.name);
    const auto taken = [&names](std::string_view name) { return names.contains(std::string(name)); };
    for (const auto& [id, node] : copied.nodes()) {
        Node copy = node;
        copy.id = result.nextId();
        copy.name = *names.insert(firstFreeName(node.name, taken)).first;
        copy.position = {node.position.x + offset.x, node.position.y + offset.y};
        renumber[id] = copy.id;
        result.insertNode(copy);
    }
    for (auto& [oldId, newId] : renumber)
        if (Node* n = result.node(newId); n->sharesWeightsWith.isValid())
            n->sharesWeightsWith = renumber.at(n->sharesWeightsWith);
    // The copies' own connections, between fresh layers: only their wiring is checked
    // (wiringRefusal), so a copied cycle is pasted as one and reported, as a file's is.
    for (const Connection& c : copied.connections())
        result.connect({{renumber.at(c.from.node), c.from.port}, {renumber.at(c.to.node), c.to.port}});
    added.clear();
    for (const auto& [oldId, newId] : renumber)
        added.push_back(newId);
    graph = std::move(result);
}

bool insertIntoEdge(Graph& graph, const Connection& c, std::string_view type, NodeId& inserted)
{
    if (!canInsertIntoEdge(graph, c, type))
        return false;
    const Node* from = graph.node(c.from.node);
    const Node* to = graph.node(c.to.node);
    graph.disconnect(c);
    inserted = graph.addNode(
        type, {}, {(from->position.x + to->position.x) / 2.0, (from->position.y + to->position.y) / 2.0 + 90.0});
    graph.connect({c.from, {inserted, 0}});
    graph.connect({{inserted, 0}, c.to});
    return true;
}

} // namespace sf::clipboard
