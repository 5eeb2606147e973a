#include "StatusMessage.h"

namespace sf {

StatusMessage::StatusMessage(QWidget* parent) : QLabel(parent)
{
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // its text follows its width, not the reverse
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] { showMessage({}, 0); });
}

void StatusMessage::showMessage(const QString& text, int milliseconds)
{
    m_text = text;
    fit();
    if (!text.isEmpty() && milliseconds > 0)
        m_timeout.start(milliseconds);
    else
        m_timeout.stop();
}

void StatusMessage::resizeEvent(QResizeEvent* event)
{
    QLabel::resizeEvent(event);
    fit();
}

void StatusMessage::fit()
{
    const QString shown = fontMetrics().elidedText(m_text, Qt::ElideRight, std::max(0, contentsRect().width()));
    setText(shown);
    setToolTip(shown == m_text ? QString() : m_text);
}

} // namespace sf
