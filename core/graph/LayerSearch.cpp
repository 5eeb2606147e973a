#include "LayerSearch.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <tuple>

namespace sf {

namespace {

std::string lowered(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// 0 when `text` is the query, 1 when it starts with it, 2 when it contains it; nothing otherwise.
std::optional<int> matchRank(const std::string& text, const std::string& query) {
    if (text == query)
        return 0;
    const auto at = text.find(query);
    if (at == std::string::npos)
        return std::nullopt;
    return at == 0 ? 1 : 2;
}

} // namespace

std::vector<NodeId> findLayers(const Graph& graph, std::string_view query) {
    const std::string wanted = lowered(query);
    if (wanted.empty())
        return {};
    struct Found {
        int rank;
        const Node* node;
    };
    std::vector<Found> found;
    for (const auto& [id, node] : graph.nodes()) {
        if (auto byName = matchRank(lowered(node.name), wanted))
            found.push_back({*byName, &node});
        else if (auto byType = matchRank(lowered(node.type), wanted))
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
