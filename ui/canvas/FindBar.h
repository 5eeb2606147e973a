#pragma once

#include "graph/Ids.h"

#include <QWidget>
#include <vector>

class QLabel;
class QLineEdit;

namespace sf {

class Graph;

/// Find layer (Edit > Find Layer, Ctrl+F): a bar above the canvas. Typing goes to the best match by
/// name or type (findLayers' order); Enter goes to the next match (F3 too, from the Edit menu),
/// Shift+Enter to the previous one (Shift+F3), Alt+Enter selects every match, Escape closes the
/// bar. "2 of 5" says where it is; a query that finds nothing says so and the field turns red. The
/// matches are looked up again on every step, so edits made while the bar is open are followed.
class FindBar : public QWidget {
    Q_OBJECT
public:
    explicit FindBar(const Graph& graph, QWidget* parent = nullptr);

    /// Shows the bar with the focus in its field, the earlier query selected.
    void open();
    /// The next (previous) match; with nothing to look for yet, opens the bar instead.
    void findNext() { step(+1); }
    void findPrevious() { step(-1); }
    void selectAllMatches();
    QString query() const;
    /// "2 of 5", "5 selected", "No layer matches" or empty: what the bar says beside the field.
    QString status() const;

signals:
    /// Go to this layer: select it alone and centre it.
    void layerFound(sf::NodeId id);
    /// Select these layers (every match).
    void layersFound(const std::vector<sf::NodeId>& ids);
    /// The bar was closed with Escape or its close button: the canvas takes the focus back.
    void closed();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    /// Moves `delta` matches on from the current one (0: to the best match) and reports it.
    void step(int delta);
    /// Says "at+1 of count", "count selected" when `at` is -1, or that nothing matches.
    void showCount(int at, int count);
    void close();

    const Graph& m_graph;
    QLineEdit* m_field;
    QLabel* m_count;
    NodeId m_current; ///< the match shown last, the place the next step starts from
};

} // namespace sf
