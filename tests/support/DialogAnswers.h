#pragma once

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QPointer>
#include <QStringList>
#include <QTimer>

/// Answers the message boxes that open while it lives, in order, by clicking the button with the
/// given text ("Cancel", "Stop and keep weights"...), as a person would. What each box said is
/// kept in `asked`; a box with no answer left, or without the button, is left open and recorded
/// in `unanswered` (the test then fails on it instead of hanging: the box is rejected).
class DialogAnswers : public QObject {
public:
    explicit DialogAnswers(QStringList answers) : m_answers(std::move(answers))
    {
        connect(&m_poll, &QTimer::timeout, this, [this] { answer(); });
        m_poll.start(10);
    }

    QStringList asked;
    QStringList unanswered;
    bool allUsed() const { return m_answers.isEmpty(); }

private:
    void answer()
    {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || box == m_last)
            return;
        m_last = box;
        asked << box->text();
        for (QAbstractButton* button : box->buttons())
            if (!m_answers.isEmpty() && button->text().remove('&') == m_answers.front()) {
                m_answers.removeFirst();
                QMetaObject::invokeMethod(button, &QAbstractButton::click, Qt::QueuedConnection);
                return;
            }
        unanswered << box->text();
        QMetaObject::invokeMethod(box, &QDialog::reject, Qt::QueuedConnection);
    }

    QStringList m_answers;
    QTimer m_poll;
    QPointer<QMessageBox> m_last; ///< the box answered last (null once it is gone)
};
