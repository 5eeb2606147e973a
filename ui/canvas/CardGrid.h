#pragma once

#include <QRectF>
#include <unordered_map>
#include <vector>

namespace sf {

/// Where the cards are, for quick "does this rectangle touch a card?" questions: each card's
/// rectangle filed under the cells of a uniform grid it covers. Built in one pass over the cards;
/// a question looks at the few cards filed under the cells the rectangle covers.
class CardGrid {
public:
    void clear() { m_cells.clear(); }
    void add(const QRectF& card);
    /// Whether `rect` overlaps any card added since the last clear.
    bool overlaps(const QRectF& rect) const;

private:
    static constexpr double kCell = 400.0; ///< scene units: about two cards wide
    template <typename Visit> static void forEachCell(const QRectF& rect, Visit visit);

    std::unordered_map<long long, std::vector<QRectF>> m_cells;
};

} // namespace sf
