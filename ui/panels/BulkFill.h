#pragma once

#include <QAbstractItemView>
#include <QHeaderView>
#include <vector>

namespace sf {

/// How many rows a column that fits its contents measures (beside those in sight): a table of
/// thousands of rows, measured whole, spent most of an edit's time shaping text on every repaint.
inline constexpr int kMeasuredRows = 200;

/// While a table or tree is refilled row by row: its columns that size to their contents stop
/// doing so after every row (which makes a refill of n rows cost n^2) and size once at the end,
/// and the view does not repaint in between.
class BulkFill {
public:
    BulkFill(QAbstractItemView& view, QHeaderView& header) : m_view(view), m_header(header)
    {
        m_view.setUpdatesEnabled(false);
        for (int i = 0; i < m_header.count(); ++i) {
            m_modes.push_back(m_header.sectionResizeMode(i));
            if (m_modes.back() == QHeaderView::ResizeToContents)
                m_header.setSectionResizeMode(i, QHeaderView::Interactive);
        }
    }
    ~BulkFill()
    {
        for (int i = 0; i < static_cast<int>(m_modes.size()); ++i)
            m_header.setSectionResizeMode(i, m_modes[static_cast<std::size_t>(i)]);
        m_view.setUpdatesEnabled(true);
    }
    BulkFill(const BulkFill&) = delete;
    BulkFill& operator=(const BulkFill&) = delete;

private:
    QAbstractItemView& m_view;
    QHeaderView& m_header;
    std::vector<QHeaderView::ResizeMode> m_modes;
};

} // namespace sf
