#pragma once

#include <QLabel>
#include <QTimer>

namespace sf {

/// The status bar's message: shown for a while, then cleared. It sits beside the bar's permanent
/// counts and is elided to the room it has, whatever the window's width, so a long note never
/// runs under them or stops mid-word; when cut, the whole text is its tooltip.
class StatusMessage : public QLabel {
public:
    explicit StatusMessage(QWidget* parent = nullptr);

    void showMessage(const QString& text, int milliseconds);
    /// The whole message, or empty once it has timed out.
    QString message() const { return m_text; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fit();

    QString m_text;
    QTimer m_timeout;
};

} // namespace sf
