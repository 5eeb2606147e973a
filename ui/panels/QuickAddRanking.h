#pragma once

#include <QString>
#include <optional>
#include <vector>

namespace sf {

/// A layer type as a search finds it: its class name and its one-line description.
struct LayerEntry {
    QString name;
    QString description;
};

/// How well `typed` matches a layer, best first: 0 the exact name (or nothing typed), 1 the start
/// of the name, 2 elsewhere in the name, 3 in the description; nothing when it does not match.
/// Case is ignored.
std::optional<int> layerMatchRank(const QString& typed, const LayerEntry& layer);

/// The layers `typed` matches, best match first (layerMatchRank), in their given order within a
/// rank.
std::vector<LayerEntry> rankLayers(const QString& typed, const std::vector<LayerEntry>& layers);

} // namespace sf
