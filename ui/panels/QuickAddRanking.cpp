#include "QuickAddRanking.h"

#include <algorithm>

namespace sf {

std::optional<int> layerMatchRank(const QString& typed, const LayerEntry& layer) {
    const QString text = typed.trimmed();
    if (text.isEmpty() || layer.name.compare(text, Qt::CaseInsensitive) == 0)
        return 0;
    if (layer.name.startsWith(text, Qt::CaseInsensitive))
        return 1;
    if (layer.name.contains(text, Qt::CaseInsensitive))
        return 2;
    if (layer.description.contains(text, Qt::CaseInsensitive))
        return 3;
    return std::nullopt;
}

std::vector<LayerEntry> rankLayers(const QString& typed, const std::vector<LayerEntry>& layers) {
    std::vector<std::pair<int, LayerEntry>> matches;
    for (const LayerEntry& layer : layers)
        if (const auto rank = layerMatchRank(typed, layer))
            matches.emplace_back(*rank, layer);
    std::stable_sort(matches.begin(), matches.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<LayerEntry> ranked;
    for (auto& [rank, layer] : matches)
        ranked.push_back(std::move(layer));
    return ranked;
}

} // namespace sf
