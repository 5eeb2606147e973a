#include "CardGrid.h"

#include <algorithm>
#include <cmath>

namespace sf {

template <typename Visit> void CardGrid::forEachCell(const QRectF& rect, Visit visit)
{
    // Beyond a trillion cells out every place is the same cell: no overflow, only a longer look.
    const auto cell = [](double v) { return static_cast<long long>(std::clamp(std::floor(v / kCell), -1e9, 1e9)); };
    for (long long x = cell(rect.left()); x <= cell(rect.right()); ++x)
        for (long long y = cell(rect.top()); y <= cell(rect.bottom()); ++y)
            visit((x << 32) ^ (y & 0xffffffffLL));
}

void CardGrid::add(const QRectF& card)
{
    forEachCell(card, [&](long long key) { m_cells[key].push_back(card); });
}

bool CardGrid::overlaps(const QRectF& rect) const
{
    bool found = false;
    forEachCell(rect, [&](long long key) {
        if (found)
            return;
        if (auto it = m_cells.find(key); it != m_cells.end())
            for (const QRectF& card : it->second)
                if (card.intersects(rect)) {
                    found = true;
                    return;
                }
    });
    return found;
}

} // namespace sf
