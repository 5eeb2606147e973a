#include "RefreshWhenShown.h"

#include <QEvent>
#include <QWidget>

namespace sf {

RefreshWhenShown::RefreshWhenShown(QWidget& panel, std::function<void()> refresh)
    : QObject(&panel), m_panel(panel), m_refresh(std::move(refresh)) {
    panel.installEventFilter(this);
}

void RefreshWhenShown::request() {
    m_pending = true;
    if (m_panel.isVisible())
        flush();
}

void RefreshWhenShown::flush() {
    if (std::exchange(m_pending, false))
        m_refresh();
}

bool RefreshWhenShown::eventFilter(QObject* watched, QEvent* event) {
    if (watched == &m_panel && event->type() == QEvent::Show)
        flush();
    return QObject::eventFilter(watched, event);
}

} // namespace sf
