#include "LayerSearch.h"

#include "TextMatch.h"

#include <algorithm>
#include <tuple>

namespace sf {

std::vector<NodeId> findLayers(const Graph& graph, std::string_view query)
{
    if (query.empty())
        return {};
    struct Found {
        int rank;
        const Node* node;
    };
    std::vector<Found> found;
    for (const auto& [id, node] : graph.nodes()) {
        if (auto byName = textMatchRank(node.name, query))
            found.push_back({*byName, &node});
        else if (auto byType = textMatchRank(node.type, query))
            found.push_back({3 + *byType, &node});
    }
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
        const auto key = [](const Found& f) {
            return std::tuple(f.rank, f.node->position.x, f.node->position.y, f.node->id);
        };
        return key(a) < key(b);
    });
    std::vector<NodeId> ids;
    ids.reserve(found.size());
    for (const Found& f : found)
        ids.push_back(f.node->id);
    return ids;
}

} // namespace sf
