#pragma once

#include <QList>
#include <QPointF>
#include <cstddef>
#include <functional>
#include <optional>

namespace sf {

/// What a growing curve of many points looks like drawn: up to `bins` points it is every point;
/// beyond, consecutive points are grouped in bins of a power-of-two size and each bin is drawn as
/// its lowest and its highest point, in their order, so the band of a noisy loss and its spikes
/// stay visible at any length; the line always ends at the newest point. Bins that are full are kept, so adding points
/// costs only the new ones and the last bin, whatever the history; the grouping changes (and everything is redone) only
/// when the bin size doubles.
class ThinnedCurve {
public:
    /// Point `i` of the curve, or nothing where it cannot be drawn (not finite, or not positive on a log axis).
    using PointAt = std::function<std::optional<QPointF>(std::size_t)>;

    explicit ThinnedCurve(std::size_t bins = 1024) : m_bins(bins) {}

    /// The points to draw for the curve's first `count` points, all of which but those added since
    /// the last call must be as they were then (call forget() when they change).
    QList<QPointF> points(std::size_t count, const PointAt& at);
    /// Drops what was kept: the points changed (new smoothing, another x unit, a new run).
    void forget();

private:
    void appendBin(QList<QPointF>& out, std::size_t from, std::size_t to, const PointAt& at) const;

    std::size_t m_bins;
    std::size_t m_binSize = 1;
    std::size_t m_kept = 0; ///< points covered by the full bins in m_drawn
    QList<QPointF> m_drawn; ///< what the full bins draw
};

} // namespace sf
