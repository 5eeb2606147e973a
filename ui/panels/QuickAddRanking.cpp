#include "QuickAddRanking.h"

#include "graph/TextMatch.h"

#include <algorithm>

namespace sf {

std::optional<int> layerMatchRank(const QString& typed, const LayerEntry& layer)
{
    const std::string text = typed.trimmed().toStdString();
    if (text.empty())
        return 0;
    if (const auto byName = textMatchRank(layer.name.toStdString(), text))
        return byName;
    if (textMatchRank(layer.description.toStdString(), text))
        return 3;
    return std::nullopt;
}

std::vector<LayerEntry> rankLayers(const QString& typed, const std::vector<LayerEntry>& layers)
{
    std::vector<std::pair<int, LayerEntry>> matches;
    for (const LayerEntry& layer : layers)
        if (const auto rank = layerMatchRank(typed, layer))
            matches.emplace_back(*rank, layer);
    std::stable_sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<LayerEntry> ranked;
    for (auto& [rank, layer] : matches)
        ranked.push_back(std::move(layer));
    return ranked;
}

} // namespace sf
