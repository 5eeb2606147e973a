#include "LayeredLayout.h"

#include "Topology.h"

#include <algorithm>
#include <map>

namespace sf {

void layOutLayered(Graph& graph, LayoutSpacing spacing)
{
    const Topology t = Topology::of(graph);
    const std::size_t n = t.ids.size();
    std::vector<int> layer(n, 0);
    int deepest = 0;
    for (int v : t.order)
        for (int w : t.consumers[static_cast<std::size_t>(v)])
            layer[static_cast<std::size_t>(w)] = std::max(layer[static_cast<std::size_t>(w)], layer[static_cast<std::size_t>(v)] + 1);
    for (int v : t.order)
        deepest = std::max(deepest, layer[static_cast<std::size_t>(v)]);
    for (std::size_t v = 0; v < n; ++v)
        if (t.afterCycle[v])
            layer[v] = deepest + 1;

    std::map<int, std::vector<int>> columns;
    for (int v : t.order)
        columns[layer[static_cast<std::size_t>(v)]].push_back(v);
    for (std::size_t v = 0; v < n; ++v)
        if (t.afterCycle[v])
            columns[layer[v]].push_back(static_cast<int>(v));

    std::vector<double> row(n, 0.0);
    for (auto& [depth, members] : columns) {
        if (depth > 0) {
            // Barycentre of the producers' rows keeps edges short and mostly straight.
            std::vector<std::pair<double, int>> keyed;
            for (int v : members) {
                double sum = 0.0;
                int count = 0;
                for (const Topology::InputSlot& s : t.inputs[static_cast<std::size_t>(v)])
                    if (s.producer >= 0) {
                        sum += row[static_cast<std::size_t>(s.producer)];
                        ++count;
                    }
                keyed.emplace_back(count ? sum / count : 0.0, v);
            }
            std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            for (std::size_t k = 0; k < members.size(); ++k)
                members[k] = keyed[k].second;
        }
        const double top = -0.5 * static_cast<double>(members.size() - 1);
        for (std::size_t k = 0; k < members.size(); ++k) {
            const auto v = static_cast<std::size_t>(members[k]);
            row[v] = top + static_cast<double>(k);
            graph.node(t.ids[v])->position = {depth * spacing.column, row[v] * spacing.row};
        }
    }
}

} // namespace sf
