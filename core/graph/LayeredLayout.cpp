#include "LayeredLayout.h"

#include "Topology.h"

#include <algorithm>

namespace sf {

namespace {

constexpr int kSweeps = 4; ///< down-and-up barycentre passes; crossings rarely drop after a few

/// Reorders one column by the mean position of each node's neighbours in the adjacent column
/// (nodes without neighbours there keep their place).
void sortByBarycentre(std::vector<int>& column, const std::vector<std::vector<int>>& neighbours,
                      const std::vector<double>& position)
{
    std::vector<std::pair<double, int>> keyed;
    for (int v : column) {
        double sum = 0.0;
        int count = 0;
        for (int w : neighbours[static_cast<std::size_t>(v)]) {
            sum += position[static_cast<std::size_t>(w)];
            ++count;
        }
        keyed.emplace_back(count ? sum / count : position[static_cast<std::size_t>(v)], v);
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < column.size(); ++k)
        column[k] = keyed[k].second;
}

} // namespace

void layOutLayered(Graph& graph, LayoutSpacing spacing)
{
    const Topology t = Topology::of(graph);
    const std::size_t n = t.ids.size();
    // Layers: the longest path from an input; nodes in or after a cycle go in a last column.
    std::vector<int> layer(n, 0);
    int deepest = 0;
    for (int v : t.order)
        for (int w : t.consumers[static_cast<std::size_t>(v)])
            layer[static_cast<std::size_t>(w)] =
                std::max(layer[static_cast<std::size_t>(w)], layer[static_cast<std::size_t>(v)] + 1);
    for (int v : t.order)
        deepest = std::max(deepest, layer[static_cast<std::size_t>(v)]);
    for (std::size_t v = 0; v < n; ++v)
        if (t.afterCycle[v])
            layer[v] = deepest + 1;
    const int columnsCount = n ? *std::max_element(layer.begin(), layer.end()) + 1 : 0;
    std::vector<std::vector<int>> columns(static_cast<std::size_t>(columnsCount));
    for (int v : t.order)
        columns[static_cast<std::size_t>(layer[static_cast<std::size_t>(v)])].push_back(v);
    for (std::size_t v = 0; v < n; ++v)
        if (t.afterCycle[v])
            columns[static_cast<std::size_t>(layer[v])].push_back(static_cast<int>(v));

    std::vector<std::vector<int>> producers(n);
    for (std::size_t v = 0; v < n; ++v)
        for (const Topology::InputSlot& s : t.inputs[v])
            if (s.producer >= 0)
                producers[v].push_back(s.producer);

    // Crossing reduction: barycentre sweeps, down (by producers) then up (by consumers).
    std::vector<double> position(n, 0.0);
    auto place = [&](const std::vector<int>& column) {
        for (std::size_t k = 0; k < column.size(); ++k)
            position[static_cast<std::size_t>(column[k])] =
                static_cast<double>(k) - 0.5 * static_cast<double>(column.size() - 1);
    };
    for (const auto& column : columns)
        place(column);
    for (int sweep = 0; sweep < kSweeps; ++sweep) {
        for (std::size_t c = 1; c < columns.size(); ++c) {
            sortByBarycentre(columns[c], producers, position);
            place(columns[c]);
        }
        for (std::size_t c = columns.size(); c-- > 1;) {
            sortByBarycentre(columns[c - 1], t.consumers, position);
            place(columns[c - 1]);
        }
    }
    for (std::size_t c = 0; c < columns.size(); ++c)
        for (int v : columns[c])
            graph.node(t.ids[static_cast<std::size_t>(v)])->position = {
                static_cast<double>(c) * spacing.column, position[static_cast<std::size_t>(v)] * spacing.row};
}

} // namespace sf
