#include "RefreshWhenShown.h"

#include <QDockWidget>
#include <QEvent>
#include <QWidget>

namespace sf {

RefreshWhenShown::RefreshWhenShown(QWidget& panel, std::function<void()> refresh)
    : QObject(&panel), m_panel(panel), m_refresh(std::move(refresh))
{
    panel.installEventFilter(this);
}

void RefreshWhenShown::request()
{
    m_pending = true;
    watchDocks();
    if (inSight())
        flush();
}

void RefreshWhenShown::flush()
{
    if (std::exchange(m_pending, false))
        m_refresh();
}

bool RefreshWhenShown::inSight() const
{
    // A dock behind another's tab is still "visible", moved out of the window: none of it shows.
    return m_panel.isVisible() && !m_panel.visibleRegion().isEmpty();
}

void RefreshWhenShown::watchDocks()
{
    if (std::exchange(m_docksWatched, true))
        return;
    for (QWidget* w = m_panel.parentWidget(); w; w = w->parentWidget())
        if (auto* dock = qobject_cast<QDockWidget*>(w))
            connect(dock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
                if (visible)
                    flush();
            });
}

bool RefreshWhenShown::eventFilter(QObject* watched, QEvent* event)
{
    // Shown, or painted (a splitter or the window uncovering it): once the event is done, and only
    // when some of it is in sight (a dock behind another's tab is sent Show events too).
    if (m_pending && watched == &m_panel && (event->type() == QEvent::Show || event->type() == QEvent::Paint))
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (inSight())
                    flush();
            },
            Qt::QueuedConnection);
    return QObject::eventFilter(watched, event);
}

} // namespace sf
