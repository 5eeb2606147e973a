#include "ThinnedCurve.h"

namespace sf {

void ThinnedCurve::forget()
{
    m_binSize = 1;
    m_kept = 0;
    m_drawn.clear();
}

void ThinnedCurve::appendBin(QList<QPointF>& out, std::size_t from, std::size_t to, const PointAt& at) const
{
    std::optional<QPointF> low, high;
    std::size_t lowAt = 0, highAt = 0;
    for (std::size_t i = from; i < to; ++i) {
        const std::optional<QPointF> p = at(i);
        if (!p)
            continue;
        if (!low || p->y() < low->y()) {
            low = p;
            lowAt = i;
        }
        if (!high || p->y() > high->y()) {
            high = p;
            highAt = i;
        }
    }
    if (!low)
        return;
    if (lowAt == highAt) {
        out.append(*low);
    } else if (lowAt < highAt) {
        out.append(*low);
        out.append(*high);
    } else {
        out.append(*high);
        out.append(*low);
    }
}

QList<QPointF> ThinnedCurve::points(std::size_t count, const PointAt& at)
{
    std::size_t binSize = 1;
    while (count > binSize * m_bins)
        binSize *= 2;
    if (binSize != m_binSize || count < m_kept) {
        forget();
        m_binSize = binSize;
    }
    for (; m_kept + m_binSize <= count; m_kept += m_binSize)
        appendBin(m_drawn, m_kept, m_kept + m_binSize, at);
    QList<QPointF> out = m_drawn;
    appendBin(out, m_kept, count, at);
    // The line ends at the newest point, whatever its bin's band.
    if (count > 0)
        if (const std::optional<QPointF> last = at(count - 1); last && (out.isEmpty() || out.last() != *last))
            out.append(*last);
    return out;
}

} // namespace sf
