#include "GraphClipboard.h"

#include "graph/LayerRegistry.h"
#include "io/FileFormatError.h"
#include "io/ModelFile.h"

#include <map>
#include <unordered_set>

namespace sf::clipboard {

QByteArray copy(const Graph& graph, const std::vector<NodeId>& nodes)
{
    ModelDocument doc;
    for (NodeId id : nodes)
        if (const Node* n = graph.node(id)) {
            Node copy = *n;
            if (std::find(nodes.begin(), nodes.end(), copy.sharesWeightsWith) == nodes.end())
                copy.sharesWeightsWith = {};
            doc.graph.insertNode(copy);
        }
    for (const Connection& c : graph.connections())
        if (doc.graph.node(c.from.node) && doc.graph.node(c.to.node))
            doc.graph.connect(c);
    return QByteArray::fromStdString(serializeModel(doc));
}

bool paste(Graph& graph, const QByteArray& data, Point offset, std::vector<NodeId>& added)
{
    ModelDocument doc;
    try {
        doc = parseModel(data.toStdString(), "clipboard");
    } catch (const FileFormatError&) {
        return false;
    }
    Graph result = graph;
    std::map<NodeId, NodeId> renumber;
    // The names in use, kept as copies get theirs: one pass over the graph, not one per copy.
    std::unordered_set<std::string> names;
    for (const auto& [id, node] : graph.nodes())
        names.insert(node.name);
    const auto taken = [&names](std::string_view name) { return names.contains(std::string(name)); };
    for (const auto& [id, node] : doc.graph.nodes()) {
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
    for (const Connection& c : doc.graph.connections())
        result.connect({{renumber.at(c.from.node), c.from.port}, {renumber.at(c.to.node), c.to.port}});
    added.clear();
    for (const auto& [oldId, newId] : renumber)
        added.push_back(newId);
    graph = std::move(result);
    return true;
}

bool insertIntoEdge(Graph& graph, const Connection& c, std::string_view type, NodeId& inserted)
{
    const LayerSpec* spec = LayerRegistry::instance().find(type);
    const Node* from = graph.node(c.from.node);
    const Node* to = graph.node(c.to.node);
    if (!spec || spec->isInput() || !from || !to || !graph.connections().contains(c))
        return false;
    graph.disconnect(c);
    inserted = graph.addNode(type, {}, {(from->position.x + to->position.x) / 2.0, (from->position.y + to->position.y) / 2.0 + 90.0});
    graph.connect({c.from, {inserted, 0}});
    graph.connect({{inserted, 0}, c.to});
    return true;
}

} // namespace sf::clipboard
