#pragma once

#include <QObject>
#include <functional>

class QWidget;

namespace sf {

/// A panel's refresh that a hidden panel puts off: request() refreshes at once while the panel can
/// be seen, else once, when it is next in sight (shown, its dock's tab raised, or uncovered). A
/// panel behind another dock's tab, or in a closed dock, then does no work for edits it cannot
/// show (a 2,000-layer paste used to rebuild hundreds of hidden rows of widgets). Whoever reads
/// what the panel shows calls flush() first.
class RefreshWhenShown : public QObject {
public:
    RefreshWhenShown(QWidget& panel, std::function<void()> refresh);

    void request();
    /// Refreshes now when a request is waiting.
    void flush();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    bool inSight() const;
    /// Follows the docks the panel is in (known once it is placed): raising a dock's tab shows it.
    void watchDocks();

    QWidget& m_panel;
    std::function<void()> m_refresh;
    bool m_pending = false;
    bool m_docksWatched = false;
};

} // namespace sf
